"""The learned intent model: trained deterministically, read without scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gateway.classifier.intent_train import train, training_texts, write
from gateway.understanding.intent_features import features, words_of
from gateway.understanding.intent_model import bundled_intent_model, load_intent_model

COMPLAINTS = [
    "jalan rusak parah depan pasar",
    "lampu jalan mati sudah seminggu",
    "sampah numpuk gak diangkut",
    "air pdam keruh dan bau",
    "listrik padam tiap malam",
    "jembatan desa retak",
]
OTHERS = [
    ("makasih pak", "thanks"),
    ("terima kasih, sudah beres", "thanks"),
    ("ok makasih min", "thanks"),
    ("halo min", "chatter"),
    ("tes", "chatter"),
    ("ini nomor apa", "chatter"),
    ("gimana laporan saya", "status"),
    ("status laporan saya", "status"),
]


def _data(folder: Path) -> Path:
    topics = folder / "topics"
    topics.mkdir(parents=True)
    with (topics / "pool-a.jsonl").open("w", encoding="utf-8") as f:
        for text in COMPLAINTS * 3:  # repeated texts count once
            f.write(json.dumps({"text": text, "topic": 1, "channel": "sms"}) + "\n")
        f.write(json.dumps({"text": "Pelapor menyampaikan", "topic": 1, "channel": "callcentre"}))
    with (folder / "intent-train.jsonl").open("w", encoding="utf-8") as f:
        for text, intent in OTHERS:
            f.write(json.dumps({"text": text, "intent": intent}) + "\n")
    return folder


def test_training_is_deterministic_and_the_model_reads_back(tmp_path: Path) -> None:
    pairs = training_texts(_data(tmp_path / "data"))
    assert all(text != "Pelapor menyampaikan" for text, _ in pairs)  # chat channels only
    assert {label for _, label in pairs} <= {"new", "thanks", "status", "chatter"}
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    write(first, *train(pairs))
    write(second, *train(pairs))
    assert first.read_bytes() == second.read_bytes()
    model = load_intent_model(first)
    text = "jalan rusak depan pasar"
    probs = model.probabilities(features(text, words_of(text)))
    assert abs(sum(probs.values()) - 1) < 1e-6
    assert max(probs, key=probs.__getitem__) == "new"


def test_the_bundled_model_tells_a_complaint_from_thanks() -> None:
    model = bundled_intent_model()
    complaint = "lampu jalan di gang kami mati sudah seminggu, gelap"
    thanks = "makasih pak, lampunya sudah nyala"
    assert model.probabilities(features(complaint, words_of(complaint)))["new"] > 0.9
    assert model.probabilities(features(thanks, words_of(thanks)))["new"] < 0.1


def test_reading_needs_no_scikit_learn() -> None:
    code = (
        "import sys; from gateway.understanding.intent import read_intent; "
        "read_intent('jalan rusak'); read_intent('halo'); "
        "assert 'sklearn' not in sys.modules, 'sklearn imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_the_bundled_model_is_what_the_repository_data_trains(tmp_path: Path) -> None:
    """Fails when data/labelled changed without `gateway classifier train` and a commit."""
    from gateway.understanding.intent_model import INTENT_MODEL

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "intent.npz"
    write(out, *train(training_texts(root / "data" / "labelled")))
    assert out.read_bytes() == INTENT_MODEL.read_bytes(), "retrain: gateway classifier train"
