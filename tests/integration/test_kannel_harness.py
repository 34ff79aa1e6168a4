"""The Kannel harness against the real bearerbox and smsbox: MO to the get-url, sendsms to
the fake SMSC (GSM 7-bit, UCS-2, concatenated), and delivery reports to the dlr-url."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support import scaled, serve_in_thread, wait_until
from tests.support_kannel import MT, Kannel, kannel, missing, reassemble

pytestmark = [
    pytest.mark.kannel,
    pytest.mark.timeout(60),
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]

CITIZEN = "081234567890"
SHORT_CODE = "1708"


@dataclass
class Recorder:
    """The gateway's stand-in: records Kannel's GETs and answers an empty 200 (a 500 to a
    text starting GAGAL)."""

    mo: list[dict[str, str]] = field(default_factory=list)
    mo_raw: list[str] = field(default_factory=list)
    dlr: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def mo(request: Request) -> Response:
            with self.lock:
                self.mo.append(dict(request.query_params))
                self.mo_raw.append(request.url.query)
            failing = request.query_params.get("text", "").startswith("GAGAL")
            return Response(status_code=500 if failing else 200)

        async def dlr(request: Request) -> Response:
            with self.lock:
                self.dlr.append(dict(request.query_params))
            return Response()

        return Starlette(
            routes=[
                Route("/channels/sms/kannel/sumbar", mo, methods=["GET", "POST"]),
                Route("/dlr", dlr),
            ]
        )

    def received(self, n: int) -> list[dict[str, str]]:
        with self.lock:
            return list(self.mo) if len(self.mo) >= n else []

    def statuses(self, ref: str) -> list[int]:
        with self.lock:
            return sorted(int(d["status"]) for d in self.dlr if d["ref"] == ref)


@dataclass
class Setup:
    kannel: Kannel
    recorder: Recorder
    base: str


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp: Path = tmp_path_factory.mktemp("kannel")
    recorder = Recorder()
    with serve_in_thread(recorder.app()) as base:
        route = f"{base}/channels/sms/kannel/sumbar?key=s3cret%2Fkey"
        with kannel(tmp, route) as running:
            yield Setup(running, recorder, base)


def sendsms(setup: Setup, ref: str, text: str, **extra: str) -> None:
    """What the gateway's reply does: GET sendsms, with a DLR URL that names the reply."""
    k = setup.kannel
    params = {
        "username": k.username,
        "password": k.password,
        "from": SHORT_CODE,
        "to": CITIZEN,
        "text": text,
        "charset": "UTF-8",
        "dlr-mask": "31",
        "dlr-url": f"{setup.base}/dlr?ref={ref}&status=%d&answer=%A",
        **extra,
    }
    response = httpx.get(k.sendsms_url, params=params, timeout=scaled(10))
    assert (response.status_code, response.text) == (202, "0: Accepted for delivery")


def test_mo_reaches_the_get_url_with_text_intact_and_nothing_is_sent_back(setup: Setup) -> None:
    k, recorder = setup.kannel, setup.recorder
    before = len(k.replies())
    texts = [
        "LAPOR jalan rusak di depan pasar",  # GSM 7-bit, wire type text
        "Lampu  mati di Café é, dekat [pos] ~ 50%",  # GSM with extension characters
        "بلاغ: الطريق مكسور 🙏\nbaris kedua",  # UCS-2: Arabic, an emoji, a newline
        "GAGAL lagi",  # the gateway answers 500
    ]
    for text in texts:
        k.send_mo(CITIZEN, SHORT_CODE, text)
        wait_until(lambda: recorder.received(texts.index(text) + 1), what=f"MO {text!r}")
    seen = recorder.received(len(texts))

    assert [m["text"] for m in seen] == texts
    first = seen[0]
    assert (first["from"], first["to"], first["smsc"]) == (CITIZEN, SHORT_CODE, k.smsc_id)
    assert first["key"] == "s3cret/key"
    assert {(m["coding"], m["charset"]) for m in seen} == {("0", "UTF-8")}
    assert len({str(uuid.UUID(m["id"])) for m in seen}) == len(texts)
    sent = datetime.strptime(first["ts"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - sent) < timedelta(minutes=1)
    assert re.search(r"&ts=\d{4}-\d\d-\d\d\+\d\d:\d\d:\d\d&", recorder.mo_raw[0])
    assert "text=LAPOR+jalan+rusak+di+depan+pasar&" in recorder.mo_raw[0]
    assert "%F0%9F%99%8F%0Abaris" in recorder.mo_raw[2]  # UTF-8, newline kept

    # An empty 200 and a 500 alike: smsbox would reply, max-messages 0 denies it.
    wait_until(
        lambda: k.log("smsbox").count("No reply sent, denied.") == len(texts),
        what="smsbox to deny every reply",
    )
    assert k.replies()[before:] == []


def test_sendsms_reaches_the_smsc_and_delivery_reports_come_back(setup: Setup) -> None:
    k = setup.kannel
    before = len(k.replies())
    plain = "Laporan diterima. No tiket: LPR-2024-000123 (é, €, [ok])"
    unicode = "Terima kasih 🙏 شكرا لك"
    sentence = "Tindak lanjut {:02d}: jalan di depan pasar sedang diperbaiki."
    long = " ".join(sentence.format(i) for i in range(7))
    assert 306 < len(long) <= 459  # three 153-character parts
    sendsms(setup, "plain", plain)
    sendsms(setup, "unicode", unicode, coding="2")
    sendsms(setup, "long", long, **{"max-messages": "1"})  # ignored: the sendsms-user's 3 rule

    def arrived() -> list[MT]:
        replies = k.replies()[before:]
        return replies if len(reassemble(replies)) == 3 else []

    replies = wait_until(arrived, what="three messages at the SMSC")
    assert [m.text for m in reassemble(replies)] == [plain, unicode, long]
    assert {(m.sender, m.receiver) for m in replies} == {(SHORT_CODE, CITIZEN)}
    assert [m.wire for m in replies] == ["text", "ucs-2", "udh", "udh", "udh"]
    parts = [m.concat for m in replies[2:]]
    assert [p[1:] for p in parts if p] == [(3, 1), (3, 2), (3, 3)]
    assert len({p[0] for p in parts if p}) == 1

    # The fake SMSC acknowledges (8) and then delivers (1), once per message.
    for ref in ("plain", "unicode", "long"):
        wait_until(lambda: setup.recorder.statuses(ref) == [1, 8], what=f"DLRs for {ref}")
    answers = {(d["status"], d["answer"]) for d in setup.recorder.dlr}
    assert answers == {("8", "ACK/"), ("1", "")}


def test_newlines_survive_non_gsm_text_needs_ucs2_and_long_replies_are_cut(setup: Setup) -> None:
    k = setup.kannel
    before = len(k.replies())
    lines = "Baris satu.\nBaris dua."
    arabic = "شكرا"
    too_long = lines + "\n" + "x" * 600
    sendsms(setup, "lines", lines)  # Kannel writes the newline raw; the harness rejoins
    sendsms(setup, "arabic", arabic)  # coding 0: smsbox makes it GSM 7-bit
    sendsms(setup, "too-long", too_long)

    def arrived() -> list[MT]:
        whole = reassemble(k.replies()[before:])
        return whole if len(whole) == 3 else []

    got = [m.text for m in wait_until(arrived, what="three messages at the SMSC")]
    assert got[:2] == [lines, "?" * len(arabic)]
    assert got[2] == too_long[: 3 * 153]  # max-messages 3: the rest is dropped, silently
