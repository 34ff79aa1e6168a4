"""The place a free text names: the fullest phrase that says where, as written.

A place starts at a kind word with a name after it: a street (``Jl.``, ``jln``,
``jalan``, ``gang``/``Gg.``), an area (RT/RW, ``no``, kelurahan, desa, nagari, jorong,
pekon, kampung, gampong, kecamatan, perumahan), a landmark (``SDN 3``, ``pasar
Kedaton``, ``masjid Al-Ikhlas``, ``simpang empat``), or at a region's name from the
gazetteer (``Kedaton``, ``Bandar Lampung``, ``kab lamsel``). It goes on over names
(capitalised words, numbers, up to three lower-case words after a kind word), more kind
words, relations (``depan``, ``samping``, ``seberang``) and commas that lead to more
of the place, and stops at the first word that begins what happened ("rusak", "mati",
"sudah", "sejak", "lampunya", a time word) or at the end of a sentence; the dot of an
abbreviation (``gg. mawar``, ``Jl. H. Agus Salim``) ends nothing. A leading "di",
"dekat", "sekitar" is left out; "depan", "samping" are kept ("depan SDN 3 Metro").
Of several places the one that says most (a street over a region name) is taken.

``region_code`` is the most specific region named (a kecamatan over its city) that lies
inside the tenant's ``region_code``, else one named unambiguously anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.understanding import place_words as pw
from gateway.understanding.place_names import BARE_MIN_CHARS, Names, region_names_in
from gateway.understanding.place_tokens import Tok, tokens
from gateway.understanding.regions_index import choose

#: lower-case words taken as a name after one kind word ("jl. ryacudu", "gg mawar indah")
MAX_LOWER_NAME = 3
MAX_CHARS = 200


@dataclass(frozen=True)
class Place:
    text: str  # as the citizen wrote it, e.g. "Jl. Ryacudu depan Gg. Mawar, Way Halim"
    region_code: str | None  # the gazetteer's code when a regency, city, kecamatan is named


@dataclass(frozen=True)
class _Span:
    start: int  # token index
    end: int  # exclusive
    score: int


def find_place(text: str, *, region_code: str | None = None) -> Place | None:
    """The place ``text`` names, or None. ``region_code`` is the tenant's region."""
    toks = tokens(text)
    names = region_names_in(toks, region_code)
    spans: list[_Span] = []
    i = 0
    while i < len(toks):
        span = _span_at(toks, i, names)
        if span is None:
            i += 1
            continue
        spans.append(span)
        i = span.end
    if not spans:
        return None
    best = max(spans, key=lambda s: (s.score, s.end - s.start, -s.start))
    words = text[toks[best.start].start : toks[best.end - 1].end].strip(" ,;:-/")
    names.update(region_names_in(toks, region_code, range(best.start, best.end)))
    inside = [found for at, (_, found) in sorted(names.items()) if best.start <= at < best.end]
    rest = [found for at, (_, found) in sorted(names.items()) if not best.start <= at < best.end]
    return Place(words[:MAX_CHARS], choose(inside + rest, region_code))


def _is_name(tok: Tok) -> bool:
    if tok.kind == "num":
        return True
    if tok.kind != "word":
        return False
    if tok.cap and tok.low in pw.CAPITALISED_NAMES:
        return True
    if tok.low in pw.STOP or tok.low in pw.AGENCIES or pw.PREDICATE.match(tok.low):
        return False
    return not tok.low.endswith("nya") or tok.cap


#: kind words a number follows ("RT 03", "no 5", "blok D2")
_NUMBERED = frozenset({
    "rt", "rw", "no", "nomor", "nmr", "nomer", "km", "kav", "blok", "blk", "lk", "ling",
})  # fmt: skip
#: abbreviated kind words: whoever writes "jl." often writes the name in lower case too
_ABBREVIATED = frozenset({
    "jl", "jln", "jlan", "gg", "kel", "kec", "kab", "ds", "dsn", "kp", "perum", "komp", "lr",
    "lrg", "sdn", "smpn", "sman", "smkn", "rsud", "pkm", "spbu", "tps", "tpa",
})  # fmt: skip


