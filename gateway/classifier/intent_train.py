"""Train the intent model (:mod:`gateway.understanding.intent_model`)::

    python -m gateway.classifier.intent_train [--data data/labelled] [--out PATH]

New complaints are the chat texts (sms, telegram, whatsapp) of the topic pool
(``topics/pool-*.jsonl``, ``topics/legacy.jsonl``) in its train split
(:func:`gateway.classifier.data.split_of`); thanks, status questions and chatter are
``intent-train.jsonl`` less its held-out fifth (:func:`held_out`, by a hash of the text), so
that fifth and the pool's dev split can measure the model. ``intent-dev.jsonl`` and the
test files are never read. The same data gives the same bytes (a fixed solver, sorted
features, fixed zip dates). scikit-learn is needed here only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gateway.classifier.data import Split, pool_files, split_of
from gateway.classifier.npz import write_arrays
from gateway.understanding.intent_features import features, words_of
from gateway.understanding.intent_model import FORMAT, INTENT_MODEL

CLASSES = ("new", "thanks", "status", "chatter")
CHAT_CHANNELS = frozenset({"sms", "telegram", "whatsapp"})
#: a feature seen in fewer training texts is left out
MIN_COUNT = 2
#: inverse regularisation strength of the logistic regression
C = 2.0
HELD_OUT_PERCENT = 20


def held_out(text: str) -> bool:
    """Whether a text of ``intent-train.jsonl`` is kept out of training (a fifth, by hash)."""
    digest = hashlib.sha256(" ".join(words_of(text)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100 < HELD_OUT_PERCENT


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def training_texts(data: Path) -> list[tuple[str, str]]:
    """(text, class) pairs the model learns from, in a fixed order."""
    pairs = [
        (row["text"], "new")
        for path in pool_files(data / "topics")
        for row in _jsonl(path)
        if row.get("channel") in CHAT_CHANNELS and split_of(row["text"]) is Split.TRAIN
    ]
    pairs += [
        (row["text"], row["intent"])
        for row in _jsonl(data / "intent-train.jsonl")
        if row["intent"] in CLASSES and not held_out(row["text"])
    ]
    return sorted(set(pairs))


def train(pairs: list[tuple[str, str]]) -> tuple[list[str], npt.NDArray[Any], npt.NDArray[Any]]:
    """Feature names, weights (features x classes) and biases fitted to ``pairs``."""
    from scipy.sparse import csr_matrix  # training only
    from sklearn.linear_model import LogisticRegression

    rows = [features(text, words_of(text)) for text, _ in pairs]
    counts = Counter(f for row in rows for f in row)
    names = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {name: i for i, name in enumerate(names)}
    cols = [[index[f] for f in sorted(row) if f in index] for row in rows]
    indptr = np.cumsum([0] + [len(c) for c in cols])
    matrix = csr_matrix(
        (np.ones(int(indptr[-1])), np.array([i for c in cols for i in c], dtype=np.int64), indptr),
        shape=(len(rows), len(names)),
    )
    labels = np.array([CLASSES.index(label) for _, label in pairs])
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, solver="lbfgs")
    model.fit(matrix, labels)
    return names, model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32)


def write(path: Path, names: list[str], weights: npt.NDArray[Any], bias: npt.NDArray[Any]) -> None:
    """Save the model so that the same inputs give the same bytes."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "weights": np.ascontiguousarray(weights, dtype=np.float16),
        "bias": np.ascontiguousarray(bias, dtype=np.float32),
    }
    header = {"format": FORMAT, "classes": list(CLASSES), "features": names}
    write_arrays(path, header, arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/labelled"))
    parser.add_argument("--out", type=Path, default=INTENT_MODEL)
    args = parser.parse_args()
    pairs = training_texts(args.data)
    names, weights, bias = train(pairs)
    write(args.out, names, weights, bias)
    by_class = Counter(label for _, label in pairs)
    counts = dict(sorted(by_class.items()))
    print(f"intent model: {len(pairs)} texts {counts}, {len(names)} features")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
