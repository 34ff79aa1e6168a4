"""How well the gateway reads what a text is, where and when (gateway.understanding).

    .venv/bin/python bench/understanding_accuracy.py [--split dev|test] [--pool]

Reads ``data/labelled/intent-<split>.jsonl`` and ``extraction-<split>.jsonl`` (labels as
in their conventions) and prints:

* intent: the confusion matrix (rows: label, columns: read), recall of new, how many
  thanks and chatter became new (each a ticket nobody asked for), per-class precision
  and recall;
* place: precision (of the places found, how many overlap the label with token F1 >= 0.5
  after lower-casing and removing punctuation) and recall (of the labelled places, how
  many were found so);
* date: precision and recall of the date (a date inferred from a bare clock time is not
  a date read, see ``When.date_stated``), and time accuracy over texts whose label has a
  time (right "HH:MM");
* p95 microseconds per call of each reader (each text read once with the word cache
  emptied first, then 20 times more).

``--pool`` prints instead how often a complaint is read as new: the chat texts (sms,
telegram, whatsapp) of ``topics/pool-*.jsonl`` and ``topics/legacy.jsonl``, all complaints,
read with no complaint open; over all of them and over the pool's dev split (which neither
the topic model nor the intent model learnt from); and, over the held-out fifth of
``intent-train.jsonl`` (:func:`gateway.classifier.intent_train.held_out`), how many thanks
and chatter became new, with or without a complaint open.

The test split is run once, at the end; nothing is tuned on it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import common  # noqa: F401  (the repository on sys.path)

from gateway.classifier.data import Split, pool_files, split_of
from gateway.classifier.intent_train import CHAT_CHANNELS, held_out
from gateway.understanding.intent import IntentKind, normalised_token, read_intent
from gateway.understanding.place import find_place
from gateway.understanding.when import find_when

DATA = Path(__file__).resolve().parent.parent / "data" / "labelled"
KINDS = [k.value for k in IntentKind]
REPEATS = 20
PLACE_F1 = 0.5
_WORD = re.compile(r"[0-9a-z]+")


def _load(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _p95_us(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1e6 if len(samples) > 1 else 0.0


def _timed(call: Any, rows: list[Any]) -> list[float]:
    """Seconds per call for each row: the first call (the word cache holds only what earlier
    texts put there, as in a running gateway) and then the mean of ``REPEATS`` more."""
    normalised_token.cache_clear()
    samples = []
    for row in rows:
        started = time.perf_counter()
        call(row)
        samples.append(time.perf_counter() - started)
    for row in rows:
        started = time.perf_counter()
        for _ in range(REPEATS):
            call(row)
        samples.append((time.perf_counter() - started) / REPEATS)
    return samples


def intent(split: str, show: bool) -> None:
    rows = _load(f"intent-{split}.jsonl")
    confusion: Counter[tuple[str, str]] = Counter()
    wrong: list[str] = []
    for r in rows:
        got = read_intent(
            r["text"], open_complaint=r["open_complaint"], after_status=r["after_status"]
        ).kind.value
        confusion[(r["intent"], got)] += 1
        if got != r["intent"]:
            wrong.append(f"  {r['intent']:>7} read {got:<7} {r['text'][:90]!r}")
    print(f"intent: {len(rows)} texts (intent-{split}.jsonl)")
    print("  label \\ read " + "".join(f"{k:>8}" for k in KINDS))
    for label in KINDS:
        print(f"  {label:<13}" + "".join(f"{confusion[(label, k)]:>8}" for k in KINDS))
    new_total = sum(confusion[("new", k)] for k in KINDS)
    print(f"  recall of new: {confusion[('new', 'new')]}/{new_total}", end="")
    print(f" = {confusion[('new', 'new')] / max(new_total, 1):.3f}")
    print(
        f"  thanks -> new: {confusion[('thanks', 'new')]}, chatter -> new: "
        f"{confusion[('chatter', 'new')]}"
    )
    for k in KINDS:
        tp = confusion[(k, k)]
        read = sum(confusion[(label, k)] for label in KINDS)
        labelled = sum(confusion[(k, got)] for got in KINDS)
        print(
            f"  {k:<8} precision {tp / max(read, 1):.3f}  recall {tp / max(labelled, 1):.3f}"
            f"  ({labelled} labelled)"
        )
    accuracy = sum(confusion[(k, k)] for k in KINDS) / max(len(rows), 1)
    print(f"  accuracy {accuracy:.3f}")
    samples = _timed(
        lambda r: read_intent(
            r["text"], open_complaint=r["open_complaint"], after_status=r["after_status"]
        ),
        rows,
    )
    print(f"  p95 {_p95_us(samples):.0f} us per call")
    if wrong and show:
        print("  misread:")
        print("\n".join(wrong))


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def token_f1(found: str, label: str) -> float:
    a, b = Counter(_tokens(found)), Counter(_tokens(label))
    common_words = sum((a & b).values())
    if not common_words:
        return 0.0
    precision, recall = common_words / sum(a.values()), common_words / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def extraction(split: str, show: bool) -> None:
    rows = _load(f"extraction-{split}.jsonl")
    place = Counter[str]()
    day = Counter[str]()
    clock = Counter[str]()
    notes: list[str] = []
    for r in rows:
        now = datetime.fromisoformat(r["sent_at"])
        found = find_place(r["text"])
        label = r.get("place")
        if found is not None:
            place["found"] += 1
        if label:
            place["labelled"] += 1
        if found is not None and label and token_f1(found.text, label) >= PLACE_F1:
            place["right"] += 1
        elif found is not None or label:
            got = found.text if found else None
            notes.append(f"  place {label!r} read {got!r}: {r['text'][:80]!r}")
        when = find_when(r["text"], now=now)
        got_date = when.date.isoformat() if when is not None and when.date_stated else None
        if got_date:
            day["found"] += 1
        if r.get("date"):
            day["labelled"] += 1
        if got_date and got_date == r.get("date"):
            day["right"] += 1
        elif got_date or r.get("date"):
            notes.append(f"  date {r.get('date')} read {got_date}: {r['text'][:80]!r}")
        got_time = when.time.strftime("%H:%M") if when is not None and when.time else None
        if r.get("time"):
            clock["labelled"] += 1
            clock["right"] += got_time == r["time"]
        elif got_time:
            clock["extra"] += 1
        if got_time != r.get("time"):
            notes.append(f"  time {r.get('time')} read {got_time}: {r['text'][:80]!r}")
    print(f"extraction: {len(rows)} texts (extraction-{split}.jsonl)")
    for name, c in (("place", place), ("date", day)):
        right, found, labelled = c["right"], c["found"], c["labelled"]
        print(
            f"  {name}: precision {right}/{found} = {right / max(found, 1):.3f},"
            f" recall {right}/{labelled} = {right / max(labelled, 1):.3f}"
        )
    print(
        f"  time: {clock['right']}/{clock['labelled']} labelled times right"
        f" = {clock['right'] / max(clock['labelled'], 1):.3f}; {clock['extra']} times read"
        " where the label has none"
    )
    place_us = _p95_us(_timed(lambda r: find_place(r["text"], region_code="18"), rows))
    when_us = _p95_us(
        _timed(lambda r: find_when(r["text"], now=datetime.fromisoformat(r["sent_at"])), rows)
    )
    print(f"  p95 {place_us:.0f} us per find_place, {when_us:.0f} us per find_when")
    if notes and show:
        print("  misread:")
        print("\n".join(notes))


def pool(show: bool) -> None:
    rows = [
        r
        for path in pool_files(DATA / "topics")
        for r in _load(f"topics/{path.name}")
        if r.get("channel") in CHAT_CHANNELS
    ]
    read: Counter[tuple[bool, bool]] = Counter()  # (in the dev split, read as new)
    missed: Counter[str] = Counter()
    wrong: list[str] = []
    for r in rows:
        got = read_intent(r["text"])
        is_new = got.kind is IntentKind.NEW
        read[(split_of(r["text"]) is Split.DEV, is_new)] += 1
        if not is_new:
            missed[f"{got.kind.value}: {got.why}"] += 1
            wrong.append(f"  read {got.kind.value:<7} {r['text'][:90]!r}")
    new_all = read[(False, True)] + read[(True, True)]
    dev_all = read[(True, True)] + read[(True, False)]
    print(f"pool complaints read as new (no complaint open), {len(rows)} chat texts")
    print(f"  all: {new_all}/{len(rows)} = {new_all / max(len(rows), 1):.3f}")
    print(
        f"  dev split: {read[(True, True)]}/{dev_all} = {read[(True, True)] / max(dev_all, 1):.3f}"
    )
    for why, n in missed.most_common():
        print(f"  {n:>4} {why}")
    held = [r for r in _load("intent-train.jsonl") if held_out(r["text"])]
    made: Counter[str] = Counter()
    for r in held:
        flags = {(r["open_complaint"], r["after_status"]), (False, False), (True, True)}
        for open_complaint, after_status in sorted(flags):
            got = read_intent(r["text"], open_complaint=open_complaint, after_status=after_status)
            made[r["intent"]] += 1
            if got.kind is IntentKind.NEW:
                made[f"{r['intent']} -> new"] += 1
                wrong.append(f"  {r['intent']} read new {r['text'][:90]!r}")
    print(f"intent-train.jsonl, held-out fifth: {len(held)} texts, each read as labelled and")
    print("  with no complaint open and with one open after a status message")
    for kind in ("thanks", "chatter", "status", "more"):
        print(f"  {kind:<8} -> new: {made[f'{kind} -> new']}/{made[kind]} readings")
    if wrong and show:
        print("  misread:")
        print("\n".join(wrong))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--quiet", action="store_true", help="figures only, no misread texts")
    parser.add_argument("--pool", action="store_true", help="new-rate over pool complaints")
    args = parser.parse_args()
    if args.pool:
        pool(not args.quiet)
        return
    find_place("warm up di Jl. Hasanuddin")  # the gazetteer loads once per process
    intent(args.split, not args.quiet)
    print()
    extraction(args.split, not args.quiet)


if __name__ == "__main__":
    main()
