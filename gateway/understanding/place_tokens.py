"""A free text as the place reader sees it: words, numbers, punctuation and the dots of
abbreviations, each word knowing whether its capital letter means a name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.understanding import place_words as pw

_TOKEN = re.compile(
    r"(?P<word>[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*(?:2(?!\d))?)"  # lampu2: one word
    r"|(?P<num>\d+[A-Za-z]?(?:[/\-]\d+[A-Za-z]?)*)"
    r"|(?P<punct>[.,;:!?\n/()\"&\-])"
    r"|(?P<other>\S)"
)


@dataclass(frozen=True)
class Tok:
    text: str
    low: str
    start: int
    end: int
    kind: str  # word, num, punct, abbrev (an abbreviation's dot), other
    cap: bool  # capitalised inside a sentence, in a text not written in capitals
    plain: bool  # the text capitalises nothing inside its sentences: case tells no names


def tokens(text: str) -> list[Tok]:
    """The text's words, numbers and punctuation. A capital letter only counts inside a
    sentence ("Butuh dana?" is no name) and not in a text in capitals; a text with no
    capital inside its sentences is ``plain``: lower-case names count there."""
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
    raw: list[tuple[str, str, int, int, str, bool]] = []
    opening = True  # the next word opens a sentence
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        low = m[0].casefold()
        if kind == "punct" and low == "." and raw and abbreviated(raw[-1][1], raw[-1][4]):
            kind = "abbrev"
        cap = kind == "word" and not shouting and not opening and m[0][0].isupper()
        raw.append((m[0], low, m.start(), m.end(), kind, cap))
        if kind == "word" or kind == "num":
            opening = False
        elif kind == "punct" and low in ".!?\n:":
            opening = True
    plain = shouting or not any(r[5] and not r[0].isupper() for r in raw)  # PDAM is no name
    return [Tok(*r, plain) for r in raw]


def abbreviated(low: str, kind: str) -> bool:
    return kind == "word" and (low in pw.ABBREVIATIONS or len(low) == 1)


def previous_word(toks: list[Tok], i: int) -> str | None:
    """The word before ``toks[i]``, over an abbreviation's dot ("kec. Natar": "kec")."""
    j = i - 1
    while j >= 0 and toks[j].kind == "abbrev":
        j -= 1
    return toks[j].low if j >= 0 and toks[j].kind == "word" else None
