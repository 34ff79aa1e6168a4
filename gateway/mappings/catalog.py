"""The national catalogue a mapping is checked against: topics and agencies.

``gateway catalog sync`` stores the registry's own in the database
(:mod:`gateway.storage.catalogue`); until it has run, mappings are checked against the
catalogue bundled with the gateway, the one the sandbox serves
(``gateway/sandbox/catalog.json``, from the SP4N-LAPOR! contract).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

BUNDLED = Path(__file__).resolve().parent.parent / "sandbox" / "catalog.json"


@dataclass(frozen=True)
class Catalogue:
    topics: dict[int, str]  # id -> name
    agencies: dict[str, str]  # code -> name
    #: topics the registry no longer lists (known from an earlier sync)
    withdrawn_topics: dict[int, str] = field(default_factory=dict)
    source: str = "synced"
    #: False: topics and agencies are not checked (``gateway catalog sync`` itself)
    enforced: bool = True

    @classmethod
    def unchecked(cls) -> Catalogue:
        return cls({}, {}, source="unchecked", enforced=False)

    @classmethod
    def bundled(cls) -> Catalogue:
        data = json.loads(BUNDLED.read_text(encoding="utf-8"))
        return cls(
            topics={int(t["id"]): str(t["name"]) for t in data["topics"]},
            agencies={str(a["code"]): str(a["name"]) for a in data["agencies"]},
            source="bundled",
        )
