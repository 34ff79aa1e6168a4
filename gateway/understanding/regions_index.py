"""Region names as they appear inside a free text, for :mod:`gateway.understanding.place`.

The gazetteer resolves one name it is given; a free text has to be searched for names,
word run by word run, so every name's key (lower-case letters and digits, no spaces:
``bandarlampung``) is indexed once here, with the aliases people use (``Balam``).
Lookups are exact: a misspelt name inside a sentence is not guessed at.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from gateway.regions.aliases import ALIASES
from gateway.regions.gazetteer import Kind, Region, bundled, split_name

#: kind words before a name, and the kind they ask for
KIND_WORDS = {
    "kab": Kind.REGENCY,
    "kabupaten": Kind.REGENCY,
    "kota": Kind.CITY,
    "kodya": Kind.CITY,
    "kec": Kind.DISTRICT,
    "kecamatan": Kind.DISTRICT,
    "prov": Kind.PROVINCE,
    "provinsi": Kind.PROVINCE,
}
#: the longest name, in words, looked for ("Koto Parik Gadang Diateh")
MAX_WORDS = 4


class RegionNames:
    def __init__(self, regions: list[Region]) -> None:
        self.names: dict[str, list[Region]] = defaultdict(list)
        #: the first word of every name ("bandar" of Bandar Lampung): only there a name starts
        self.first_words: set[str] = set()
        self.districts: dict[str, list[Region]] = defaultdict(list)
        by_name: dict[str, Region] = {}
        for region in regions:
            key = split_name(region.name)[1]
            self.first_words.add(_first_word(region.name))
            if region.kind is Kind.DISTRICT:
                self.districts[key].append(region)
            else:
                self.names[key].append(region)
                by_name[region.name] = region
        for alias, name in ALIASES.items():
            self.names[split_name(alias)[1]].append(by_name[name])
            self.first_words.add(_first_word(alias))

    def lookup(self, key: str, kind: Kind | None = None) -> list[Region]:
        """The regions named ``key`` (districts only when nothing larger is)."""
        found = [r for r in self.names.get(key, []) if kind is None or r.kind is kind]
        if not found and kind in (None, Kind.DISTRICT):
            found = list(self.districts.get(key, []))
        return found

    def known(self, key: str) -> bool:
        return key in self.names or key in self.districts


def _first_word(name: str) -> str:
    words = split_name(name)[0], re.sub(r"[^0-9a-z]+", " ", name.casefold()).split()
    kind, rest = words
    if kind is not None and len(rest) > 1 and rest[0] in KIND_WORDS | _KIND_NAMES:
        rest = rest[1:]
    return rest[0] if rest else ""


_KIND_NAMES = {"kabupaten": Kind.REGENCY, "administrasi": Kind.REGENCY}


@cache
def region_names() -> RegionNames:
    return RegionNames(list(bundled().regions.values()))


def choose(candidates: list[list[Region]], within: str | None) -> str | None:
    """The code of the most specific region named, inside ``within`` when any is there,
    else one named unambiguously anywhere; None when nothing is sure."""
    inside = [[r for r in found if r.within(within)] for found in candidates]
    chosen = _most_specific([found[0] for found in inside if len(found) == 1])
    if chosen is None and within:  # named outside the tenant's region: a regency or city
        outside = [found[0] for found in candidates if len(found) == 1]
        chosen = next((r for r in outside if r.kind in (Kind.REGENCY, Kind.CITY)), None)
    return chosen.code if chosen is not None else None


def _most_specific(regions: list[Region]) -> Region | None:
    if not regions:
        return None
    best = regions[0]
    for region in regions[1:]:
        if region.code.startswith(best.code + "."):
            best = region  # Kedaton inside Bandar Lampung
    return best
