"""Region names inside a free text, for the place reader: where each starts and ends and
which regions it may be (:mod:`gateway.understanding.regions_index` holds the names)."""

from __future__ import annotations

import re

from gateway.regions.gazetteer import Kind, Region
from gateway.understanding import place_words as pw
from gateway.understanding.place_tokens import Tok, previous_word
from gateway.understanding.regions_index import KIND_WORDS, MAX_WORDS, region_names

#: a lower-case region name with no "di" or kind word before it ("listrik pringsewu padam")
#: counts from this many letters ("natar"); shorter ones are too often everyday words
BARE_MIN_CHARS = 5
#: everyday words that are also some district's name: never a place by themselves
_NEVER_ALONE = frozenset({"kota", "pasar", "air", "baru", "lama", "raya", "indah", "jaya"})
#: token index -> (end index, the regions the name there may be)
Names = dict[int, tuple[int, list[Region]]]


def region_names_in(toks: list[Tok], within: str | None, lower: range = range(0)) -> Names:
    """Region names in the text: token index -> (end index, the regions it may be).
    A name in lower case counts after a kind word or "di", or inside ``lower``; with
    nothing before it only a regency or city, or a district inside ``within``."""
    index = region_names()
    found: Names = {}
    i = 0
    while i < len(toks):
        if toks[i].kind != "word" or toks[i].low in pw.STOP or toks[i].low not in index.first_words:
            i += 1
            continue
        before = previous_word(toks, i)
        kind = KIND_WORDS.get(before) if before else None
        hinted = kind is not None or before in pw.BEFORE_NAME or i in lower
        bare = not (toks[i].cap or hinted)  # a lower-case name with nothing before it
        if bare and (toks[i].low in pw.GENERIC or pw.PREDICATE.match(toks[i].low)):
            i += 1
            continue
        hit = None
        for size in range(MAX_WORDS, 0, -1):
            run = _word_run(toks, i, size)
            if run is None:
                continue
            key = "".join(toks[j].low for j in run if toks[j].kind == "word").replace("-", "")
            key = re.sub(r"[^0-9a-z]", "", key)
            common = size == 1 and kind is None and (key in pw.COMMON_NAMES or len(key) < 4)
            if bare and (common or len(key) < BARE_MIN_CHARS):
                continue
            if common and key in _NEVER_ALONE:
                continue
            regions = index.lookup(key, kind)
            if not toks[i].cap and kind is None:
                # lower case: a regency or city ("di metro", "listrik pringsewu padam"),
                # a district only inside the tenant's region ("pdam kemiling")
                regions = [
                    r
                    for r in regions
                    if r.kind in (Kind.REGENCY, Kind.CITY)
                    or (not common and within and r.kind is Kind.DISTRICT and r.within(within))
                ]

            if regions:
                hit = (run[-1] + 1, regions)
                break
        if hit is None:
            i += 1
            continue
        found[i] = hit
        i = hit[0]
    return found


def _word_run(toks: list[Tok], i: int, size: int) -> list[int] | None:
    run: list[int] = []
    j = i
    while len(run) < size:
        if j >= len(toks) or toks[j].kind not in ("word", "num"):
            return None
        if run and toks[j].kind == "word" and not toks[j].cap and toks[i].cap:
            return None  # "Bandar Lampung" yes, "Bandar rusak" no
        run.append(j)
        j += 1
    return run
