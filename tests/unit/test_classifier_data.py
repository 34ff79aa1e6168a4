"""Labelled data for the topic model: reading JSON Lines, topic names, the splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.classifier.data import (
    DataError,
    Example,
    Split,
    make_splits,
    read_examples,
    split_of,
    text_key,
)
from gateway.classifier.features import Featuriser, analyse, fit_vocabulary
from gateway.mappings.catalog import Catalogue
from gateway.mappings.classify import SHARED_SYNONYMS

TOPICS = Catalogue.bundled().topics


def test_a_topic_is_an_id_or_a_name_in_any_case_and_spacing(tmp_path: Path) -> None:
    rows = [
        {"text": "listrik padam", "topic": 27, "hard": True, "channel": "sms", "lang": "id"},
        {"text": "listrik padam lagi", "topic": "pemadaman  LISTRIK"},
        {"text": "lampu jalan mati", "topic": "4"},
    ]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    examples = read_examples(path, TOPICS)
    assert [e.topic for e in examples] == [27, 27, 4]
    assert examples[0] == Example("listrik padam", 27, hard=True, channel="sms", lang="id")


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("[1, 2]", "not a JSON object"),
        ('{"text": "", "topic": 2}', '"text" is missing or empty'),
        ('{"text": "jalan", "topic": true}', '"topic" must be a national topic id'),
        ('{"text": "jalan", "topic": 53}', "unknown national topic 53"),
    ],
)
def test_a_bad_line_is_named_by_file_and_line(tmp_path: Path, line: str, says: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "jalan rusak", "topic": 2}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"^{path}:2: ") as raised:
        read_examples(path, TOPICS)
    assert says in str(raised.value)


def test_the_same_normalised_text_always_lands_in_the_same_split() -> None:
    assert text_key("Jln RUSAAAK!!") == text_key("jalan rusak")
    assert split_of("Jln RUSAAAK!!") is split_of("jalan rusak")
    texts = [f"keluhan nomor {i} tentang jalan" for i in range(2000)]
    dev = sum(split_of(t) is Split.DEV for t in texts) / len(texts)
    assert 0.12 < dev < 0.18  # 15% by hash


def test_a_text_also_in_test_or_dev_is_dropped_from_train() -> None:
    texts = [f"keluhan nomor {i} tentang jalan" for i in range(200)]
    in_dev = next(t for t in texts if split_of(t) is Split.DEV)
    in_train = [t for t in texts if split_of(t) is Split.TRAIN][:3]
    pool = [Example(t, 2) for t in texts]
    test = [Example(in_train[0].upper() + "!", 2), Example(in_dev, 2)]
    corrections = [Example(in_dev, 3), Example("koreksi operator: lampu jalan", 4)]
    splits = make_splits(reversed(pool), test, corrections)
    train_keys = {text_key(e.text) for e in splits.train}
    assert text_key(in_train[0]) not in train_keys and text_key(in_dev) not in train_keys
    assert {text_key(e.text) for e in splits.dev}.isdisjoint({text_key(e.text) for e in test})
    assert in_train[1] in {e.text for e in splits.train}
    assert "koreksi operator: lampu jalan" in {e.text for e in splits.train}  # train only
    assert splits == make_splits(pool, test, corrections)  # whatever the order of the files


def test_the_featuriser_reads_what_analyse_lists() -> None:
    texts = ["Jln rusaaak parah, lubang2 di mana2", "lampu jalan mati", "jalan berlubang"]
    ngrams = {"c": (2, 5), "w": (1, 2)}
    vocabulary, idf = fit_vocabulary(texts, SHARED_SYNONYMS, ngrams, {"c": 500, "w": 50}, 1)
    featuriser = Featuriser(
        vocabulary, idf, synonyms=SHARED_SYNONYMS, ngrams=ngrams, block_weights={"c": 1, "w": 0.5}
    )
    vector = featuriser.vector(texts[0])
    features = [vocabulary[i] for i in vector.indices]
    assert sorted(set(analyse(texts[0], SHARED_SYNONYMS, ngrams))) == sorted(features)
    assert {"c| jal", "c|usak ", "w|jalan rusak", "w|lubang lubang"} <= set(features)
    blocks = [f[0] for f in features]
    for block, weight in (("c", 1.0), ("w", 0.5)):
        values = vector.values[[b == block for b in blocks]]
        assert float((values**2).sum()) ** 0.5 == pytest.approx(weight, rel=1e-5)
    assert len(featuriser.vector("!!! ???").indices) == 0
