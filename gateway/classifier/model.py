"""The learned topic model at run time: load the bundled file, read a text, give probabilities.

The model is one ``.npz`` file (``gateway/classifier/model/topics.npz``, written by
``gateway classifier train``): its weights as float16 (features x topics), the topics'
biases, the features' idf, and a JSON header (``meta``) with the vocabulary, the
synonyms the text was normalised with, the topic ids and names, the temperature that
calibrates its probabilities, the default review threshold, and the sha256 of the data
it was trained on. It is read once per process (:func:`bundled_model`); reading a text
takes numpy only: scikit-learn is needed to train, never to classify.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gateway.classifier.features import Featuriser
from gateway.classifier.npz import ArrayFileError, read_arrays, write_arrays

BUNDLED_MODEL = Path(__file__).resolve().parent / "model" / "topics.npz"
FORMAT = 1


class ModelError(RuntimeError):
    """The model file is missing or not one this gateway reads."""


@dataclass(frozen=True)
class TopicModel:
    featuriser: Featuriser
    topics: tuple[int, ...]  # column -> national topic id
    names: Mapping[int, str]
    weights: npt.NDArray[np.float32]  # features x topics
    bias: npt.NDArray[np.float32]
    temperature: float
    #: below this probability a complaint is flagged (a tenant may set its own)
    threshold: float
    meta: Mapping[str, Any]

    @property
    def data_sha256(self) -> str:
        return str(self.meta["data_sha256"])

    def probabilities(self, text: str) -> list[tuple[int, float]]:
        """Every topic with its calibrated probability, likeliest first (ties: lower id);
        empty when the text has no feature the model knows."""
        vector = self.featuriser.vector(text)
        if not len(vector.indices):
            return []
        # einsum, not ``@``: a product this small is cheaper in one thread than handed
        # to BLAS, whose threads would compete with the server's for the cores
        logits = self.bias + np.einsum("i,ij->j", vector.values, self.weights[vector.indices])
        scaled = (logits - logits.max()) / self.temperature
        exp = np.exp(scaled.astype(np.float64))
        probs = (exp / exp.sum()).tolist()
        topics = self.topics
        return sorted(zip(topics, probs, strict=True), key=lambda tp: (-tp[1], tp[0]))


def load_model(path: Path) -> TopicModel:
    """The model in ``path``; :class:`ModelError` when it is missing or unreadable."""
    try:
        meta, arrays = read_arrays(path, ("weights", "bias", "idf"))
    except ArrayFileError as exc:
        raise ModelError(f"{path}: cannot read the topic model: {exc}") from None
    weights, bias, idf = (arrays[n].astype(np.float32) for n in ("weights", "bias", "idf"))
    if meta.get("format") != FORMAT:
        raise ModelError(f"{path}: model format {meta.get('format')!r}, expected {FORMAT}")
    featuriser = Featuriser(
        meta["vocabulary"],
        idf,
        synonyms=meta["synonyms"],
        ngrams={k: (int(v[0]), int(v[1])) for k, v in meta["ngrams"].items()},
        block_weights=meta["block_weights"],
    )
    topics = tuple(int(t) for t in meta["topics"])
    return TopicModel(
        featuriser=featuriser,
        topics=topics,
        names={int(k): str(v) for k, v in meta["names"].items()},
        weights=weights,
        bias=bias,
        temperature=float(meta["temperature"]),
        threshold=float(meta["threshold"]),
        meta=meta,
    )


@cache
def bundled_model() -> TopicModel:
    """The model shipped with the gateway, read once per process."""
    return load_model(BUNDLED_MODEL)


def write_model(
    path: Path,
    *,
    meta: Mapping[str, Any],
    weights: npt.NDArray[np.floating[Any]],
    bias: npt.NDArray[np.floating[Any]],
    idf: npt.NDArray[np.floating[Any]],
) -> None:
    """Save a model so that the same inputs give the same bytes (fixed zip dates and order)."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "weights": np.ascontiguousarray(weights, dtype=np.float16),
        "bias": np.ascontiguousarray(bias, dtype=np.float32),
        "idf": np.ascontiguousarray(idf, dtype=np.float32),
    }
    write_arrays(path, {"format": FORMAT, **meta}, arrays)
