"""The topic classifier's cost and accuracy (gateway.classifier).

    .venv/bin/python bench/classify.py [--tenant lampung] [--repeat 3] [--no-test]

Prints:

* model: file size, features, topics, and the time to load it (wall and CPU ms, the
  median of 5 loads, the file read and the vocabulary built each time);
* cost: milliseconds per classification over every pool text (p50, p95, p99, mean;
  wall and CPU), through the tenant's classifier as intake calls it (its keyword
  rules, then the model), each text classified ``--repeat`` times; and the same for
  the model alone;
* accuracy on train, dev and test (the held-out split, measured last and only
  reported: nothing is chosen on it): overall, on "hard" items, the lowest per-topic
  recall and the topics below 0.70 recall, for the model alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import common

from gateway.classifier.data import DATA_DIR, make_splits, pool_files, read_examples
from gateway.classifier.evaluate import Report, evaluate
from gateway.classifier.model import BUNDLED_MODEL, TopicModel, load_model
from gateway.mappings.catalog import Catalogue
from gateway.tenants import load_tenants

RECALL_FLOOR = 0.70


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(classify: Callable[[str], object], texts: list[str], repeat: int) -> str:
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        for text in texts:
            w0, c0 = time.perf_counter(), time.process_time()
            classify(text)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return (
        f"p50 {percentile(wall, 0.5):.3f} ms, p95 {percentile(wall, 0.95):.3f} ms, "
        f"p99 {percentile(wall, 0.99):.3f} ms, mean {statistics.mean(wall):.3f} ms "
        f"(CPU mean {statistics.mean(cpu):.3f} ms) over {len(wall)} classifications"
    )


def load_cost() -> tuple[TopicModel, str]:
    walls, cpus = [], []
    model = None
    for _ in range(5):
        w0, c0 = time.perf_counter(), time.process_time()
        model = load_model(BUNDLED_MODEL)
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    assert model is not None
    return model, f"load {statistics.median(walls):.1f} ms (CPU {statistics.median(cpus):.1f} ms)"


def summary(name: str, report: Report, names: dict[int, str]) -> str:
    hard = "-" if report.hard_accuracy is None else f"{report.hard_accuracy:.3f}"
    lowest = report.min_recall()
    low = "-" if lowest is None else f"{lowest[1]:.3f} ({lowest[0]} {names[lowest[0]]})"
    below = ", ".join(
        f"{t.topic} {names[t.topic]} {t.recall:.2f}" for t in report.below(RECALL_FLOOR)
    )
    return (
        f"{name:<5} n={report.total:<5} accuracy {report.accuracy:.3f}, hard {hard} "
        f"(n={report.hard_total}), lowest recall {low}; below {RECALL_FLOOR}: {below or 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", default="lampung")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-test", action="store_true", help="leave out the test split")
    args = parser.parse_args()

    model, load = load_cost()
    size = BUNDLED_MODEL.stat().st_size
    print(
        f"model: {BUNDLED_MODEL.relative_to(common.ROOT)} {size / 1e6:.2f} MB, "
        f"{len(model.featuriser.vocabulary)} features, {len(model.topics)} topics; {load}"
    )
    print(
        f"       data sha256 {model.data_sha256[:16]}..., temperature {model.temperature:g}, "
        f"threshold {model.threshold:g}, C {model.meta['trainer']['c']:g}"
    )

    catalogue = Catalogue.bundled()
    folder = common.ROOT / DATA_DIR
    pool = [e for path in pool_files(folder) for e in read_examples(path, catalogue.topics)]
    texts = [e.text for e in pool]
    tenant = load_tenants(common.MAPPINGS, common.TENANT_ENV)[args.tenant]
    for text in texts[:50]:  # warm: caches, first calls
        tenant.classify(text)
    print(f"tenant {args.tenant}: {timed(tenant.classify, texts, args.repeat)}")
    print(f"model alone: {timed(model.probabilities, texts, args.repeat)}")

    test = read_examples(folder / "test.jsonl", catalogue.topics)
    splits = make_splits(pool, test)

    def top(text: str) -> int:
        ranked = model.probabilities(text)
        return ranked[0][0] if ranked else 0

    for name, examples in (("train", splits.train), ("dev", splits.dev)):
        print(summary(name, evaluate(examples, top), catalogue.topics))
    if not args.no_test:
        print(summary("test", evaluate(splits.test, top), catalogue.topics))


if __name__ == "__main__":
    main()
