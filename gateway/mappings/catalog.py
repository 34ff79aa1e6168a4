"""The national catalogue a mapping is checked against: topics and agencies.

Until ``gateway catalog sync`` stores the registry's own (not built yet), this is the
catalogue bundled with the gateway, the one the sandbox serves
(``gateway/sandbox/catalog.json``, from the SP4N-LAPOR! contract).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

BUNDLED = Path(__file__).resolve().parent.parent / "sandbox" / "catalog.json"


@dataclass(frozen=True)
class Catalogue:
    topics: dict[int, str]  # id -> name
    agencies: dict[str, str]  # code -> name

    @classmethod
    def bundled(cls) -> Catalogue:
        data = json.loads(BUNDLED.read_text(encoding="utf-8"))
        return cls(
            topics={int(t["id"]): str(t["name"]) for t in data["topics"]},
            agencies={str(a["code"]): str(a["name"]) for a in data["agencies"]},
        )
