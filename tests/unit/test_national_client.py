"""The national registry's HTTP client against a respx-mocked registry."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from gateway.domain.errors import ErrorKind, FieldError, GatewayError
from gateway.national import contract as c
from gateway.national.client import HttpNationalRegistry, HttpRegistryFactory
from gateway.national.wire import parse_datetime, parse_retry_after
from gateway.ports import Submission

pytestmark = pytest.mark.anyio

BASE = "https://registry.test"
TOKEN = "tok-lampung-7f3a9c2e"

SUBMISSION = Submission(
    external_ref="lpg-cc-000123",
    title="Jalan berlubang",
    content="Jalan Teuku Umar berlubang dan membahayakan pengendara motor.",
    classification="pengaduan",
    topic_id=12,
    agency_code="PEMKOT-BDL",
    region_code="18.71",
    location="Jl. Teuku Umar, Bandar Lampung",
    latitude=-5.3971,
    longitude=105.2668,
    incident_date="2026-01-05",
    anonymous=False,
    confidential=True,
    channel="callcenter",
    reporter_name="Budi Santoso",
    reporter_phone="+6281234567890",
    reporter_email=None,
    attachments=({"url": "https://files.test/1.jpg", "filename": "1.jpg"},),
)


@dataclass
class Calls:
    seen: list[tuple[str, str, int | None, float]] = field(default_factory=list)

    def __call__(self, method: str, path: str, status: int | None, seconds: float) -> None:
        self.seen.append((method, path, status, seconds))


@dataclass
class Registry:
    router: respx.MockRouter
    factory: HttpRegistryFactory
    calls: Calls

    @property
    def client(self) -> HttpNationalRegistry:
        return self.factory.for_tenant("lampung")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def reg() -> AsyncIterator[Registry]:
    router = respx.MockRouter(base_url=BASE, assert_all_called=False)
    calls = Calls()
    factory = HttpRegistryFactory(
        BASE,
        {"lampung": TOKEN, "kalsel": "tok-kalsel-11aa22bb"},
        transport=httpx.MockTransport(router.async_handler),
        on_request=calls,
    )
    yield Registry(router, factory, calls)
    await factory.aclose()


def _receipt_body(**extra: Any) -> dict[str, Any]:
    return {
        "tracking_id": "LPR-2026-0001",
        "status": "belum_terverifikasi",
        "created_at": "2026-01-05T03:04:05Z",
        **extra,
    }


# -- failures, table-driven -------------------------------------------------------

HTTP_DATE_IN_2_MIN = "http-date+120s"

FAILURES = [
    # (side effect or response, kind, ambiguous, retry_after)
    pytest.param(httpx.ConnectError("refused"), ErrorKind.RETRYABLE, False, None, id="connect"),
    pytest.param(httpx.ConnectTimeout("slow"), ErrorKind.RETRYABLE, False, None, id="conn-tmo"),
    pytest.param(httpx.PoolTimeout("pool"), ErrorKind.RETRYABLE, False, None, id="pool-timeout"),
    pytest.param(httpx.ReadTimeout("slow"), ErrorKind.RETRYABLE, True, None, id="read-timeout"),
    pytest.param(httpx.WriteTimeout("slow"), ErrorKind.RETRYABLE, True, None, id="write-timeout"),
    pytest.param(httpx.RemoteProtocolError("gone"), ErrorKind.RETRYABLE, True, None, id="reset"),
    pytest.param(httpx.ReadError("reset"), ErrorKind.RETRYABLE, True, None, id="read-error"),
    pytest.param(httpx.ProxyError("proxy"), ErrorKind.RETRYABLE, True, None, id="other-transport"),
    pytest.param(RuntimeError("boom"), ErrorKind.RETRYABLE, True, None, id="foreign-exception"),
    pytest.param(httpx.Response(500), ErrorKind.RETRYABLE, True, None, id="500"),
    pytest.param(httpx.Response(502, text="bad gw"), ErrorKind.RETRYABLE, True, None, id="502"),
    pytest.param(
        httpx.Response(503, headers={"Retry-After": "7"}), ErrorKind.RETRYABLE, True, 7.0, id="503"
    ),
    pytest.param(
        httpx.Response(429, headers={"Retry-After": "30"}),
        ErrorKind.THROTTLED,
        False,
        30.0,
        id="429-seconds",
    ),
    pytest.param(
        httpx.Response(429, headers={"Retry-After": "1.5"}),
        ErrorKind.THROTTLED,
        False,
        1.5,
        id="429-fraction",
    ),
    pytest.param(httpx.Response(429), ErrorKind.THROTTLED, False, None, id="429-no-header"),
    pytest.param(
        httpx.Response(429, headers={"Retry-After": "soon"}),
        ErrorKind.THROTTLED,
        False,
        None,
        id="429-garbage",
    ),
    pytest.param(
        httpx.Response(429, headers={"Retry-After": HTTP_DATE_IN_2_MIN}),
        ErrorKind.THROTTLED,
        False,
        120.0,
        id="429-http-date",
    ),
    pytest.param(httpx.Response(408), ErrorKind.RETRYABLE, False, None, id="408"),
    pytest.param(httpx.Response(400, json={}), ErrorKind.PERMANENT, False, None, id="400"),
    pytest.param(httpx.Response(422, json={}), ErrorKind.PERMANENT, False, None, id="422"),
    pytest.param(httpx.Response(401), ErrorKind.PERMANENT, False, None, id="401"),
    pytest.param(httpx.Response(403), ErrorKind.PERMANENT, False, None, id="403"),
    pytest.param(httpx.Response(404), ErrorKind.PERMANENT, False, None, id="404-on-submit"),
    pytest.param(httpx.Response(413), ErrorKind.PERMANENT, False, None, id="413"),
    pytest.param(
        httpx.Response(201, text="{not json"), ErrorKind.RETRYABLE, True, None, id="201-bad-json"
    ),
    pytest.param(
        httpx.Response(201, json=["LPR-1"]), ErrorKind.RETRYABLE, True, None, id="201-not-object"
    ),
    pytest.param(
        httpx.Response(201, json={"status": "belum_terverifikasi"}),
        ErrorKind.RETRYABLE,
        True,
        None,
        id="201-no-tracking-id",
    ),
    pytest.param(
        httpx.Response(201, json=_receipt_body(created_at="yesterday")),
        ErrorKind.RETRYABLE,
        True,
        None,
        id="201-bad-timestamp",
    ),
    pytest.param(httpx.Response(409, text=""), ErrorKind.RETRYABLE, True, None, id="409-no-body"),
]


@pytest.mark.parametrize(("outcome", "kind", "ambiguous", "retry_after"), FAILURES)
async def test_submit_failures_become_gateway_errors(
    reg: Registry,
    outcome: Any,
    kind: ErrorKind,
    ambiguous: bool,
    retry_after: float | None,
) -> None:
    if isinstance(outcome, httpx.Response):
        if outcome.headers.get("Retry-After") == HTTP_DATE_IN_2_MIN:
            when = datetime.now(UTC) + timedelta(seconds=120)
            outcome.headers["Retry-After"] = format_datetime(when, usegmt=True)
        reg.router.post(c.COMPLAINTS).mock(return_value=outcome)
    else:
        reg.router.post(c.COMPLAINTS).mock(side_effect=outcome)

    with pytest.raises(GatewayError) as caught:
        await reg.client.submit(SUBMISSION)

    error = caught.value
    assert (error.kind, error.ambiguous) == (kind, ambiguous)
    if retry_after is None:
        assert error.retry_after is None
    elif isinstance(outcome, httpx.Response) and "GMT" in outcome.headers["Retry-After"]:
        # an HTTP date has one-second resolution and the clock moved on a little
        assert error.retry_after is not None and 110 <= error.retry_after <= 120
    else:
        assert error.retry_after == retry_after
    assert TOKEN not in error.message
    # latency is recorded for failures too, with the path template
    method, path, status, seconds = reg.calls.seen[-1]
    assert (method, path) == ("POST", c.COMPLAINTS)
    assert status == (outcome.status_code if isinstance(outcome, httpx.Response) else None)
    assert seconds >= 0


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_token_says_so(reg: Registry, status: int) -> None:
    reg.router.get(c.TOPICS).respond(status)
    with pytest.raises(GatewayError, match="token refused"):
        await reg.client.topics()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            {
                "errors": [
                    {"field": "title", "message": "is required"},
                    {"field": "reporter.phone", "message": "not a phone number"},
                ]
            },
            [
                FieldError("title", "is required"),
                FieldError("reporter.phone", "not a phone number"),
            ],
            id="errors-list",
        ),
        pytest.param(
            {"errors": {"title": "is required", "reporter.phone": ["not a phone number"]}},
            [
                FieldError("title", "is required"),
                FieldError("reporter.phone", "not a phone number"),
            ],
            id="errors-object",
        ),
        pytest.param(
            {
                "detail": [
                    {"loc": ["body", "title"], "msg": "is required", "type": "missing"},
                    {"loc": ["body", "reporter", "phone"], "msg": "not a phone number"},
                ]
            },
            [
                FieldError("title", "is required"),
                FieldError("reporter.phone", "not a phone number"),
            ],
            id="fastapi-detail",
        ),
    ],
)
@pytest.mark.parametrize("status", [400, 422])
async def test_validation_errors_name_the_fields(
    reg: Registry, status: int, body: dict[str, Any], expected: list[FieldError]
) -> None:
    reg.router.post(c.COMPLAINTS).respond(status, json=body)
    with pytest.raises(GatewayError) as caught:
        await reg.client.submit(SUBMISSION)
    error = caught.value
    assert error.kind is ErrorKind.PERMANENT and not error.ambiguous
    assert error.fields == expected
    assert "title: is required" in error.message
    assert "reporter.phone: not a phone number" in error.message


async def test_validation_error_without_fields_quotes_the_body(reg: Registry) -> None:
    reg.router.post(c.COMPLAINTS).respond(400, text="region_code unknown")
    with pytest.raises(GatewayError, match="region_code unknown") as caught:
        await reg.client.submit(SUBMISSION)
    assert caught.value.fields == []


# -- submit and lookup ---------------------------------------------------------------


async def test_submit_sends_the_contract_body_and_returns_the_receipt(reg: Registry) -> None:
    route = reg.router.post(c.COMPLAINTS).respond(201, json=_receipt_body())
    receipt = await reg.client.submit(SUBMISSION)

    assert receipt.tracking_id == "LPR-2026-0001"
    assert receipt.status == "belum_terverifikasi"
    assert receipt.created_at == datetime(2026, 1, 5, 3, 4, 5, tzinfo=UTC)
    assert receipt.existing is False

    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    sent = json.loads(request.content)
    assert sent == {
        "external_ref": "lpg-cc-000123",
        "title": "Jalan berlubang",
        "content": SUBMISSION.content,
        "classification": "pengaduan",
        "topic_id": 12,
        "agency_code": "PEMKOT-BDL",
        "region_code": "18.71",
        "location": "Jl. Teuku Umar, Bandar Lampung",
        "latitude": -5.3971,
        "longitude": 105.2668,
        "incident_date": "2026-01-05",
        "anonymous": False,
        "confidential": True,
        "channel": "callcenter",
        "reporter": {"name": "Budi Santoso", "phone": "+6281234567890", "email": None},
        "attachments": [{"url": "https://files.test/1.jpg", "filename": "1.jpg"}],
    }
    assert reg.calls.seen[-1][:3] == ("POST", c.COMPLAINTS, 201)


async def test_submit_without_reporter_sends_null_reporter(reg: Registry) -> None:
    route = reg.router.post(c.COMPLAINTS).respond(201, json=_receipt_body())
    anonymous = Submission(
        **{
            **SUBMISSION.__dict__,
            "reporter_name": None,
            "reporter_phone": None,
            "anonymous": True,
        }
    )
    await reg.client.submit(anonymous)
    assert json.loads(route.calls.last.request.content)["reporter"] is None


async def test_submit_conflict_returns_the_existing_receipt(reg: Registry) -> None:
    reg.router.post(c.COMPLAINTS).respond(
        409, json=_receipt_body(status="terverifikasi", created_at="2026-01-05T10:04:05+07:00")
    )
    receipt = await reg.client.submit(SUBMISSION)
    assert receipt.existing is True
    assert (receipt.tracking_id, receipt.status) == ("LPR-2026-0001", "terverifikasi")
    assert receipt.created_at == datetime(2026, 1, 5, 3, 4, 5, tzinfo=UTC)
    assert receipt.created_at is not None
    assert receipt.created_at.utcoffset() == timedelta(hours=7)


async def test_find_by_external_ref_returns_the_first_item(reg: Registry) -> None:
    route = reg.router.get(c.COMPLAINTS).respond(
        200,
        json={"items": [{**_receipt_body(), "external_ref": "lpg-cc-000123"}]},
    )
    receipt = await reg.client.find_by_external_ref("lpg-cc-000123")
    assert receipt is not None
    assert receipt.tracking_id == "LPR-2026-0001" and receipt.existing is True
    assert route.calls.last.request.url.params[c.Q_EXTERNAL_REF] == "lpg-cc-000123"


@pytest.mark.parametrize(
    "response",
    [httpx.Response(200, json={"items": []}), httpx.Response(404)],
    ids=["empty", "404"],
)
async def test_find_by_external_ref_unknown_is_none(
    reg: Registry, response: httpx.Response
) -> None:
    reg.router.get(c.COMPLAINTS).mock(return_value=response)
    assert await reg.client.find_by_external_ref("lpg-cc-999") is None


async def test_find_by_external_ref_malformed_is_ambiguous(reg: Registry) -> None:
    reg.router.get(c.COMPLAINTS).respond(200, json={"items": "LPR-1"})
    with pytest.raises(GatewayError) as caught:
        await reg.client.find_by_external_ref("lpg-cc-000123")
    assert caught.value.kind is ErrorKind.RETRYABLE and caught.value.ambiguous


@pytest.mark.parametrize(
    "outcome",
    [httpx.Response(503), httpx.ReadTimeout("slow")],
    ids=["503", "read-timeout"],
)
async def test_a_failed_read_does_not_claim_it_may_have_committed(
    reg: Registry, outcome: Any
) -> None:
    for route in (reg.router.get(c.CHANGES), reg.router.post(c.COMPLAINTS)):
        if isinstance(outcome, httpx.Response):
            route.mock(return_value=outcome)
        else:
            route.mock(side_effect=outcome)
    with pytest.raises(GatewayError) as read:
        await reg.client.changes(None, 10)
    assert "committed" not in read.value.message and "a read changes nothing" in read.value.message
    with pytest.raises(GatewayError) as write:
        await reg.client.submit(SUBMISSION)
    assert "it may have committed the request" in write.value.message


# -- get, changes, comment, topics, agencies ---------------------------------------


async def test_get_returns_the_complaint_with_history(reg: Registry) -> None:
    reg.router.get(c.complaint_path("LPR-2026-0001")).respond(
        200,
        json={
            "tracking_id": "LPR-2026-0001",
            "external_ref": "lpg-cc-000123",
            "status": "terdisposisi",
            "agency_code": "PEMKOT-BDL",
            "history": [
                {"status": "belum_terverifikasi", "at": "2026-01-05T03:04:05Z"},
                {
                    "status": "terdisposisi",
                    "at": "2026-01-06T09:00:00+07:00",
                    "response": "Diteruskan ke Dinas PU",
                },
            ],
        },
    )
    remote = await reg.client.get("LPR-2026-0001")
    assert (remote.status, remote.agency_code) == ("terdisposisi", "PEMKOT-BDL")
    assert [h.status for h in remote.history] == ["belum_terverifikasi", "terdisposisi"]
    assert remote.history[1].at == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    assert remote.history[1].response == "Diteruskan ke Dinas PU"
    assert reg.calls.seen[-1][:3] == ("GET", c.complaint_path("{tracking_id}"), 200)


async def test_get_unknown_is_not_found(reg: Registry) -> None:
    reg.router.get(c.complaint_path("LPR-404")).respond(404)
    with pytest.raises(GatewayError) as caught:
        await reg.client.get("LPR-404")
    assert caught.value.kind is ErrorKind.NOT_FOUND


async def test_tracking_id_stays_one_path_segment(reg: Registry) -> None:
    route = reg.router.route().respond(404)
    with pytest.raises(GatewayError):
        await reg.client.get("../topics?x=1")
    assert route.calls.last.request.url.raw_path == b"/api/v1/complaints/..%2Ftopics%3Fx%3D1"


async def test_changes_sends_cursor_and_limit_and_parses_events(reg: Registry) -> None:
    route = reg.router.get(c.CHANGES).respond(
        200,
        json={
            "events": [
                {
                    "tracking_id": "LPR-2026-0001",
                    "external_ref": "lpg-cc-000123",
                    "status": "ditindaklanjuti",
                    "response": "Jalan akan diperbaiki minggu depan",
                    "agency_code": "PEMKOT-BDL",
                    "agency_name": "Pemerintah Kota Bandar Lampung",
                    "at": "2026-01-07T01:00:00Z",
                }
            ],
            "next_cursor": "c-42",
        },
    )
    page = await reg.client.changes("c-41", 100)
    params = route.calls.last.request.url.params
    assert (params[c.Q_CURSOR], params[c.Q_LIMIT]) == ("c-41", "100")
    assert page.next_cursor == "c-42"
    [event] = page.events
    assert event.status == "ditindaklanjuti"
    assert event.agency_name == "Pemerintah Kota Bandar Lampung"
    assert event.at == datetime(2026, 1, 7, 1, 0, tzinfo=UTC)


async def test_changes_from_the_start_sends_no_cursor(reg: Registry) -> None:
    route = reg.router.get(c.CHANGES).respond(200, json={"events": [], "next_cursor": None})
    page = await reg.client.changes(None, 50)
    assert c.Q_CURSOR not in route.calls.last.request.url.params
    assert page.events == [] and page.next_cursor is None


async def test_changes_event_without_timestamp_is_ambiguous_error(reg: Registry) -> None:
    reg.router.get(c.CHANGES).respond(
        200, json={"events": [{"tracking_id": "LPR-1", "status": "selesai"}], "next_cursor": None}
    )
    with pytest.raises(GatewayError) as caught:
        await reg.client.changes(None, 50)
    assert caught.value.kind is ErrorKind.RETRYABLE and "at" in caught.value.message


async def test_comment_posts_text_and_author(reg: Registry) -> None:
    route = reg.router.post(c.comments_path("LPR-2026-0001")).respond(201, json={})
    await reg.client.comment("LPR-2026-0001", "Belum diperbaiki sampai hari ini", "Budi")
    assert json.loads(route.calls.last.request.content) == {
        "text": "Belum diperbaiki sampai hari ini",
        "author": "Budi",
    }


async def test_comment_on_unknown_complaint_is_not_found(reg: Registry) -> None:
    reg.router.post(c.comments_path("LPR-404")).respond(404)
    with pytest.raises(GatewayError) as caught:
        await reg.client.comment("LPR-404", "halo", None)
    assert caught.value.kind is ErrorKind.NOT_FOUND


async def test_topics_and_agencies(reg: Registry) -> None:
    reg.router.get(c.TOPICS).respond(
        200,
        json=[
            {"id": 1, "parent_id": None, "name": "Infrastruktur"},
            {"id": 12, "parent_id": 1, "name": "Jalan"},
        ],
    )
    reg.router.get(c.AGENCIES).respond(
        200,
        json=[
            {
                "code": "PEMKOT-BDL",
                "name": "Pemkot Bandar Lampung",
                "level": "kota",
                "region_code": "18.71",
            }
        ],
    )
    topics = await reg.client.topics()
    agencies = await reg.client.agencies()
    assert [(t.id, t.parent_id, t.name) for t in topics] == [
        (1, None, "Infrastruktur"),
        (12, 1, "Jalan"),
    ]
    assert agencies[0].code == "PEMKOT-BDL" and agencies[0].region_code == "18.71"


async def test_topic_with_string_id_is_rejected(reg: Registry) -> None:
    reg.router.get(c.TOPICS).respond(200, json=[{"id": "x", "name": "Jalan"}])
    with pytest.raises(GatewayError) as caught:
        await reg.client.topics()
    assert caught.value.kind is ErrorKind.RETRYABLE


# -- factory, tokens, metrics ---------------------------------------------------------


async def test_factory_gives_each_tenant_its_token_over_one_client(reg: Registry) -> None:
    route = reg.router.get(c.TOPICS).respond(200, json=[])
    lampung = reg.factory.for_tenant("lampung")
    kalsel = reg.factory.for_tenant("kalsel")
    await lampung.topics()
    await kalsel.topics()
    tokens = [call.request.headers["Authorization"] for call in route.calls]
    assert tokens == [f"Bearer {TOKEN}", "Bearer tok-kalsel-11aa22bb"]
    assert reg.factory.for_tenant("lampung") is lampung
    assert lampung._client is kalsel._client
    assert TOKEN not in repr(lampung)


def test_factory_refuses_a_tenant_without_token() -> None:
    factory = HttpRegistryFactory(BASE, {"lampung": TOKEN})
    with pytest.raises(GatewayError) as caught:
        factory.for_tenant("kaltim")
    assert caught.value.kind is ErrorKind.PERMANENT
    assert caught.value.message == "no national token configured for tenant kaltim"


async def test_closed_factory_fails_as_gateway_error(reg: Registry) -> None:
    registry = reg.client
    await reg.factory.aclose()
    with pytest.raises(GatewayError):
        await registry.topics()


async def test_a_failing_metrics_callback_does_not_break_the_request(reg: Registry) -> None:
    reg.router.get(c.TOPICS).respond(200, json=[])

    def broken(method: str, path: str, status: int | None, seconds: float) -> None:
        raise ZeroDivisionError

    registry = HttpNationalRegistry(reg.factory._client, TOKEN, on_request=broken)
    assert await registry.topics() == []


async def test_per_client_timeout_is_used(reg: Registry) -> None:
    route = reg.router.get(c.TOPICS).respond(200, json=[])
    registry = HttpNationalRegistry(reg.factory._client, TOKEN, timeout=2.5)  # unscaled: a setting
    await registry.topics()
    assert route.calls.last.request.extensions["timeout"]["read"] == 2.5
    await reg.client.topics()
    assert route.calls.last.request.extensions["timeout"]["read"] == 10.0


# -- pure helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("120", 120.0),
        ("-5", 0.0),
        ("nan", None),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 90.0),
        ("Wed, 21 Oct 2026 07:26:00 GMT", 0.0),  # in the past
        ("next tuesday", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = datetime(2026, 10, 21, 7, 26, 30, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05T03:04:05Z", datetime(2026, 1, 5, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-05T10:04:05+07:00", datetime(2026, 1, 5, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-05T03:04:05.250000+00:00", datetime(2026, 1, 5, 3, 4, 5, 250000, tzinfo=UTC)),
        ("2026-01-05T03:04:05", datetime(2026, 1, 5, 3, 4, 5, tzinfo=UTC)),  # naive is UTC
    ],
)
def test_parse_datetime_is_aware(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected and parsed.tzinfo is not None


def test_parse_datetime_keeps_the_offset() -> None:
    parsed = parse_datetime("2026-01-05T10:04:05+07:00")
    assert parsed.tzinfo == timezone(timedelta(hours=7))
