"""The words of a text as the intent reader sees them, and the features its learned model
reads (:mod:`gateway.understanding.intent_model`).

Features are the normalised words (``w:jalan``), pairs of neighbouring words
(``b:sudah_diperbaiki``), the text's length in words as a bucket (``n:2``), and whether it
asks a question (``q``), has a number (``d``) or has no words at all (``empty``).
Training (:mod:`gateway.classifier.intent_train`) and reading use this one function, so
the two can never disagree.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from gateway.mappings.classify import normalise

#: upper bounds of the length buckets, in words
LENGTH_BUCKETS = (1, 2, 3, 5, 8, 12, 20)
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=65536)
def normalised_token(token: str) -> tuple[str, ...]:
    """One whitespace-separated token as ``normalise`` reads it; words recur from message
    to message, so each is read once (``normalise`` never joins across whitespace)."""
    return tuple(normalise(token))


def words_of(text: str) -> list[str]:
    """The normalised words of ``text``."""
    return [word for token in text.split() for word in normalised_token(token)]


def features(text: str, words: list[str]) -> set[str]:
    """The features of ``text`` (whose normalised words are ``words``)."""
    found = {f"w:{word}" for word in words}
    found.update(f"b:{a}_{b}" for a, b in itertools.pairwise(words))
    bucket = next((i for i, top in enumerate(LENGTH_BUCKETS) if len(words) <= top), None)
    found.add(f"n:{len(LENGTH_BUCKETS) if bucket is None else bucket}")
    if "?" in text:
        found.add("q")
    if _DIGIT.search(text):
        found.add("d")
    if not words:
        found.add("empty")
    return found
