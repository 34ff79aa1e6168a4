"""What the model reads in a complaint: character n-grams and words of its normalised text.

The text is normalised by :func:`gateway.mappings.classify.normalise` (lower case,
accents and punctuation away, "rusaaak" -> "rusak", "lampu2" -> "lampu lampu", the
shared informal spellings replaced by the standard word). Then two blocks of features:

- ``c``: character n-grams (2 to 5 letters) inside each word padded with a space at
  both ends, so " jln" and "rak " say where a word starts and ends; they cope with
  typos, affixes and regional spellings ("tasumbek", "manggenang") that no list holds;
- ``w``: the words themselves and each pair of neighbouring words ("jalan rusak").

Each feature weighs ``(1 + ln count) * idf``; each block is scaled to unit length and
then by its block weight. Training (:mod:`gateway.classifier.train`) and the run-time
model (:mod:`gateway.classifier.model`) build vectors with this one module, so what the
model learnt is what it reads. numpy only: no scikit-learn at run time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gateway.mappings.classify import normalise

#: block name -> (smallest, largest) character n-gram, or word n-gram for ``w``
DEFAULT_NGRAMS: dict[str, tuple[int, int]] = {"c": (2, 5), "w": (1, 2)}
#: how many words' character n-grams a featuriser remembers
WORD_CACHE = 50_000


def char_grams(word: str, low: int, high: int) -> list[str]:
    """The ``c`` features of one word: its n-grams, padded with a space at both ends."""
    padded = f" {word} "
    return [
        "c|" + padded[i : i + n]
        for n in range(low, min(high, len(padded)) + 1)
        for i in range(len(padded) - n + 1)
    ]


def word_grams(words: Sequence[str], low: int, high: int) -> list[str]:
    """The ``w`` features: each run of ``low`` to ``high`` neighbouring words."""
    return [
        "w|" + " ".join(words[i : i + n])
        for n in range(low, high + 1)
        for i in range(len(words) - n + 1)
    ]


def analyse(
    text: str, synonyms: Mapping[str, str], ngrams: Mapping[str, tuple[int, int]]
) -> list[str]:
    """The features of ``text``, each as ``block|feature``; repeated as often as they occur."""
    words = normalise(text, synonyms)
    found: list[str] = []
    if "c" in ngrams:
        for word in words:
            found += char_grams(word, *ngrams["c"])
    if "w" in ngrams:
        found += word_grams(words, *ngrams["w"])
    return found


@dataclass(frozen=True)
class Vector:
    """A sparse feature vector: feature indices (ascending) and their values."""

    indices: npt.NDArray[np.int32]
    values: npt.NDArray[np.float32]


class Featuriser:
    """Text to vector, over a fixed vocabulary (feature -> index) with its idf weights."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: npt.NDArray[np.float32],
        *,
        synonyms: Mapping[str, str],
        ngrams: Mapping[str, tuple[int, int]],
        block_weights: Mapping[str, float],
    ) -> None:
        self.vocabulary = list(vocabulary)  # index -> feature, grouped by block
        self.idf = idf.astype(np.float32)
        self.synonyms = dict(synonyms)
        self.ngrams = dict(ngrams)
        self.block_weights = dict(block_weights)
        self._index = {feature: i for i, feature in enumerate(self.vocabulary)}
        self._words: dict[str, list[int]] = {}
        blocks = sorted(self.block_weights)
        position = {block: i for i, block in enumerate(blocks)}
        self._block_of = np.array([position[f[0]] for f in self.vocabulary], dtype=np.int64)
        self._weights = np.array([self.block_weights[b] for b in blocks], dtype=np.float64)

    def _known_char_grams(self, word: str) -> list[int]:
        """The indices of a word's known character n-grams (cached: words repeat)."""
        found = self._words.get(word)
        if found is None:
            index = self._index
            grams = (index.get(g) for g in char_grams(word, *self.ngrams["c"]))
            found = [i for i in grams if i is not None]
            if len(self._words) < WORD_CACHE:
                self._words[word] = found
        return found

    def vector(self, text: str) -> Vector:
        """``text`` as :func:`analyse` reads it, weighted and scaled block by block."""
        words = normalise(text, self.synonyms)
        found: list[int] = []
        if "c" in self.ngrams:
            for word in words:
                found += self._known_char_grams(word)
        if "w" in self.ngrams:
            index = self._index
            grams = (index.get(g) for g in word_grams(words, *self.ngrams["w"]))
            found += [i for i in grams if i is not None]
        if not found:
            return Vector(np.zeros(0, np.int32), np.zeros(0, np.float32))
        indices, counts = np.unique(np.array(found, dtype=np.int32), return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf[indices]
        blocks = self._block_of[indices]
        norms = np.sqrt(np.bincount(blocks, weights=values * values, minlength=len(self._weights)))
        scale = self._weights / np.maximum(norms, 1e-12)
        return Vector(indices.astype(np.int32), (values * scale[blocks]).astype(np.float32))


def fit_vocabulary(
    texts: Iterable[str],
    synonyms: Mapping[str, str],
    ngrams: Mapping[str, tuple[int, int]],
    caps: Mapping[str, int],
    min_df: int = 2,
) -> tuple[list[str], npt.NDArray[np.float32]]:
    """The vocabulary (at most ``caps[block]`` features a block, in at least ``min_df``
    texts, most frequent first, ties by name) and its smoothed idf, in a fixed order."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(set(analyse(text, synonyms, ngrams)))
        n += 1
    vocabulary: list[str] = []
    for block in sorted(caps):
        mine = [(f, c) for f, c in df.items() if f[0] == block and c >= min_df]
        mine.sort(key=lambda fc: (-fc[1], fc[0]))
        vocabulary += sorted(f for f, _ in mine[: caps[block]])
    idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocabulary], np.float32)
    return vocabulary, idf
