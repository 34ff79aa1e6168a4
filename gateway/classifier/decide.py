"""A tenant's topic for a free text: its own keyword rules first, then the learned model.

1. The tenant's keyword rules (``classifier.rules`` in its mapping) are explicit
   overrides: when one reaches ``min_score`` it decides (``keywords``).
2. Otherwise the model decides (``model``): its likeliest topic, with its probability.
   Below the tenant's ``classifier.threshold`` (default: the model's, chosen on the dev
   split) the complaint still goes to that topic, but is not ``confident``: its
   ``reason`` names the likely topics and their probabilities for the person who looks,
   and a chat offers the ``candidates`` as buttons.
3. A text with nothing the model knows (empty, digits only) gets the tenant's default
   topic, flagged (``default``).
"""

from __future__ import annotations

from gateway.classifier.model import TopicModel
from gateway.domain.complaint import TopicSource
from gateway.mappings.classify import Classification, KeywordClassifier

#: how many likely topics a classification offers
CANDIDATES = 3


class TopicClassifier:
    def __init__(
        self,
        rules: KeywordClassifier,
        model: TopicModel,
        *,
        default_topic: int,
        threshold: float | None = None,
    ) -> None:
        self.rules = rules
        self.model = model
        self.default_topic = default_topic
        self.threshold = model.threshold if threshold is None else threshold

    def classify(self, text: str) -> Classification:
        by_rule = self.rules.classify(text)
        if by_rule.confident:
            return by_rule
        ranked = self.model.probabilities(text)
        if not ranked:
            return Classification(
                self.default_topic,
                0.0,
                False,
                (),
                source=TopicSource.DEFAULT,
                reason="the text has nothing the topic model knows; default topic",
            )
        candidates = tuple((topic, round(p, 4)) for topic, p in ranked[:CANDIDATES])
        topic, probability = ranked[0]
        confident = probability >= self.threshold
        reason = None
        if not confident:
            likely = ", ".join(f"{t} {self.model.names.get(t, '?')} {p:.2f}" for t, p in candidates)
            reason = f"unsure topic (model {probability:.2f} < {self.threshold:g}): {likely}"
        return Classification(
            topic,
            probability,
            confident,
            (),
            candidates=candidates,
            source=TopicSource.MODEL,
            reason=reason,
        )
