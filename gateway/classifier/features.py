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


def analyse(
    text: str, synonyms: Mapping[str, str], ngrams: Mapping[str, tuple[int, int]]
) -> list[str]:
    """The features of ``text``, each as ``block|feature``; repeated as often as they occur."""
    words = normalise(text, synonyms)
    found: list[str] = []
    if "c" in ngrams:
        low, high = ngrams["c"]
        for word in words:
            padded = f" {word} "
            for n in range(low, min(high, len(padded)) + 1):
                found += ["c|" + padded[i : i + n] for i in range(len(padded) - n + 1)]
    if "w" in ngrams:
        low, high = ngrams["w"]
        for n in range(low, high + 1):
            found += ["w|" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
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
        blocks = sorted(self.block_weights)
        position = {block: i for i, block in enumerate(blocks)}
        self._block_of = np.array([position[f[0]] for f in self.vocabulary], dtype=np.int64)
        self._weights = np.array([self.block_weights[b] for b in blocks], dtype=np.float64)

    def vector(self, text: str) -> Vector:
        index = self._index
        found = (index.get(f) for f in analyse(text, self.synonyms, self.ngrams))
        counts = Counter(i for i in found if i is not None)
        if not counts:
            return Vector(np.zeros(0, np.int32), np.zeros(0, np.float32))
        indices = np.array(sorted(counts), dtype=np.int32)
        tf = 1.0 + np.log(np.array([counts[i] for i in indices], dtype=np.float64))
        values = tf * self.idf[indices]
        blocks = self._block_of[indices]
        norms = np.sqrt(np.bincount(blocks, weights=values * values, minlength=len(self._weights)))
        scale = self._weights / np.maximum(norms, 1e-12)
        return Vector(indices, (values * scale[blocks]).astype(np.float32))


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
