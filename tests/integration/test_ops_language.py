"""The console speaks Indonesian, English when asked, and names tenants and agencies.

Over a real loopback server: the stored values (``verified``, ``failed``, ``closed``,
``submit``) never show as they are stored; statuses read as SP4N-LAPOR! says them
(``terverifikasi``, ``ditindaklanjuti``), tenants by their mapping's name, agencies by
the catalogue's name with the code beside it. ``?lang=en`` switches to English and is
remembered; ``?lang=id`` switches back.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.models import StatusEvent
from tests.integration.test_ops_pages import change, fail_job, file_complaint
from tests.ops_support import serve_console, signed_in

#: the values the gateway stores, which must not reach an operator's eyes as they are
STORED_WORDS = re.compile(
    r"\b(received|submitted|verified|dispatched|in_progress|resolved|rejected|failed|"
    r"closed|half_open|pending|running|done|dismissed|submit|notify|permanent|retried|"
    r"lampung|kalsel|national tracking ID)\b"
)


@pytest.fixture
def base_url(engine, database_url: str) -> Iterator[str]:
    with serve_console(database_url) as base:
        yield base


@pytest.fixture
def client(base_url: str, factory: sessionmaker[Session]) -> Iterator[httpx.Client]:
    with signed_in(base_url, factory, "budi", "national") as client:
        yield client


def shown(page: httpx.Response) -> str:
    """What a person reads on ``page``: its text, without tags and their attributes
    (codes and slugs may stay in ``title`` and ``href``)."""
    assert page.status_code in (200, 404), page.text
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.text, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def complaints(base_url: str, factory: sessionmaker[Session]) -> dict[str, str]:
    """A complaint in several states, with a history the gateway and the registry wrote."""
    made = {name: file_complaint(base_url, f"LANG-{name}") for name in ("a", "b", "c")}
    change(
        factory,
        made["a"],
        status="verified",
        national_status="terverifikasi",
        agency_code="1871-DPUPR",
        agency_name="Dinas Pekerjaan Umum dan Penataan Ruang Kota Bandar Lampung",
    )
    change(factory, made["b"], status="in_progress", national_status="ditindaklanjuti")
    change(factory, made["c"], status="failed", failure_reason="422 topic_id unknown")
    fail_job(factory, made["c"])
    now = datetime.now(UTC)
    with factory() as session, session.begin():
        for status, source, note in (
            ("submitted", "national", "national tracking ID LPR-2026-1"),
            ("verified", "national", None),
            ("received", "operator", "retried"),
        ):
            session.add(
                StatusEvent(
                    complaint_id=made["a"],
                    status=status,
                    national_status="terverifikasi" if status == "verified" else None,
                    note=note,
                    source=source,
                    event_key=str(uuid.uuid4()),
                    at=now,
                    recorded_at=now,
                )
            )
    return made


def test_pages_speak_indonesian_by_default(
    client: httpx.Client, complaints: dict[str, str]
) -> None:
    pages = {
        "overview": client.get("/ops"),
        "list": client.get("/ops/complaints"),
        "one": client.get(f"/ops/complaints/{complaints['a']}"),
        "failed": client.get(f"/ops/complaints/{complaints['c']}"),
        "jobs": client.get("/ops/jobs?state=failed"),
        "sla": client.get("/ops/sla"),
        "inputs": client.get("/ops/inputs"),
    }
    for name, page in pages.items():
        left = STORED_WORDS.findall(shown(page))
        assert left == [], f"{name} shows stored words: {left}: {shown(page)}"
        assert '<html lang="id">' in page.text
    listed = shown(pages["list"])
    for words in ("terverifikasi", "ditindaklanjuti", "gagal", "Pemerintah Provinsi Lampung"):
        assert words in listed
    overview = shown(pages["overview"])
    assert "Sirkuit" in overview and "normal" in overview
    one = shown(pages["one"])
    assert "terverifikasi (nasional: terverifikasi)" in one
    assert "ID pelacakan nasional LPR-2026-1" in one
    assert "diulang oleh operator" in one
    assert "SP4N-LAPOR!" in one
    # the agency by its name, its code small beside it; the tenant's slug only in a title
    assert "Dinas Pekerjaan Umum dan Penataan Ruang Kota Bandar Lampung 1871-DPUPR" in one
    assert '<small class="code">1871-DPUPR</small>' in pages["one"].text
    assert '<span class="tenant" title="lampung">Pemerintah Provinsi Lampung</span>' in (
        pages["one"].text
    )
    jobs = shown(pages["jobs"])
    assert "kirim ke SP4N-LAPOR!" in jobs and "(permanen)" in jobs
    assert "Tidak ditemukan" in shown(client.get("/ops/complaints/nope"))


def test_english_when_chosen_and_remembered(
    client: httpx.Client, complaints: dict[str, str]
) -> None:
    chosen = client.get("/ops/complaints?lang=en")
    assert chosen.cookies.get("lapor_ops_lang") == "en"
    text = shown(chosen)
    assert '<html lang="en">' in chosen.text
    assert "<h1>Complaints</h1>" in chosen.text
    for words in ("verified", "followed up", "failed", "Pemerintah Provinsi Lampung"):
        assert words in text
    assert "terverifikasi" not in text and "Penyelenggara" not in text
    # remembered: the next page, without ?lang=, is English too
    one = shown(client.get(f"/ops/complaints/{complaints['a']}"))
    assert "verified (national: verified)" in one
    assert "national tracking ID LPR-2026-1" in one and "History" in one
    assert "Not found" in shown(client.get("/ops/complaints/nope"))
    overview = shown(client.get("/ops"))
    assert "Circuit" in overview and "Received today" in overview
    # and back
    back = client.get("/ops/complaints?lang=id")
    assert back.cookies.get("lapor_ops_lang") == "id"
    assert "<h1>Pengaduan</h1>" in back.text and "terverifikasi" in shown(back)