def _numbered(tok: Tok) -> bool:
    """A number, or a block's code ("D2", "C")."""
    return tok.kind == "num" or (
        tok.kind == "word" and len(tok.text) <= 2 and tok.text[:1].isupper()
    )


_NEEDS_PROPER_NAME = frozenset({"kantor", "pabrik", "toko", "warung", "gedung", "bengkel"})
_NEEDS_NAME = frozenset({"mi", "min", "ma", "man", "pos", "tk", "rm", "pom", "pintu", "kolam"})
_STREET_GENERIC = frozenset({
    "raya", "utama", "besar", "kecil", "umum", "poros", "lintas", "setapak", "tanah",
    "provinsi", "nasional", "kabupaten", "alternatif", "pintas", "baru", "lama", "dua",
    "arteri", "protokol", "lingkar", "kolektor",
})  # fmt: skip


def _anchor(tok: Tok) -> str | None:
    if tok.kind != "word":
        return None
    if tok.low in pw.STREET:
        return "street"
    if tok.low in pw.AREA:
        return "area"
    if tok.low in pw.LANDMARK:
        return "landmark"
    return None


def _span_at(toks: list[Tok], i: int, names: Names) -> _Span | None:
    tok = toks[i]
    if tok.kind != "word":
        return None
    relation = tok.low in pw.RELATION or tok.low in pw.BEFORE_NAME
    start = i
    j = i
    if relation:
        j = _skip(toks, i + 1)
        if j >= len(toks):
            return None
        if tok.low in pw.DROPPED_LEADING or (
            tok.low in pw.BEFORE_NAME
            and tok.low not in ("depan", "seberang", "samping", "belakang", "sebelah")
        ):
            start = j
    nxt = toks[j]
    if j in names:
        end, score = names[j][0], 2
    elif _anchor(nxt) is not None:
        got = _after_anchor(toks, j, tok.low in pw.NEAR and j != i)
        if got is None:
            return None
        end, score = got
    elif relation and j != i and nxt.cap and _is_name(nxt):
        end, score = j + 1, 1  # "di Perumnas", "depan Indomaret"
    elif tok.low == "di" and j != i and nxt.plain and _bare_name(nxt):
        end, score = _name_end(toks, j, street=False), 1  # "di lubuk buaya" (no capitals)
    else:
        return None
    end = _extend(toks, end, names)
    while end - 1 > start and _trailing(toks[end - 1]):
        end -= 1  # "pekat | dari"
    if score == 1 and end - start == 1 and start < len(toks) and toks[start].low in pw.GENERIC:
        return None
    return _Span(start, end, score + (1 if end - start > 3 else 0))


def _trailing(tok: Tok) -> bool:
    """A word that cannot end a place ("dari", "depan") unless it is a name ("Selatan")."""
    return not tok.cap and (tok.low in pw.RELATION or tok.low in pw.JOINERS)


def _bare_name(tok: Tok) -> bool:
    """A lower-case word after "di" that may be a place's name ("di kuin utara")."""
    return (
        tok.kind == "word"
        and len(tok.low) >= BARE_MIN_CHARS - 1
        and _is_name(tok)
        and tok.low not in pw.GENERIC
        and _anchor(tok) is None
        and tok.low not in pw.RELATION
    )


