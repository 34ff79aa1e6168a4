"""Every word the console shows has its English, and every stored value its words.

The templates are written in Indonesian through ``_("...")``; the pages' messages are
Indonesian sentences in ``gateway/ops/*.py``: each must be in
:data:`gateway.ops.labels.ENGLISH`, or an English page would show it in Indonesian. Each
status, job state, circuit state and error kind the gateway stores has its words.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.domain.errors import ErrorKind
from gateway.domain.status import NATIONAL_TO_CANONICAL, Status
from gateway.metrics import CIRCUIT_STATES
from gateway.ops import jobs, labels
from gateway.ops.labels import ENGLISH, Labels

OPS = Path(labels.__file__).parent
#: the pages whose messages go through message.html's ``_()`` (the oversight pages
#: write both languages themselves)
PAGES = ("rendering.py", "pages.py", "repair_pages.py")
#: ``_("...")`` in a template (Jinja string literals, either quote)
TEMPLATE_WORDS = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")
#: ``message(ctx, "title", "text", status)`` in the pages
MESSAGES = re.compile(r'message\(\s*ctx,\s*"([^"]+)",\s*(?:"([^"]+)")?')


def template_words() -> set[str]:
    found: set[str] = set()
    for template in (OPS / "templates").glob("*.html"):
        for double, single in TEMPLATE_WORDS.findall(template.read_text(encoding="utf-8")):
            found.add(double or single)
    return found


def page_messages() -> set[str]:
    found: set[str] = set()
    for module in (OPS / name for name in PAGES):
        for title, text in MESSAGES.findall(module.read_text(encoding="utf-8")):
            found.update(w for w in (title, text) if w)
    return found


def test_every_template_word_has_its_english() -> None:
    words = template_words()
    assert len(words) > 100  # the templates do go through _()
    assert sorted(words - ENGLISH.keys()) == []


def test_every_page_message_has_its_english() -> None:
    messages = page_messages()
    assert {"Tidak diulang", "Tidak ditemukan", "Tidak dapat diperbaiki"} <= messages
    assert sorted(messages - ENGLISH.keys()) == []


@pytest.mark.parametrize(
    ("table", "values"),
    [
        (labels.STATUS, [s.value for s in Status]),
        (labels.NATIONAL, list(NATIONAL_TO_CANONICAL)),
        (labels.JOB_STATE, list(jobs.STATES)),
        (labels.CIRCUIT, list(CIRCUIT_STATES)),
        (labels.ERROR_KIND, [k.value for k in ErrorKind]),
    ],
)
def test_every_stored_value_has_its_words(
    table: dict[str, tuple[str, str]], values: list[str]
) -> None:
    assert sorted(set(values) - table.keys()) == []


def test_statuses_are_the_national_words() -> None:
    words = Labels()
    assert [words.status(s) for s in ("received", "submitted", "verified", "failed")] == [
        "diterima",
        "belum terverifikasi",
        "terverifikasi",
        "gagal",
    ]
    assert words.national("belum_terverifikasi") == "belum terverifikasi"
    assert words.circuit("closed") == "normal" and words.circuit("open") == "terputus"
    assert Labels("en").circuit("half_open") == "trying again"


@pytest.mark.parametrize(
    ("note", "indonesian", "english"),
    [
        ("retried", "diulang oleh operator", "retried by an operator"),
        ("received on channel sms", "diterima lewat kanal sms", "received on channel sms"),
        ("national tracking ID LPR-1", "ID pelacakan nasional LPR-1", "national tracking ID LPR-1"),
        (
            "not applied: resolved cannot move to in_progress",
            "tidak diterapkan: status selesai tidak dapat berubah menjadi ditindaklanjuti",
            "not applied: finished cannot move to followed up",
        ),
        ("Ditolak: duplikat", "Ditolak: duplikat", "Ditolak: duplikat"),  # the registry's own
    ],
)
def test_history_notes(note: str, indonesian: str, english: str) -> None:
    assert Labels().note(note) == indonesian
    assert Labels("en").note(note) == english


def test_ages_in_the_pages_language() -> None:
    """The overview's oldest-unsent age: Indonesian units, English ones in English."""
    from gateway.ops.labels import Labels

    assert Labels().duration(95) == "1 mnt 35 dtk"
    assert Labels(language="en").duration(95) == "1 min 35 s"
    assert Labels(language="en").duration(7300) == "2 h 1 min"
    assert Labels(language="en").duration(None) == "-"
