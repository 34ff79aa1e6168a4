"""`gateway classifier train` and `gateway classifier eval` as an operator runs them, and
the run-time model without scikit-learn."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from gateway.classifier.data import DATA_DIR, data_files, data_hash
from gateway.classifier.model import bundled_model, load_model
from gateway.mappings.catalog import Catalogue
from gateway.migrations import upgrade
from gateway.storage.engine import make_engine
from gateway.tenants import load_tenants
from tests.support import ROOT, TENANT_ENV, python, scaled

LEGACY = ROOT / DATA_DIR / "legacy.jsonl"


def gateway(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python(), "-m", "gateway", *args],
        env={**os.environ, "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"), **(env or {})},
        capture_output=True,
        text=True,
        timeout=scaled(240),
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small labelled set (from legacy.jsonl; never the real test split)."""
    folder = tmp_path_factory.mktemp("topics")
    lines = LEGACY.read_text(encoding="utf-8").splitlines()
    (folder / "pool-a.jsonl").write_text("\n".join(lines[0:300:2]) + "\n", encoding="utf-8")
    (folder / "test.jsonl").write_text("\n".join(lines[1:40:4]) + "\n", encoding="utf-8")
    return folder


def test_training_twice_on_the_same_data_writes_the_same_bytes(
    small_data: Path, tmp_path: Path
) -> None:
    first = gateway(
        "classifier", "train", "--data", str(small_data), "--out", str(tmp_path / "a.npz")
    )
    assert first.returncode == 0, first.stderr
    assert "train " in first.stdout and "dev: accuracy" in first.stdout
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    engine = make_engine(url)
    upgrade(engine)  # an empty corrections table
    engine.dispose()
    env = {"GATEWAY_DATABASE_URL": url}
    again = gateway(
        "classifier", "train", "--with-corrections",
        "--data", str(small_data), "--out", str(tmp_path / "b.npz"), env=env,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "corrections: 0" in again.stdout
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    model = load_model(tmp_path / "a.npz")
    assert model.data_sha256 in first.stdout
    assert model.probabilities("jalan rusak berlubang parah")  # a working model


def test_corrections_from_a_database_without_the_schema_fail_clearly(
    small_data: Path, tmp_path: Path
) -> None:
    env = {"GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    out = ("--out", str(tmp_path / "m.npz"))
    result = gateway(
        "classifier", "train", "--with-corrections", "--data", str(small_data), *out, env=env
    )
    assert result.returncode == 1
    assert "cannot read the corrections from the database" in result.stderr
    assert not (tmp_path / "m.npz").exists()


def test_another_text_changes_the_data_hash(small_data: Path, tmp_path: Path) -> None:
    for path in small_data.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    same = data_hash(data_files(tmp_path))
    assert same == data_hash(data_files(small_data))
    with (tmp_path / "pool-b.jsonl").open("w", encoding="utf-8") as f:
        f.write(json.dumps({"text": "lampu jalan mati sebulan", "topic": 4}) + "\n")
    assert data_hash(data_files(tmp_path)) != same
    (tmp_path / "pool-b.jsonl").unlink()
    with (tmp_path / "test.jsonl").open("a", encoding="utf-8") as f:  # leaves train
        f.write(json.dumps({"text": "lampu jalan mati sebulan", "topic": 4}) + "\n")
    assert data_hash(data_files(tmp_path)) != same


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


ROWS: list[dict[str, object]] = [
    {"text": "listrik padam tiap malam di Kotabumi, sudah 3 hari", "topic": 27},
    {"text": "Frequent blackouts in Kotabumi, please fix", "topic": "pemadaman listrik"},
    {"text": "lampu jalan di jl. teuku umar mati sebulan", "topic": "Penerangan Jalan Umum"},
    {"text": "sungai meluap, rumah warga terendam sepinggang", "topic": "BANJIR DAN TANAH LONGSOR"},
    {"text": "kepala sekolah memotong uang PIP siswa 100rb", "topic": 47, "hard": True},
    {"text": "pegawai kecamatan kasar dan membentak warga", "topic": 45, "hard": True},
]


def test_eval_prints_accuracy_hard_per_topic_and_confusions(tmp_path: Path) -> None:
    file = write(tmp_path / "mine.jsonl", ROWS)
    result = gateway("classifier", "eval", str(file), "--lang", "en")
    assert result.returncode == 0, result.stderr
    model, names = bundled_model(), Catalogue.bundled().topics
    got = [model.probabilities(str(r["text"]))[0][0] for r in ROWS]
    want = [27, 27, 4, 50, 47, 45]
    right = sum(g == w for g, w in zip(got, want, strict=True))
    hard_right = sum(g == w for g, w in zip(got[4:], want[4:], strict=True))
    out = result.stdout
    assert f"{file}: 6 complaints, model alone" in out
    assert f"accuracy: {right / 6:.3f} ({right}/6)" in out
    assert f"hard: {hard_right / 2:.3f} ({hard_right}/2)" in out
    for topic in set(want):
        mine = [g for g, w in zip(got, want, strict=True) if w == topic]
        recall = sum(g == topic for g in mine) / len(mine)
        assert any(
            line.startswith(f"{topic} {names[topic]}") and line.split()[-1] == f"{recall:.3f}"
            for line in out.splitlines()
        ), (topic, out)
    wrong = [(w, g) for g, w in zip(got, want, strict=True) if g != w]
    if wrong:
        w, g = wrong[0]
        assert f"{w} {names[w]} -> {g} {names[g]}" in out
    else:
        assert "most frequent confusions" not in out


def test_eval_with_a_tenant_uses_its_keyword_rules(tmp_path: Path) -> None:
    rows = [{"text": "pelayanan di RSUDAM lama, antre dari subuh", "topic": 9}, *ROWS[:3]]
    file = write(tmp_path / "lampung.jsonl", rows)
    result = gateway("classifier", "eval", str(file), "--tenant", "lampung")
    assert result.returncode == 0, result.stderr
    lampung = load_tenants(ROOT / "mappings", TENANT_ENV)["lampung"]
    right = sum(lampung.classify(str(r["text"])).topic == 9 for r in rows[:1])
    right += sum(
        lampung.classify(str(r["text"])).topic == w
        for r, w in zip(rows[1:], [27, 27, 4], strict=True)
    )
    # in Bahasa Indonesia unless --lang en
    assert "4 pengaduan, tenant lampung (aturan kata kuncinya, lalu model)" in result.stdout
    assert f"akurasi: {right / 4:.3f} ({right}/4)" in result.stdout
    assert "kasus sulit: - (tidak ada butir bertanda hard)" in result.stdout


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"text": "jalan rusak", "topic": 999}', "unknown national topic 999"),
        (
            '{"text": "jalan rusak", "topic": "Jalan Berlubang"}',
            "unknown topic name 'Jalan Berlubang'",
        ),
        ('{"text": "jalan rusak", "topic": 2', "not a JSON object"),
        ('{"topic": 2}', '"text" is missing or empty'),
    ],
)
def test_eval_names_the_file_and_line_of_a_bad_line(tmp_path: Path, line: str, says: str) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text(json.dumps(ROWS[0]) + "\n\n" + line + "\n", encoding="utf-8")
    result = gateway("classifier", "eval", str(file))
    assert result.returncode == 1
    assert f"{file}:3: {says}" in result.stderr


