"""One python-telegram-bot ``Bot`` per tenant, its settings, and sending within
Telegram's limits.

Telegram allows about 30 messages a second per bot and about one a second per
chat; :class:`SendLimiter` keeps under both, and a chat's message whose turn is not
near is retried at its turn, so a busy chat delays only itself. A 429 carries
``retry_after``: the job (a reply or a notification) is retried after it.
A 403 (the citizen blocked the bot) is :class:`Blocked`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from adapters.telegram.state import Keyboard
from gateway.channels import ChannelProblem, channel_settings
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.mappings.spec import Channel, TenantSpec
from gateway.tenants import MappingError, Tenant

CHANNEL = "telegram"


class TelegramSettings(BaseModel):
    """``settings:`` of a tenant's telegram channel in its mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: webhook: Telegram posts to /channels/telegram/{tenant} (needs GATEWAY_PUBLIC_URL
    #: to register it); polling: the gateway asks Telegram (no public address needed)
    mode: Literal["webhook", "polling"] = "webhook"
    #: a local Bot API server instead of GATEWAY_TELEGRAM_API_URL
    api_url: str | None = None
    allowed_updates: list[str] = ["message", "callback_query", "my_chat_member"]
    #: offer the tenant's categories as buttons when the text does not say enough
    category_menu: bool = True
    timezone: str = "Asia/Jakarta"
    #: the bot's @username (asked of Telegram when not given): to see group messages
    #: addressed to it
    bot_username: str | None = None
    #: sends per second for the whole bot, and per chat
    rate: float = Field(25.0, gt=0)
    chat_rate: float = Field(1.0, gt=0)


@dataclass
class TenantBot:
    tenant: Tenant
    settings: TelegramSettings
    bot: Bot
    requests: tuple[HTTPXRequest, HTTPXRequest]
    webhook_secret: str | None
    limiter: SendLimiter
    learned_username: str | None = None

    @property
    def id(self) -> str:
        return self.tenant.id

    @property
    def username(self) -> str | None:
        return self.settings.bot_username or self.learned_username


def telegram_channel(tenant: Tenant) -> Any | None:
    for channel in tenant.spec.channels:
        if channel.type == CHANNEL and channel.enabled:
            return channel
    return None


def make_bot(tenant: Tenant, default_api_url: str) -> TenantBot | None:
    """The tenant's bot, or None when its mapping has no enabled telegram channel."""
    channel = telegram_channel(tenant)
    if channel is None:
        return None
    settings = TelegramSettings.model_validate(channel.settings)  # checked at load
    token = tenant.secrets.get("telegram_bot_token")
    secret = tenant.secrets.get("telegram_webhook_secret")
    if token is None or (settings.mode == "webhook" and secret is None):
        raise MappingError([f"{tenant.source}: channels.{channel.id}: its secrets are not set"])
    base = (settings.api_url or default_api_url).rstrip("/")
    # our own request objects: Bot.initialize() would call getMe at start-up, and its
    # InvalidToken message repeats the token
    requests = (
        HTTPXRequest(connection_pool_size=16, read_timeout=10),
        HTTPXRequest(connection_pool_size=2, read_timeout=60),  # getUpdates long polls
    )
    bot = Bot(
        token.get_secret_value(),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=requests[0],
        get_updates_request=requests[1],
    )
    return TenantBot(
        tenant,
        settings,
        bot,
        requests,
        secret.get_secret_value() if secret is not None else None,
        SendLimiter(settings.rate, settings.chat_rate),
    )


def check_channel(channel: Channel, spec: TenantSpec) -> list[ChannelProblem]:
    """A telegram channel's ``settings`` and the secrets it needs, for ``mappings check``."""
    settings, problems = channel_settings(TelegramSettings, channel, "telegram")
    names = spec.secrets.names()
    needed = ["telegram_bot_token"]
    if settings is None or settings.mode == "webhook":
        needed.append("telegram_webhook_secret")
    for key in needed:
        if key not in names:
            problems.append(
                (("type",), f"a telegram channel needs secrets.{key}: the NAME of an env var")
            )
    return problems


