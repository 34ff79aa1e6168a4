"""Indonesia's provinces, regencies and cities by Kemendagri code, and the names people
write for them: ``Kota Bandar Lampung``, ``Kab. Lampung Selatan``, ``kab lamsel``,
``Bandarlampung``, ``Banjarmasin`` alone.

A name is read as an optional kind word (``kabupaten``/``kab``, ``kota``/``kodya``,
``provinsi``/``prov``) and the region's own name; letter case, dots, dashes and spaces
do not matter. :meth:`Gazetteer.resolve` answers with exactly one region or says why
not (unknown or ambiguous) and what comes closest; it never guesses.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from gateway.regions.aliases import ALIASES

CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")  # as the domain's
_UNDOTTED = re.compile(r"^\d{4}$")
#: the kind words people put before a name, and the kind each one means
_KIND_WORDS = {
    "provinsi": "provinsi",
    "propinsi": "provinsi",
    "prov": "provinsi",
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kabupaten administrasi": "kabupaten",
    "kota": "kota",
    "kodya": "kota",
    "kotamadya": "kota",
    "kota administrasi": "kota",
    "kota adm": "kota",
    "kecamatan": "kecamatan",
    "kec": "kecamatan",
}
#: a name no closer than this to any region is not offered as a suggestion
SUGGEST_CUTOFF = 0.6
#: a name this close to one region (and to no other nearly as close) is that region
#: misspelt ("Bandar Lampong", "Banjarmasn"); shorter names are never guessed
MISSPELT_SCORE, MISSPELT_MARGIN, MISSPELT_MIN_LENGTH = 0.88, 0.1, 6


class Kind(StrEnum):
    PROVINCE = "provinsi"
    REGENCY = "kabupaten"
    CITY = "kota"
    DISTRICT = "kecamatan"


@dataclass(frozen=True)
class Region:
    code: str  # dotted Kemendagri code: "18", "18.71"
    name: str  # as Kemendagri writes it: "Kota Bandar Lampung"
    kind: Kind
    province: str  # the province's name (its own for a province)

    def within(self, prefix: str | None) -> bool:
        return not prefix or self.code == prefix or self.code.startswith(prefix + ".")


@dataclass(frozen=True)
class Match:
    region: Region
    score: float  # 1.0 for a name or alias of the region; below for a near miss


@dataclass(frozen=True)
class Resolution:
    """What a name resolves to: ``region``, else why not and the closest ``matches``."""

    region: Region | None
    problem: str | None = None  # "unknown" or "ambiguous"
    matches: tuple[Match, ...] = ()


def split_name(text: str) -> tuple[Kind | None, str]:
    """``("kabupaten", "lampungselatan")`` for ``"Kab. Lampung-Selatan"``."""
    words = re.sub(r"[^0-9a-z]+", " ", text.casefold()).split()
    kind = None
    for size in (2, 1):
        head = " ".join(words[:size])
        if len(words) > size and head in _KIND_WORDS:
            kind, words = Kind(_KIND_WORDS[head]), words[size:]
            break
    return kind, "".join(words)


def dotted(code: str) -> str:
    """``"18.71"`` for ``"1871"``; any other text as it is."""
    code = code.strip()
    return f"{code[:2]}.{code[2:]}" if _UNDOTTED.match(code) else code


class Gazetteer:
    """Provinces, regencies and cities by every name; districts (kecamatan) by their exact
    name only, and only when no province, regency or city has it (``Kedaton``)."""

    def __init__(self, regions: list[Region]) -> None:
        self.regions = {r.code: r for r in regions}
        self._by_key: dict[str, list[Region]] = defaultdict(list)
        self._districts: dict[str, list[Region]] = defaultdict(list)
        for region in regions:
            names = self._districts if region.kind is Kind.DISTRICT else self._by_key
            names[split_name(region.name)[1]].append(region)
        for alias, name in ALIASES.items():
            found = self._by_key.get(split_name(name)[1], [])
            if len(found) != 1:
                raise ValueError(f"alias {alias!r} names {name!r}, which is not one region")
            self._by_key[split_name(alias)[1]].append(found[0])

    def resolve(self, text: str, within: str | None = None) -> Resolution:
        """The one region ``text`` names inside ``within`` (a code prefix), or why not."""
        kind, key = split_name(text)
        found = {
            r.code: r
            for r in self._by_key.get(key, [])
            if r.within(within) and (kind is None or r.kind == kind)
        }
        if not found and kind in (None, Kind.DISTRICT):
            found = {r.code: r for r in self._districts.get(key, []) if r.within(within)}
        if len(found) == 1:
            return Resolution(next(iter(found.values())))
        if found:
            ranked = tuple(Match(r, 1.0) for r in sorted(found.values(), key=lambda r: r.code))
            return Resolution(None, "ambiguous", ranked)
        near = self.find(text, within)
        if _misspelt(key, kind, near):
            return Resolution(near[0].region, None, tuple(near))
        return Resolution(None, "unknown", tuple(near))

    def find(self, text: str, within: str | None = None, limit: int = 5) -> list[Match]:
        """Regions whose names come closest to ``text``, best first (1.0: a name of it)."""
        kind, key = split_name(text)
        scores: dict[str, Match] = {}
        for name_key, regions in self._by_key.items():
            score = 1.0 if name_key == key else _similarity(key, name_key)
            if score < SUGGEST_CUTOFF:
                continue
            for region in regions:
                if not region.within(within):
                    continue
                # "kota banjar" in Kalimantan Selatan: the regency, less sure
                own = score if kind is None or region.kind == kind else score * 0.9
                best = scores.get(region.code)
                if best is None or best.score < own:
                    scores[region.code] = Match(region, round(own, 2))
        ranked = sorted(scores.values(), key=lambda m: (-m.score, m.region.code))
        return ranked[:limit]


@cache
def bundled() -> Gazetteer:
    """The gazetteer shipped in ``gateway/regions/data`` (read once per process)."""
    source = resources.files("gateway.regions") / "data" / "regions.csv.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    provinces = {r["code"]: r["name"] for r in rows if len(r["code"]) == 2}
    return Gazetteer([_region(r["code"], r["name"], provinces) for r in rows])


def _misspelt(key: str, kind: Kind | None, near: list[Match]) -> bool:
    if len(key) < MISSPELT_MIN_LENGTH or not near or near[0].score < MISSPELT_SCORE:
        return False
    if kind is not None and near[0].region.kind != kind:
        return False  # "Kota Banjar" is not Kabupaten Banjar misspelt
    return len(near) == 1 or near[1].score <= near[0].score - MISSPELT_MARGIN


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _region(code: str, name: str, provinces: dict[str, str]) -> Region:
    if len(code) == 2:
        kind = Kind.PROVINCE
    elif len(code) > 5:
        kind, name = Kind.DISTRICT, f"Kecamatan {name}"
    elif name.startswith("Kota"):
        kind = Kind.CITY
    else:
        kind = Kind.REGENCY
    return Region(code, name, kind, provinces[code[:2]])
