"""Labelled complaints (JSON Lines) and how they are split into train, dev and test.

One JSON object a line, UTF-8::

    {"text": "...", "topic": 27, "channel": "sms", "region": "18", "lang": "id", "hard": false}

``topic`` is a national topic id or a topic's name (any case); only ``text`` and
``topic`` are required. The training data is ``data/labelled/topics/``: the pool files
(``pool-*.jsonl``) and ``legacy.jsonl``, split by a stable hash of the normalised text
into train (85%) and dev (15%); ``test.jsonl`` is the held-out test split, never used
to choose anything. A text that is also in a later split (dev, test) is dropped from
train, so the model is never scored on what it learnt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from gateway.mappings.classify import normalise

#: the labelled data, from the repository's root
DATA_DIR = Path("data/labelled/topics")
TEST_FILE = "test.jsonl"
#: the share of the training pool that goes to the dev split (by hash)
DEV_PERCENT = 15


class Split(StrEnum):
    TRAIN = "train"
    DEV = "dev"
    TEST = "test"


class DataError(ValueError):
    """A labelled file is wrong; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    topic: int
    hard: bool = False
    channel: str | None = None
    lang: str | None = None


def read_examples(path: Path, topics: Mapping[int, str]) -> list[Example]:
    """Every labelled complaint in ``path``; :class:`DataError` names the file and line.

    ``topics`` (id -> name) resolves a topic given by name and refuses an unknown id.
    """
    by_name = {" ".join(name.split()).casefold(): topic for topic, name in topics.items()}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    examples = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            examples.append(_example(line, topics, by_name))
        except ValueError as exc:
            raise DataError(f"{path}:{number}: {exc}") from None
    return examples


def _example(line: str, topics: Mapping[int, str], by_name: Mapping[str, int]) -> Example:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a JSON object ({exc.msg}, column {exc.colno})") from None
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    text, topic = item.get("text"), item.get("topic")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" is missing or empty')
    if isinstance(topic, str) and topic.strip().isdigit():
        topic = int(topic)
    if isinstance(topic, bool) or not isinstance(topic, int | str):
        raise ValueError('"topic" must be a national topic id or a topic\'s name')
    if isinstance(topic, str):
        found = by_name.get(" ".join(topic.split()).casefold())
        if found is None:
            raise ValueError(f"unknown topic name {topic!r}")
        topic = found
    elif topic not in topics:
        raise ValueError(f"unknown national topic {topic}")
    hard = item.get("hard", False)
    channel, lang = item.get("channel"), item.get("lang")
    return Example(
        text,
        topic,
        hard=hard is True,
        channel=channel if isinstance(channel, str) else None,
        lang=lang if isinstance(lang, str) else None,
    )


def text_key(text: str) -> str:
    """What makes two texts the same: their normalised words."""
    return " ".join(normalise(text))


def split_of(text: str) -> Split:
    """Train or dev, by a stable hash of the normalised text (the same text, the same split)."""
    digest = hashlib.sha256(text_key(text).encode("utf-8")).digest()
    return Split.DEV if int.from_bytes(digest[:8], "big") % 100 < DEV_PERCENT else Split.TRAIN


def pool_files(folder: Path) -> list[Path]:
    """The training pool: ``pool-*.jsonl`` and ``legacy.jsonl``, by name."""
    files = sorted(folder.glob("pool-*.jsonl"))
    if (folder / "legacy.jsonl").is_file():
        files.append(folder / "legacy.jsonl")
    return sorted(files)


def data_files(folder: Path) -> list[Path]:
    """Every file a model depends on: the pool, and the test split (its texts leave train)."""
    files = pool_files(folder)
    if (folder / TEST_FILE).is_file():
        files.append(folder / TEST_FILE)
    return sorted(files)


def data_hash(files: Iterable[Path], extra: Iterable[Example] = ()) -> str:
    """sha256 of the files (name and bytes) and of any extra examples (corrections)."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        content = path.read_bytes()
        digest.update(f"{path.name}\0{len(content)}\0".encode())
        digest.update(content)
    rows = sorted(json.dumps([e.text, e.topic], ensure_ascii=False) for e in extra)
    if rows:
        digest.update(("corrections\0" + "\n".join(rows)).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Splits:
    train: list[Example]
    dev: list[Example]
    test: list[Example]


def make_splits(
    pool: Iterable[Example], test: Iterable[Example], extra_train: Iterable[Example] = ()
) -> Splits:
    """Train and dev from ``pool`` by hash, test as given; ``extra_train`` goes to train.

    A text in dev or test is dropped from train; each split is in a fixed order (by
    normalised text, then topic), whatever the order of the files.
    """
    test = list(test)
    train: list[Example] = []
    dev: list[Example] = []
    for example in pool:
        (dev if split_of(example.text) is Split.DEV else train).append(example)
    train += extra_train  # corrections teach; they are not the measure
    later = {text_key(e.text) for e in [*dev, *test]}
    train = [e for e in train if text_key(e.text) not in later]
    test_keys = {text_key(e.text) for e in test}
    dev = [e for e in dev if text_key(e.text) not in test_keys]

    def order(examples: list[Example]) -> list[Example]:
        return sorted(examples, key=lambda e: (text_key(e.text), e.topic, e.text))

    return Splits(order(train), order(dev), test)