@dataclass
class SendLimiter:
    """Telegram's limits, without one busy chat holding the others up.

    The bot: a token bucket of ``rate`` sends a second, waited on. A chat: ``burst``
    sends at once, then one every ``1 / chat_rate`` seconds; each send books the chat's
    next free slot. A send waits for its slot only when the slot is near (``hold``
    seconds) and fewer than ``paced`` sends are already waiting for theirs. Any other
    is refused as throttled until its slot: its outbox job goes back to the queue and
    is retried then (nothing was sent, so nothing is lost or sent twice; a chat's
    replies stay in order, as only the oldest of its queue is ever claimed). A waiting
    send holds one of the dispatcher's slots for the tenant, and the oldest jobs due
    are claimed first: busy chats waiting in every slot would hold every other chat up.
    """

    rate: float
    chat_rate: float
    burst: float = 3.0
    hold: float = 1.0
    paced: int = 2
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(default=-1.0)
    _at: float = 0.0
    #: per chat: when its next send may go once its burst is spent
    _chats: dict[int, float] = field(default_factory=dict)
    #: per chat: the slot after those already given to refused sends
    _refused: dict[int, float] = field(default_factory=dict)
    _waiting: int = 0

    async def wait(self, chat_id: int) -> None:
        """Wait for the chat's slot and the bot's; raises :class:`GatewayError`
        (throttled, with the seconds until the chat's slot) instead of a long wait."""
        delay = self.book(chat_id)
        if delay > 0:
            self._waiting += 1
            try:
                await asyncio.sleep(delay)
            finally:
                self._waiting -= 1
        while (delay := self._take()) > 0:
            await asyncio.sleep(delay)

    def book(self, chat_id: int) -> float:
        """Book the chat's next free slot: the seconds until it; or refuse."""
        now = self.clock()
        interval = 1 / self.chat_rate
        due = max(self._chats.get(chat_id, now), now)
        delay = max(0.0, due - (self.burst - 1) * interval - now)
        if delay > 0 and (delay > self.hold or self._waiting >= self.paced):
            # refused sends come back one slot apart, not all at once
            slot = max(now + delay, self._refused.get(chat_id, 0.0))
            self._refused[chat_id] = slot + interval
            raise GatewayError(
                ErrorKind.THROTTLED,
                "the chat's pace: its next message later",
                retry_after=slot - now,
            )
        self._chats[chat_id] = due + interval
        if len(self._chats) + len(self._refused) > 10_000:  # forget chats whose burst is whole
            for chat in [c for c, at in self._chats.items() if at < now]:
                del self._chats[chat]
            for chat in [c for c, at in self._refused.items() if at < now]:
                del self._refused[chat]
        return delay

    def _take(self) -> float:
        """A token of the bot's bucket: 0, or the seconds until one."""
        now = self.clock()
        if self._tokens < 0:
            self._tokens, self._at = self.rate, now
        self._tokens = min(self.rate, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return (1 - self._tokens) / self.rate
        self._tokens -= 1
        return 0.0


class Blocked(Exception):
    """The chat blocked the bot, or no longer exists."""


def markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


async def send_text(
    tb: TenantBot, chat_id: int, text: str, buttons: Keyboard | None = None
) -> Message:
    """Send within the limits. Raises :class:`Blocked`, or :class:`GatewayError`
    (throttled with Telegram's ``retry_after``, retryable, or permanent)."""
    await tb.limiter.wait(chat_id)
    try:
        return await tb.bot.send_message(chat_id, text[:4096], reply_markup=markup(buttons))
    except Forbidden as exc:
        raise Blocked(str(exc)) from None
    except RetryAfter as exc:
        raise GatewayError(
            ErrorKind.THROTTLED, "Telegram flood control", retry_after=_seconds(exc)
        ) from None
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            raise Blocked(exc.message) from None
        raise GatewayError(ErrorKind.PERMANENT, f"Telegram refused: {exc.message}") from None
    except InvalidToken:
        raise GatewayError(
            ErrorKind.PERMANENT, f"Telegram rejected the bot token of {tb.id}"
        ) from None
    except TelegramError as exc:  # NetworkError, TimedOut: try again
        raise GatewayError(ErrorKind.RETRYABLE, f"Telegram: {exc.message}") from None


def _seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # a timedelta: PTB_TIMEDELTA is set by adapters.telegram
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
