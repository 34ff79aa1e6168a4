"""How well a classifier does on labelled complaints: accuracy, per-topic precision and
recall, and the confusions it makes most often."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from gateway.classifier.data import Example


@dataclass(frozen=True)
class TopicScore:
    topic: int
    support: int  # labelled with this topic
    predicted: int  # classified as this topic
    right: int

    @property
    def precision(self) -> float | None:
        return self.right / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.right / self.support if self.support else None


@dataclass(frozen=True)
class Report:
    total: int
    right: int
    hard_total: int
    hard_right: int
    topics: list[TopicScore]  # by topic id
    confusions: list[tuple[int, int, int]]  # (labelled, classified, count), most first

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def hard_accuracy(self) -> float | None:
        return self.hard_right / self.hard_total if self.hard_total else None

    def min_recall(self) -> tuple[int, float] | None:
        scored = [(t.topic, t.recall) for t in self.topics if t.recall is not None]
        return min(scored, key=lambda tr: (tr[1], tr[0])) if scored else None

    def below(self, recall: float) -> list[TopicScore]:
        return [t for t in self.topics if t.recall is not None and t.recall < recall]


def evaluate(examples: Iterable[Example], classify: Callable[[str], int]) -> Report:
    """``classify`` (text -> topic id) scored on ``examples``."""
    total = right = hard_total = hard_right = 0
    support: Counter[int] = Counter()
    predicted: Counter[int] = Counter()
    correct: Counter[int] = Counter()
    confused: Counter[tuple[int, int]] = Counter()
    for example in examples:
        got = classify(example.text)
        ok = got == example.topic
        total += 1
        right += ok
        hard_total += example.hard
        hard_right += example.hard and ok
        support[example.topic] += 1
        predicted[got] += 1
        if ok:
            correct[got] += 1
        else:
            confused[(example.topic, got)] += 1
    topics = [
        TopicScore(t, support[t], predicted[t], correct[t]) for t in sorted({*support, *predicted})
    ]
    pairs = sorted(confused.items(), key=lambda kv: (-kv[1], kv[0]))
    return Report(total, right, hard_total, hard_right, topics, [(a, b, n) for (a, b), n in pairs])


#: the labels of :func:`render`, by language
LABELS: dict[str, dict[str, str]] = {
    "id": {
        "accuracy": "akurasi",
        "hard": "kasus sulit",
        "no_hard": "tidak ada butir bertanda hard",
        "lowest": "recall terendah",
        "topic": "topik",
        "precision": "presisi",
        "recall": "recall",
        "confusions": "kekeliruan tersering (label -> hasil klasifikasi):",
    },
    "en": {
        "accuracy": "accuracy",
        "hard": "hard",
        "no_hard": "no item marked hard",
        "lowest": "lowest recall",
        "topic": "topic",
        "precision": "precision",
        "recall": "recall",
        "confusions": "most frequent confusions (labelled -> classified):",
    },
}


def render(
    report: Report, names: Mapping[int, str], *, language: str = "id", confusions: int = 15
) -> list[str]:
    """The report as lines of text, for the terminal, in ``language`` (id or en)."""
    label = LABELS[language]

    def name(topic: int) -> str:
        return f"{topic} {names.get(topic, '?')}"

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [f"{label['accuracy']}: {share(report.accuracy)} ({report.right}/{report.total})"]
    if report.hard_total:
        lines.append(
            f"{label['hard']}: {share(report.hard_accuracy)} "
            f"({report.hard_right}/{report.hard_total})"
        )
    else:
        lines.append(f"{label['hard']}: - ({label['no_hard']})")
    lowest = report.min_recall()
    if lowest is not None:
        lines.append(f"{label['lowest']}: {share(lowest[1])} ({name(lowest[0])})")
    lines.append("")
    lines.append(f"{label['topic']:<52} {'n':>4} {label['precision']:>9} {label['recall']:>7}")
    for t in report.topics:
        lines.append(
            f"{name(t.topic)[:52]:<52} {t.support:>4} {share(t.precision):>9} {share(t.recall):>7}"
        )
    if report.confusions:
        lines.append("")
        lines.append(label["confusions"])
        for labelled, got, count in report.confusions[:confusions]:
            lines.append(f"  {count:>3}  {name(labelled)} -> {name(got)}")
    return lines