def _after_anchor(toks: list[Tok], j: int, relation: bool) -> tuple[int, int] | None:
    """End and score of a kind word and its name, or None if no name follows it."""
    tok = toks[j]
    kind = _anchor(tok)
    k = _skip(toks, j + 1)
    if tok.low in _NUMBERED:
        if k < len(toks) and _numbered(toks[k]):
            return k + 1, 2
        return None  # "nomor resmi", "no electricity"
    lower_ok = tok.plain or tok.low in _ABBREVIATED or tok.text[:1].isupper()
    name_end = _name_end(toks, k, street=kind == "street", lower_ok=lower_ok)
    if name_end > k:
        if tok.low in _NEEDS_NAME and not (toks[k].kind == "num" or toks[k].cap):
            return None
        proper = any(toks[x].cap or toks[x].kind == "num" for x in range(k, name_end))
        if tok.low in _NEEDS_PROPER_NAME and not proper:
            return None  # "kantor kelurahan", not "kantor camat Natar"
        generic_only = all(toks[x].low in _STREET_GENERIC for x in range(k, name_end))
        if (
            generic_only
            and kind == "street"
            and not (name_end < len(toks) and _starts(toks, name_end))
        ):
            return None
        return name_end, 3 if kind == "street" else 2
    if kind == "landmark" and relation and tok.low in pw.LANDMARK_ALONE:
        return j + 1, 1
    if kind == "street" and k < len(toks) and _anchor(toks[k]) is not None:
        return _after_anchor(toks, k, relation)  # "jalan desa Sukamaju"
    return None


def _name_end(toks: list[Tok], k: int, street: bool, lower_ok: bool = True) -> int:
    """Where the name that starts at ``k`` ends (``k`` when there is none). Lower-case
    words count when ``lower_ok`` (a plain text, or after "jl.", "Desa"), else only when
    a capitalised word or a number follows them ("simpang empat Kedaton")."""
    lower = 0
    confirmed = k  # the end of the name as far as it is sure
    while k < len(toks):
        tok = toks[k]
        if tok.kind == "abbrev":
            k += 1
            continue
        if not _is_name(tok) or (_anchor(tok) is not None and not tok.cap):
            break
        if not tok.cap and tok.low in pw.RELATION:
            break  # "jl. ryacudu | depan gg. mawar": the place goes on in _extend
        if tok.kind == "word" and not tok.cap:
            if lower >= MAX_LOWER_NAME or (tok.low in pw.GENERIC and not street and lower == 0):
                break
            lower += 1
        k += 1
        if lower_ok or tok.cap or tok.kind == "num":
            confirmed = k
    return confirmed


def _skip(toks: list[Tok], k: int) -> int:
    while k < len(toks) and toks[k].kind == "abbrev":
        k += 1
    return k


def _starts(toks: list[Tok], k: int) -> bool:
    """Whether more of the place begins at ``k`` (a kind word, a name, a relation to one)."""
    if k >= len(toks):
        return False
    tok = toks[k]
    if _anchor(tok) is not None and tok.low not in ("kantor", "jalan"):
        return True
    if tok.kind == "num":
        return True
    return tok.cap and _is_name(tok)


def _extend(toks: list[Tok], k: int, names: Names) -> int:
    """The end of a place that reaches ``k``: on over more kind words, names and relations."""
    while k < len(toks):
        tok = toks[k]
        if k in names:
            k = names[k][0]
            continue
        if tok.kind == "abbrev":
            k += 1
            continue
        if tok.kind == "num":
            k += 1
            continue
        if tok.kind == "punct" and tok.low in (",", "/", "-", "(", ")"):
            nxt = _skip(toks, k + 1)
            if nxt < len(toks) and (nxt in names or _starts(toks, nxt)):
                k = nxt
                continue
            break
        if tok.kind != "word":
            break
        if _anchor(tok) is not None:
            got = _after_anchor(toks, k, relation=True)
            if got is None:
                break
            k = got[0]
            continue
        if tok.cap and _is_name(tok):
            k += 1
            continue
        if tok.low in pw.RELATION or tok.low in pw.JOINERS:
            nxt = _skip(toks, k + 1)
            if nxt < len(toks) and (nxt in names or _starts(toks, nxt)):
                k = nxt
                continue
            break
        if tok.cap and _is_name(tok):
            k += 1
            continue
        break
    return k
