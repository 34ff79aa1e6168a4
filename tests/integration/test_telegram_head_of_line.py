"""A busy Telegram chat delays only itself (issue 21, point 5), on SQLite and PostgreSQL.

Telegram lets a bot send about one message a second to a chat, so a chat that writes
many messages at once gets its answers paced. The dispatcher claims the oldest jobs
due first and a send waiting for its chat's turn holds one of the tenant's slots:
if busy chats' sends waited in every slot, another chat's answer would wait behind
all of them. Here the replies go through the real sender (:mod:`adapters.telegram.bot`)
to the fake Bot API over loopback, from the dispatcher's loop.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.request import HTTPXRequest

from adapters.telegram.bot import SendLimiter, TelegramSettings, TenantBot
from adapters.telegram.reply import TelegramReplier
from gateway.domain.sla import NoHolidays
from gateway.storage.claims import chat_key
from gateway.storage.engine import transaction
from gateway.storage.intake import add_job
from gateway.storage.models import OutboxJob
from gateway.sync.dispatcher import Dispatcher
from gateway.sync.limits import LaneLimits, TenantLimits
from gateway.sync.wakeup import Waker
from tests.fakes.telegram_api import FakeTelegram, serve_fake_telegram
from tests.support import TENANT_ENV, scaled

pytestmark = pytest.mark.anyio

TOKEN = TENANT_ENV["GATEWAY_SUMBAR_TELEGRAM_BOT_TOKEN"]
BUSY = [5_200_000_001 + n for n in range(4)]
OTHER = 5_200_000_999
EACH = 4  # replies to each busy chat: its burst of 3, then one at its next turn
SLOTS = 3  # the tenant's notify slots: fewer than the busy chats
CHAT_RATE = 0.2  # a chat's turn every 5 s: a wait in a slot would be long


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> Iterator[tuple[FakeTelegram, str]]:
    with serve_fake_telegram(TOKEN) as served:
        yield served


def replies(factory: sessionmaker[Session], chat: int, texts: list[str]) -> None:
    with transaction(factory) as session:
        for text in texts:
            payload = {"channel": "telegram", "to": str(chat), "text": text}
            add_job(session, "reply", "lampung", chat_key("telegram", str(chat)), payload)


def arrivals(fake: FakeTelegram, chat: int) -> list[tuple[float, str]]:
    """When each message to ``chat`` arrived at the fake, and its text."""
    return [
        (call.at, str(call.params.get("text")))
        for call in fake.calls
        if call.method == "sendMessage" and not call.failed and call.params["chat_id"] == chat
    ]


def states(factory: sessionmaker[Session]) -> Counter[str]:
    with factory() as session:
        return Counter(session.scalars(select(OutboxJob.state)))  # type: ignore[call-overload]


async def test_a_busy_chat_does_not_hold_up_another_chats_answer(
    factory: sessionmaker[Session], fake: tuple[FakeTelegram, str]
) -> None:
    telegram, url = fake
    settings = TelegramSettings(chat_rate=CHAT_RATE)
    request = HTTPXRequest(connection_pool_size=16, read_timeout=scaled(10))
    bot = Bot(TOKEN, base_url=f"{url}/bot", request=request)
    limiter = SendLimiter(settings.rate, settings.chat_rate)
    tb = TenantBot(SimpleNamespace(id="lampung"), settings, bot, (request, request), None, limiter)  # type: ignore[arg-type]
    replier = TelegramReplier(SimpleNamespace(bots={"lampung": tb}, factory=factory))  # type: ignore[arg-type]
    texts = {chat: [f"jawaban {n} untuk {chat}" for n in range(EACH)] for chat in BUSY}
    for chat in BUSY:
        replies(factory, chat, texts[chat])
    work = Dispatcher(
        factory,
        object(),  # type: ignore[arg-type]
        {"telegram": replier},
        owner="w",
        calendar=NoHolidays(),
        limits=TenantLimits({"lampung": LaneLimits(concurrency=1)}),
        notify_concurrency=SLOTS,
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(work.run_forever(stop, Waker(), poll_interval=0.05))
    try:
        async with asyncio.timeout(scaled(30)):
            # the busy chats' bursts are out: their next replies wait for their turns
            while any(len(arrivals(telegram, chat)) < 3 for chat in BUSY):
                await asyncio.sleep(0.02)
            written = time.monotonic()
            await asyncio.to_thread(replies, factory, OTHER, ["Selamat datang"])
            while not arrivals(telegram, OTHER):
                await asyncio.sleep(0.02)
            answered = arrivals(telegram, OTHER)[0][0] - written
            while states(factory) != Counter(done=len(BUSY) * EACH + 1):
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await loop
        await request.shutdown()
    # the other chat's answer did not wait for the busy chats' paced replies (their
    # next turn is 5 s away; before the fix it came after them)
    assert answered < scaled(1.0), f"the other chat waited {answered:.2f} s"
    assert [text for _, text in arrivals(telegram, OTHER)] == ["Selamat datang"]
    for chat in BUSY:
        sent = arrivals(telegram, chat)
        # each reply once, in order, and the chat's pace kept: 3 at once, then its turns
        assert [text for _, text in sent] == texts[chat]
        first = sent[0][0]
        for n, (at, _) in enumerate(sent[3:], start=1):
            assert at - first >= n / settings.chat_rate - 0.05, (chat, n, at - first)
