"""The Cloud API client against the fake Graph API over loopback: sends, media, and
each class of error with its code."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from adapters.whatsapp.account import WhatsAppAccount, WhatsAppSettings
from adapters.whatsapp.client import Row, WhatsAppClient
from adapters.whatsapp.errors import PERMANENT, RETRY_LATER, CloudApiError
from adapters.whatsapp.service import WhatsAppChannel
from gateway.bootstrap import build_container
from gateway.domain.errors import ErrorKind
from gateway.settings import Settings
from tests.fakes.whatsapp_api import VERSION, FakeWhatsApp, serve_fake_whatsapp
from tests.support import ROOT, TENANT_ENV, free_port, scaled

TOKEN = "EAAtest-token-0123456789"
PHONE_ID = "106540352242922"
CITIZEN = "6281234567890"
T = TypeVar("T")
Use = Callable[[Callable[[WhatsAppClient], Awaitable[T]]], T]


@pytest.fixture
def fake() -> Iterator[tuple[FakeWhatsApp, str]]:
    with serve_fake_whatsapp(TOKEN, PHONE_ID) as served:
        yield served


def run(
    base: str,
    call: Callable[[WhatsAppClient], Awaitable[T]],
    token: str = TOKEN,
    timeout: float | None = None,
) -> T:
    account = WhatsAppAccount("sumbar", WhatsAppSettings(), PHONE_ID, token, "secret", "verify")

    async def go() -> T:
        patience = scaled(10) if timeout is None else timeout
        async with httpx.AsyncClient(timeout=patience) as http:
            return await call(WhatsAppClient(account, base, VERSION, http))

    return asyncio.run(go())


def failure(
    base: str, call: Callable[[WhatsAppClient], Awaitable[Any]], **options: Any
) -> CloudApiError:
    with pytest.raises(CloudApiError) as caught:
        run(base, call, **options)
    return caught.value


def test_a_text_is_sent_and_answered_with_its_message_id(fake: tuple[FakeWhatsApp, str]) -> None:
    api, base = fake
    sent = run(base, lambda c: c.send_text(CITIZEN, "Laporan Anda diterima", reply_to="wamid.IN1"))
    assert sent.message_id.startswith("wamid.") and sent.wa_id == CITIZEN
    [message] = api.sent(CITIZEN)
    assert message["id"] == sent.message_id
    assert message["text"]["body"] == "Laporan Anda diterima"
    assert message["context"] == {"message_id": "wamid.IN1"}
    assert message["messaging_product"] == "whatsapp"


def test_buttons_lists_and_templates_within_their_limits(fake: tuple[FakeWhatsApp, str]) -> None:
    api, base = fake
    three = [("a", "Ya"), ("b", "Tidak"), ("c", "Batal: judul yang terlalu panjang")]
    run(base, lambda c: c.send_buttons(CITIZEN, "Kirim laporan?", three))
    rows = [Row(f"cat:{n}", f"Kategori {n}", "keterangan") for n in range(10)]
    run(base, lambda c: c.send_list(CITIZEN, "Pilih kategori", "Kategori", rows))
    api.add_template("status_laporan", 2)
    run(base, lambda c: c.send_template(CITIZEN, "status_laporan", "id", ["1234", "diverifikasi"]))
    buttons, listed, template = api.sent(CITIZEN)
    assert [b["reply"]["title"] for b in buttons["interactive"]["action"]["buttons"]] == [
        "Ya",
        "Tidak",
        "Batal: judul yang te",  # 20 characters
    ]
    assert len(listed["interactive"]["action"]["sections"][0]["rows"]) == 10
    assert template["template"]["language"] == {"code": "id"}
    # over the limits: refused before anything is sent
    four = [*three, ("d", "Lagi")]
    assert failure(base, lambda c: c.send_buttons(CITIZEN, "x", four)).kind == ErrorKind.PERMANENT
    eleven = [*rows, Row("x", "sebelas")]
    assert failure(base, lambda c: c.send_list(CITIZEN, "x", "y", eleven)).verdict == PERMANENT
    assert len(api.sent()) == 3


def test_a_template_unknown_or_with_the_wrong_parameters_is_permanent(
    fake: tuple[FakeWhatsApp, str],
) -> None:
    api, base = fake
    api.add_template("status_laporan", 2)
    missing = failure(base, lambda c: c.send_template(CITIZEN, "tidak_ada", "id", ["1"]))
    assert (missing.code, missing.verdict) == (132001, PERMANENT)
    wrong = failure(base, lambda c: c.send_template(CITIZEN, "status_laporan", "id", ["1"]))
    assert (wrong.code, wrong.verdict) == (132000, PERMANENT)


def test_media_is_downloaded_through_its_url_with_the_token(fake: tuple[FakeWhatsApp, str]) -> None:
    api, base = fake
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
    api.add_media("1234567890", photo, "image/jpeg")
    got = run(base, lambda c: c.download("1234567890", max_bytes=1_000_000))
    assert got.content == photo and got.mime_type == "image/jpeg"
    assert api.media_fetches == 1
    too_big = failure(base, lambda c: c.download("1234567890", max_bytes=100))
    assert too_big.kind == ErrorKind.PERMANENT and "larger" in too_big.message
    unknown = failure(base, lambda c: c.download("404404", max_bytes=100))
    assert (unknown.code, unknown.verdict) == (100, PERMANENT)


@pytest.mark.parametrize(
    ("code", "status", "verdict"),
    [
        (130429, 400, RETRY_LATER),
        (131056, 400, RETRY_LATER),
        (131048, 400, RETRY_LATER),
        (131000, 500, RETRY_LATER),
        (131016, 503, RETRY_LATER),
        (2, 500, RETRY_LATER),
        (131047, 400, PERMANENT),
        (131026, 400, PERMANENT),
        (131051, 400, PERMANENT),
        (100, 400, PERMANENT),
        (190, 401, PERMANENT),
    ],
)
def test_each_error_the_api_answers_is_sorted_with_its_code(
    fake: tuple[FakeWhatsApp, str], code: int, status: int, verdict: str
) -> None:
    api, base = fake
    api.fail_next(code, status)
    error = failure(base, lambda c: c.send_text(CITIZEN, "halo"))
    assert (error.code, error.verdict, error.http_status) == (code, verdict, status)
    assert error.fbtrace_id and error.details
    assert error.blocked == (code == 131026)
    assert api.sent() == []
    run(base, lambda c: c.send_text(CITIZEN, "halo"))  # the next one goes through
    assert len(api.sent()) == 1


def test_a_wrong_token_is_permanent_and_says_so(fake: tuple[FakeWhatsApp, str]) -> None:
    _, base = fake
    error = failure(base, lambda c: c.send_text(CITIZEN, "halo"), token="EAAwrong")
    assert error.code == 190 and error.account_problem and error.verdict == PERMANENT
    assert "EAAwrong" not in str(error)


def test_a_timeout_is_retried_later_and_may_have_been_sent(fake: tuple[FakeWhatsApp, str]) -> None:
    api, base = fake
    api.stall_next()
    # unscaled: a client timeout provoked on purpose (the fake stalls far longer)
    error = failure(base, lambda c: c.send_text(CITIZEN, "halo"), timeout=0.3)
    assert error.verdict == RETRY_LATER and error.ambiguous


def test_nobody_listening_is_retried_later() -> None:
    error = failure(f"http://127.0.0.1:{free_port()}", lambda c: c.send_text(CITIZEN, "halo"))
    assert error.kind == ErrorKind.RETRYABLE and not error.ambiguous


def test_a_tenants_client_comes_from_its_mapping_and_the_settings(tmp_path: Path) -> None:
    """sumbar's number, token and the Graph API address as the gateway is configured."""
    phone = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID"]
    token = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_ACCESS_TOKEN"]
    with serve_fake_whatsapp(token, phone) as (api, base):
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
            mappings_dir=str(ROOT / "mappings"),
            whatsapp_api_url=base,
        )
        container = build_container(settings, environ=TENANT_ENV)
        channel = WhatsAppChannel.of(container)
        assert set(channel.accounts) == {"sumbar"}
        assert token not in repr(channel.accounts["sumbar"])

        async def send() -> str:
            try:
                return (await channel.client("sumbar").send_text(CITIZEN, "halo")).message_id
            finally:
                await container.aclose()

        message_id = asyncio.run(send())
        assert [m["id"] for m in api.sent(CITIZEN)] == [message_id]
