"""Messages to citizens in order, and no late send, on SQLite and PostgreSQL (issue 16).

- a complaint's notifications go out in status order; one that a later status
  overtook while a dead worker held it is dropped (``superseded``), never sent late;
- a chat's replies go out in order: a later one waits while an earlier one retries;
- a worker paused between its claim and its request does not send once its lease's
  time is up, whoever took the job over sends it once.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.sla import NoHolidays
from gateway.ports import ChatReply, Notification, Receipt, Submission
from gateway.storage import outbox
from gateway.storage.claims import chat_key
from gateway.storage.engine import transaction
from gateway.storage.intake import add_job, record_complaint
from gateway.storage.models import JobAttempt, OutboxJob
from gateway.sync.dispatcher import Dispatcher
from gateway.sync.limits import LaneLimits, TenantLimits
from gateway.sync.wakeup import Waker
from tests.integration.test_storage import draft
from tests.support import scaled

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Channel:
    """A chat channel's replier: records what it said and told, in order; fails on cue."""

    channel = "telegram"

    def __init__(self) -> None:
        self.told: list[str] = []  # notification statuses
        self.said: list[str] = []  # reply texts
        self.fail: list[GatewayError] = []

    async def send(self, notification: Notification) -> None:
        self.told.append(notification.status)

    async def say(self, reply: ChatReply) -> None:
        if self.fail:
            raise self.fail.pop(0)
        self.said.append(reply.text)


class Registry:
    """Counts submissions; knows nothing before them (a look-up finds nothing)."""

    def __init__(self) -> None:
        self.submitted = 0
        self._numbers = itertools.count(71_000_000)

    def for_tenant(self, tenant: str) -> Registry:
        return self

    async def find_by_external_ref(self, external_ref: str) -> Receipt | None:
        return None

    async def submit(self, submission: Submission) -> Receipt:
        self.submitted += 1
        return Receipt(str(next(self._numbers)), "belum_terverifikasi", datetime.now(UTC))


def dispatcher(
    factory: sessionmaker[Session],
    channel: Channel,
    registry: Registry | None = None,
    owner: str = "w",
    **options: float,
) -> Dispatcher:
    return Dispatcher(
        factory,
        registry or Registry(),  # type: ignore[arg-type]
        {"*": channel, "telegram": channel},
        owner=owner,
        calendar=NoHolidays(),
        limits=TenantLimits({"lampung": LaneLimits(concurrency=2)}),
        **options,  # type: ignore[arg-type]
    )


def add_jobs(factory: sessionmaker[Session], kind: str, key: str, payloads: list[dict]) -> None:
    with transaction(factory) as session:
        for payload in payloads:
            add_job(session, kind, "lampung", key, payload)