def test_eval_of_an_unknown_tenant_or_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    file = write(tmp_path / "ok.jsonl", ROWS[:1])
    unknown = gateway("classifier", "eval", str(file), "--tenant", "atlantis")
    assert unknown.returncode == 1 and "no mapping file for tenant 'atlantis'" in unknown.stderr
    missing = gateway("classifier", "eval", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 1 and "nope.jsonl: cannot read" in missing.stderr


RUN_TIME = """
import sys
from gateway.domain.complaint import ComplaintDraft
from gateway.routing import route
from gateway.tenants import load_tenants
from tests.support import ROOT, TENANT_ENV

tenant = load_tenants(ROOT / "mappings", TENANT_ENV)["kalsel"]
draft = ComplaintDraft(tenant="kalsel", channel="sms", source_ref="1", title="banjir",
                       content="sungai martapura meluap, rumah warga terendam", region_code="63")
routed = route(tenant, draft)
found = tenant.classify("listrik padam terus")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"sklearn", "scipy", "threadpoolctl"})
print(routed.topic_id, routed.agency_code, found.topic, len(found.candidates), loaded)
"""


def test_classifying_at_run_time_imports_no_scikit_learn() -> None:
    result = subprocess.run(
        [python(), "-c", RUN_TIME], capture_output=True, text=True, timeout=scaled(120), cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["50", "63-BPBD", "27", "3", "[]"]
