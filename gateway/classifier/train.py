"""Training the topic model (``gateway classifier train``): scikit-learn, deterministic.

1. Read the pool (``pool-*.jsonl``, ``legacy.jsonl``) and the test split's texts, split
   the pool into train and dev by hash (:mod:`gateway.classifier.data`).
2. Fit the vocabulary on train: the most frequent character n-grams and words (in at
   least two texts), capped per block so the model file stays small.
3. Fit a multinomial logistic regression (scikit-learn, L2, lbfgs) for each C of a
   small grid and keep the one with the best dev accuracy (ties: the smaller C).
4. Calibrate: the temperature that minimises the dev log-loss (a grid, no randomness).
5. Choose the default review threshold on dev: the lowest probability above which the
   dev complaints are right at least ``TARGET_PRECISION`` of the time.
6. Write the model with the sha256 of its data, so the same data gives the same bytes.

The test split is never read here except to keep its texts out of train and dev.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gateway.classifier.data import (
    Example,
    Splits,
    data_files,
    data_hash,
    make_splits,
    pool_files,
    read_examples,
)
from gateway.classifier.evaluate import Report, evaluate
from gateway.classifier.features import DEFAULT_NGRAMS, Featuriser, fit_vocabulary
from gateway.classifier.model import TopicModel, write_model

#: a complaint at or above the default threshold is right this often on dev
TARGET_PRECISION = 0.95
TEMPERATURES = tuple(round(0.01 * 1.1**k, 5) for k in range(80))  # 0.01 .. ~19
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(2, 19))  # 0.10 .. 0.90


@dataclass(frozen=True)
class TrainConfig:
    ngrams: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_NGRAMS))
    caps: Mapping[str, int] = field(default_factory=lambda: {"c": 20_000, "w": 6_000})
    block_weights: Mapping[str, float] = field(default_factory=lambda: {"c": 1.0, "w": 0.7})
    c_grid: Sequence[float] = (10.0, 30.0, 100.0)
    class_weight: str | None = "balanced"


@dataclass(frozen=True)
class TrainResult:
    model: TopicModel
    splits: Splits
    c: float
    train: Report
    dev: Report


def train(
    folder: Path,
    out: Path,
    *,
    topics: Mapping[int, str],
    synonyms: Mapping[str, str],
    corrections: Iterable[Example] = (),
    config: TrainConfig | None = None,
) -> TrainResult:
    """Train on the labelled data in ``folder`` and write the model to ``out``."""
    config = config or TrainConfig()
    corrections = list(corrections)
    pool = [e for path in pool_files(folder) for e in read_examples(path, topics)]
    test_path = folder / "test.jsonl"
    test = read_examples(test_path, topics) if test_path.is_file() else []
    if not pool:
        raise ValueError(f"{folder}: no training data (pool-*.jsonl, legacy.jsonl)")
    splits = make_splits(pool, test, corrections)
    digest = data_hash(data_files(folder), corrections)
    model, c = fit(splits, topics=topics, synonyms=synonyms, config=config, digest=digest)
    write_model(
        out,
        meta=model.meta,
        weights=model.weights,
        bias=model.bias,
        idf=model.featuriser.idf,
    )
    top = _top(model)
    return TrainResult(model, splits, c, evaluate(splits.train, top), evaluate(splits.dev, top))


def fit(
    splits: Splits,
    *,
    topics: Mapping[int, str],
    synonyms: Mapping[str, str],
    config: TrainConfig,
    digest: str,
) -> tuple[TopicModel, float]:
    """The model for ``splits`` (in memory), and the C it was fitted with."""
    from threadpoolctl import threadpool_limits  # with scikit-learn: the same sums each run

    vocabulary, idf = fit_vocabulary(
        (e.text for e in splits.train), synonyms, config.ngrams, config.caps
    )
    featuriser = Featuriser(
        vocabulary,
        idf,
        synonyms=synonyms,
        ngrams=config.ngrams,
        block_weights=config.block_weights,
    )
    x_train = _matrix(featuriser, [e.text for e in splits.train])
    y_train = np.array([e.topic for e in splits.train])
    x_dev = _matrix(featuriser, [e.text for e in splits.dev])
    y_dev = np.array([e.topic for e in splits.dev])
    best: tuple[float, float, Any] | None = None
    with threadpool_limits(limits=1):
        for c in config.c_grid:
            classifier = _logistic(c, config.class_weight).fit(x_train, y_train)
            score = float((classifier.predict(x_dev) == y_dev).mean()) if len(y_dev) else 0.0
            if best is None or score > best[0]:
                best = (score, c, classifier)
    assert best is not None
    _, c, classifier = best
    classes = [int(t) for t in classifier.classes_]
    weights = classifier.coef_.T.astype(np.float16).astype(np.float32)  # as it will be read
    bias = classifier.intercept_.astype(np.float32)
    temperature = _temperature(x_dev, y_dev, weights, bias, classes)
    probs = _probs(x_dev, weights, bias, temperature)
    threshold = _threshold(probs, y_dev, classes)
    meta = {
        "data_sha256": digest,
        "topics": classes,
        "names": {str(t): topics[t] for t in classes},
        "temperature": temperature,
        "threshold": threshold,
        "vocabulary": vocabulary,
        "synonyms": dict(sorted(synonyms.items())),
        "ngrams": {k: list(v) for k, v in sorted(config.ngrams.items())},
        "block_weights": dict(sorted(config.block_weights.items())),
        "trainer": {
            "library": "scikit-learn LogisticRegression (multinomial, L2, lbfgs)",
            "c": c,
            "class_weight": config.class_weight,
            "train": len(splits.train),
            "dev": len(splits.dev),
        },
    }
    model = TopicModel(
        featuriser=featuriser,
        topics=tuple(classes),
        names={t: topics[t] for t in classes},
        weights=weights,
        bias=bias,
        temperature=temperature,
        threshold=threshold,
        meta=meta,
    )
    return model, c


def _logistic(c: float, class_weight: str | None) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=1000, tol=1e-4, class_weight=class_weight)


def _matrix(featuriser: Featuriser, texts: Sequence[str]) -> Any:
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for text in texts:
        vector = featuriser.vector(text)
        indices.append(vector.indices)
        values.append(vector.values)
        indptr.append(indptr[-1] + len(vector.indices))
    shape = (len(texts), len(featuriser.vocabulary))
    if not texts:
        return csr_matrix(shape, dtype=np.float32)
    return csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)), shape=shape
    )


def _probs(
    x: Any, weights: npt.NDArray[np.float32], bias: npt.NDArray[np.float32], temperature: float
) -> npt.NDArray[np.float64]:
    logits = np.asarray(x @ weights, dtype=np.float64) + bias
    logits = (logits - logits.max(axis=1, keepdims=True)) / temperature
    exp = np.exp(logits)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _temperature(
    x: Any,
    y: npt.NDArray[Any],
    weights: npt.NDArray[np.float32],
    bias: npt.NDArray[np.float32],
    classes: list[int],
) -> float:
    """The temperature with the lowest dev log-loss (1.0 without dev data)."""
    if not len(y):
        return 1.0
    column = {t: j for j, t in enumerate(classes)}
    known = np.array([t in column for t in y])
    if not known.any():
        return 1.0
    rows = np.flatnonzero(known)
    cols = np.array([column[t] for t in y[known]])
    best = (math.inf, 1.0)
    for temperature in TEMPERATURES:
        p = _probs(x[rows], weights, bias, temperature)[np.arange(len(rows)), cols]
        loss = float(-np.log(np.maximum(p, 1e-12)).mean())
        if loss < best[0] - 1e-12:
            best = (loss, temperature)
    return best[1]


def _threshold(probs: npt.NDArray[np.float64], y: npt.NDArray[Any], classes: list[int]) -> float:
    """The lowest threshold at which dev complaints at or above it are right often enough."""
    if not len(y):
        return 0.5
    top = probs.max(axis=1)
    right = np.array(classes)[probs.argmax(axis=1)] == y
    for threshold in THRESHOLDS:
        sure = top >= threshold
        if sure.any() and right[sure].mean() >= TARGET_PRECISION:
            return threshold
    return THRESHOLDS[-1]


def _top(model: TopicModel) -> Any:
    def classify(text: str) -> int:
        found = model.probabilities(text)
        return found[0][0] if found else -1

    return classify