def expire_leases(factory: sessionmaker[Session]) -> None:
    """The leases' time has passed (their holder died)."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    with transaction(factory) as session:
        session.execute(
            update(OutboxJob).where(OutboxJob.state == "running").values(lease_expires_at=past)  # type: ignore[arg-type]
        )


def make_due(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        session.execute(update(OutboxJob).values(next_attempt_at=datetime.now(UTC)))


def outcomes(factory: sessionmaker[Session], job_id: int) -> list[str]:
    with factory() as session:
        query = select(JobAttempt.outcome).where(JobAttempt.job_id == job_id)  # type: ignore[call-overload]
        return list(session.scalars(query.order_by(JobAttempt.id)))


async def test_a_notification_overtaken_while_a_dead_worker_held_it_is_dropped(factory) -> None:
    complaint_id = record_complaint(factory, draft("N-1"), "{}", "x").complaint_id
    add_jobs(factory, "notify", complaint_id, [{"status": "verified", "tracking_id": "1"}])
    # a worker claims "verified" and dies; the complaint is resolved meanwhile
    [verified] = outbox.claim(factory, "dead", 10, 60, tenants=["lampung"], kinds=["notify"])
    add_jobs(factory, "notify", complaint_id, [{"status": "resolved", "tracking_id": "1"}])
    assert outbox.claim(factory, "other", 10, 60, tenants=["lampung"], kinds=["notify"]) == []
    channel = Channel()
    await dispatcher(factory, channel).run_once()
    assert channel.told == []  # "resolved" waits behind the leased "verified"

    expire_leases(factory)
    await dispatcher(factory, channel).run_once()
    # "verified" is dropped, not sent after "resolved"; "resolved" goes out once
    assert channel.told == ["resolved"]
    assert outcomes(factory, verified.id) == ["superseded"]
    with factory() as session:
        rows = session.execute(
            select(OutboxJob.state, OutboxJob.payload).where(OutboxJob.kind == "notify")  # type: ignore[call-overload]
        )
        assert [state for state, payload in rows if '"tracking_id": "1"' in payload] == [
            "done",
            "done",
        ]
    # the dead worker's late report is fenced off
    with transaction(factory) as session:
        assert outbox.finish_done(session, verified, 1.0) is False


async def test_notifications_of_one_complaint_go_out_in_status_order(factory) -> None:
    complaint_id = record_complaint(factory, draft("N-2"), "{}", "x").complaint_id
    channel = Channel()
    # each written after the one before went out: every one is told, responses of one
    # status and a status moving back (re-disposition) too
    steps = ["dispatched", "in_progress", "in_progress", "dispatched"]
    for step in steps:
        add_jobs(factory, "notify", complaint_id, [{"status": step}])
        await dispatcher(factory, channel).run_once()
    assert channel.told == steps
    # written together before any went out: the overtaken one is dropped, the rest in order
    burst = ["in_progress", "dispatched", "in_progress", "in_progress", "resolved"]
    add_jobs(factory, "notify", complaint_id, [{"status": step} for step in burst])
    for _ in burst:
        await dispatcher(factory, channel).run_once()
    assert channel.told[len(steps) :] == ["resolved"]


async def test_a_chats_replies_wait_for_an_earlier_one_that_is_retrying(factory) -> None:
    chat = chat_key("telegram", "5012345678")
    texts = ["Apa yang terjadi?", "Di mana?", "Kapan?"]
    add_jobs(
        factory,
        "reply",
        chat,
        [{"channel": "telegram", "to": "5012345678", "text": t} for t in texts],
    )
    add_jobs(
        factory,
        "reply",
        chat_key("telegram", "42"),
        [{"channel": "telegram", "to": "42", "text": "lain"}],
    )
    channel = Channel()
    channel.fail.append(GatewayError(ErrorKind.THROTTLED, "flood control", retry_after=30))
    stats = await dispatcher(factory, channel).run_once()
    # the first reply is throttled; the chat's next ones do not overtake it; another
    # chat is not held up
    assert stats.retried == 1 and channel.said == ["lain"]
    await dispatcher(factory, channel).run_once()
    assert channel.said == ["lain"]
    make_due(factory)  # Telegram's retry_after has passed
    for _ in texts:
        await dispatcher(factory, channel).run_once()
    assert channel.said == ["lain", *texts]


class PausedAfterClaim(Dispatcher):
    """A worker that stops between its claim's commit and its request (a GC pause,
    SIGSTOP, a starved thread) until ``go`` is set."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.claimed = asyncio.Event()
        self.go = asyncio.Event()

    async def _claim(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        jobs = await super()._claim(*args, **kwargs)
        if jobs:
            self.claimed.set()
            await self.go.wait()
        return jobs


async def test_a_worker_paused_after_its_claim_does_not_send_late(factory) -> None:
    record_complaint(factory, draft("L-1"), "{}", "x")
    registry = Registry()
    timing = {"lease_seconds": 0.6, "request_timeout": 0.15}  # a request starts within 0.3 s
    late = PausedAfterClaim(
        factory,
        registry,
        {"*": Channel()},
        owner="late",
        calendar=NoHolidays(),
        limits=TenantLimits({"lampung": LaneLimits(concurrency=2)}),
        **timing,
    )
    paused = asyncio.create_task(late.run_once())
    await asyncio.wait_for(late.claimed.wait(), scaled(10))
    # its lease runs out meanwhile; another worker takes the job over and sends it
    other = dispatcher(factory, Channel(), registry, owner="other", **timing)
    async with asyncio.timeout(scaled(15)):
        while registry.submitted == 0:
            await other.run_once()
            await asyncio.sleep(0.05)
    late.go.set()
    stats = await asyncio.wait_for(paused, scaled(10))
    # the late worker let the job go unsent (its release fenced off: the lease is
    # another's): the registry got it once, from the worker that took it over
    assert registry.submitted == 1
    assert stats.by_kind.get("submit") == stats.lease_lost == 1
    with factory() as session:
        job = session.scalars(select(OutboxJob).where(OutboxJob.kind == "submit")).one()  # type: ignore[arg-type]
        assert job.state == "done"
    assert outcomes(factory, job.id) == ["ok"]  # type: ignore[arg-type]


async def test_a_chats_next_reply_goes_as_soon_as_the_one_before_is_out(factory) -> None:
    texts = ["Terima kasih.", "Apa yang terjadi?", "Di mana?"]
    chat = chat_key("telegram", "5012345678")
    add_jobs(factory, "reply", chat, [{"channel": "telegram", "to": "1", "text": t} for t in texts])
    channel = Channel()
    work = dispatcher(factory, channel)
    stop, waker = asyncio.Event(), Waker()
    # polling alone would take a reply every 30 s: each finished reply wakes the loop
    loop = asyncio.create_task(work.run_forever(stop, waker, poll_interval=30))
    try:
        async with asyncio.timeout(scaled(5)):
            while len(channel.said) < len(texts):
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        waker.poke()
        await loop
    assert channel.said == texts
