"""The learned intent signal: how likely a text is a new complaint, thanks, a status
question or chatter, from a small linear model over :func:`intent_features.features`.

The model is ``gateway/classifier/model/intent.npz``, written by
``python -m gateway.classifier.intent_train`` (scikit-learn is needed only there): a JSON
header with the classes and the feature names, the weights (features x classes) and the
biases. Reading a text sums a few rows of weights; numpy is not even needed for that.
:mod:`gateway.understanding.intent` uses the probabilities to overrule its rules in two
narrow cases, never on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from gateway.classifier.npz import ArrayFileError, read_arrays

INTENT_MODEL = Path(__file__).resolve().parent.parent / "classifier" / "model" / "intent.npz"
FORMAT = 1


class IntentModelError(RuntimeError):
    """The intent model file is missing or not one this gateway reads."""


@dataclass(frozen=True)
class IntentModel:
    classes: tuple[str, ...]
    rows: dict[str, tuple[float, ...]]  # feature -> weight per class
    bias: tuple[float, ...]

    def probabilities(self, features: set[str]) -> dict[str, float]:
        """Each class with its probability."""
        logits = list(self.bias)
        for feature in features:
            row = self.rows.get(feature)
            if row is not None:
                logits = [a + b for a, b in zip(logits, row, strict=True)]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}


def load_intent_model(path: Path) -> IntentModel:
    """The model in ``path``; :class:`IntentModelError` when missing or unreadable."""
    try:
        meta, arrays = read_arrays(path, ("weights", "bias"))
    except ArrayFileError as exc:
        raise IntentModelError(f"{path}: cannot read the intent model: {exc}") from None
    weights, bias = (arrays[n].astype(np.float64) for n in ("weights", "bias"))
    if meta.get("format") != FORMAT:
        raise IntentModelError(f"{path}: format {meta.get('format')!r}, expected {FORMAT}")
    names: list[str] = meta["features"]
    rows = {name: tuple(float(x) for x in weights[i]) for i, name in enumerate(names)}
    return IntentModel(
        classes=tuple(meta["classes"]), rows=rows, bias=tuple(float(x) for x in bias)
    )


@cache
def bundled_intent_model() -> IntentModel:
    """The intent model shipped with the gateway, read once per process."""
    return load_intent_model(INTENT_MODEL)
