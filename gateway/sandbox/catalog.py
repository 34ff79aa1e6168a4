"""The sandbox's national catalogue: topics, agencies, provinces and the texts of
agency responses and archive reasons, read from ``catalog.json``.

Each topic and agency carries a *sector* (``pu``, ``kesehatan``, ``dukcapil``, ...)
used only inside the sandbox, to dispose a complaint to a plausible agency: the one
of its sector in the complaint's regency/city, else in its province, else the
national ministry. Sectors never appear on the wire.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOG_PATH = Path(__file__).with_name("catalog.json")
GENERAL_SECTOR = "umum"
# Kemendagri region codes: province "18", regency/city "18.71", district
# "18.71.01", village "18.71.01.1001".
REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


@dataclass(frozen=True)
class TopicEntry:
    id: int
    parent_id: int | None
    name: str
    sector: str

    def wire(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "name": self.name}


@dataclass(frozen=True)
class AgencyEntry:
    code: str
    name: str
    level: str
    region_code: str | None
    sectors: tuple[str, ...]

    def wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "region_code": self.region_code,
        }


class Catalog:
    """The national categories and agencies, and how the sandbox picks among them."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.provinces: dict[str, str] = dict(raw["provinces"])
        topics: dict[int, TopicEntry] = {}
        for item in raw["topics"]:
            parent = item.get("parent_id")
            sector = item.get("sector") or (topics[parent].sector if parent else GENERAL_SECTOR)
            topics[item["id"]] = TopicEntry(item["id"], parent, item["name"], sector)
        self.topics = topics
        self.agencies: dict[str, AgencyEntry] = {
            a["code"]: AgencyEntry(
                a["code"], a["name"], a["level"], a["region_code"], tuple(a.get("sectors", ()))
            )
            for a in raw["agencies"]
        }
        self.responses: dict[str, list[str]] = raw["responses"]
        self.archive_reasons: list[str] = raw["archive_reasons"]
        self._nearest_cache: dict[tuple[int | None, str], AgencyEntry] = {}
        self._topics_wire = [t.wire() for t in self.topics.values()]
        self._agencies_wire = [a.wire() for a in self.agencies.values()]

    def topics_wire(self) -> list[dict[str, Any]]:
        return self._topics_wire

    def agencies_wire(self) -> list[dict[str, Any]]:
        return self._agencies_wire

    def check(
        self, topic_id: int | None, agency_code: str | None, region_code: str | None
    ) -> list[tuple[str, str]]:
        """``(field, message)`` for each reference that is not in the catalogue."""
        errors = []
        if topic_id is not None and topic_id not in self.topics:
            errors.append(("topic_id", f"unknown topic {topic_id}; see GET /api/v1/topics"))
        if agency_code is not None and agency_code not in self.agencies:
            errors.append(("agency_code", f"unknown agency {agency_code!r}; see /api/v1/agencies"))
        if region_code is None:
            pass
        elif not REGION_CODE.match(region_code):
            errors.append(("region_code", "must be a Kemendagri region code such as 18 or 18.71"))
        elif region_code[:2] not in self.provinces:
            errors.append(("region_code", f"no province has the code {region_code[:2]}"))
        return errors

    def sector_of(self, topic_id: int | None) -> str:
        topic = self.topics.get(topic_id) if topic_id is not None else None
        return topic.sector if topic else GENERAL_SECTOR

    def assign_agency(
        self, requested: str | None, topic_id: int | None, region_code: str
    ) -> AgencyEntry:
        """The agency a complaint is disposed to: the requested one when it exists,
        else the first of the topic's sector in the regency/city, the province, the
        centre; else the province's or the centre's general agency."""
        if requested and requested in self.agencies:
            return self.agencies[requested]
        key = (topic_id, region_code[:5])
        if key not in self._nearest_cache:
            self._nearest_cache[key] = self._nearest(*key)
        return self._nearest_cache[key]

    def _nearest(self, topic_id: int | None, region_code: str) -> AgencyEntry:
        regency, province = region_code[:5], region_code[:2]
        scopes = [regency, province, None] if len(region_code) >= 5 else [province, None]
        for sector in (self.sector_of(topic_id), GENERAL_SECTOR):
            for scope in scopes:
                for agency in self.agencies.values():
                    if agency.region_code == scope and sector in agency.sectors:
                        return agency
        return next(iter(self.agencies.values()))

    def response_for(self, agency: AgencyEntry, topic_id: int | None, rng: random.Random) -> str:
        """A response of ``agency``: for the topic, else its sector, else a general one."""
        sector = self.sector_of(topic_id)
        if sector not in agency.sectors and agency.sectors:
            sector, topic_id = agency.sectors[0], None  # an agency outside the topic's sector
        texts = (
            self.responses.get(str(topic_id))
            or self.responses.get(sector)
            or self.responses[GENERAL_SECTOR]
        )
        return rng.choice(texts).format(agency=agency.name)

    def archive_reason(self, rng: random.Random) -> str:
        return rng.choice(self.archive_reasons)


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """The catalogue in ``path`` (read once per process)."""
    return Catalog(json.loads(path.read_text(encoding="utf-8")))
