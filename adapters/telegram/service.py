"""The Telegram channel at work in the gateway process: updates in, conversation, replies.

1. Webhook or polling hands each raw update to :meth:`TelegramChannel.accept`, which
   commits it (``inbound_message``) before Telegram is acknowledged.
2. One task per process takes stored updates in order (:meth:`TelegramChannel.process`):
   it fetches a photo or document if there is one (:mod:`.files`), runs the
   conversation on the chat's stored state (:mod:`.turn`) and commits the new state,
   the complaint it confirmed, a comment for the registry, the bot's answers
   (``reply`` outbox jobs) and the update marked done together. A crash before that
   commit leaves the update stored and unprocessed: it is taken on the next start; a
   crash after it leaves the answers in the outbox.
3. The dispatcher sends the answers (in order per chat, at least once, waiting out
   Telegram's flood control) and the status changes through
   :class:`adapters.telegram.reply.TelegramReplier`. Only a button press's
   acknowledgement (``answerCallbackQuery``) is sent at once, best effort.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from telegram import Update
from telegram.error import TelegramError

from adapters.telegram import files, store, turn
from adapters.telegram.bot import TenantBot, make_bot
from adapters.telegram.state import Outcome, Say, Text
from adapters.telegram.texts import say
from adapters.telegram.updates import Incoming, describe
from gateway import metrics
from gateway.channels import kept
from gateway.storage import intake

if TYPE_CHECKING:
    from gateway.bootstrap import Container

log = structlog.get_logger("gateway.telegram")
KEY = "telegram"


class TelegramChannel:
    """Every tenant's bot in this process; shared by the webhook, the poller and the replier."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.factory = container.factory
        self._bots: dict[str, TenantBot] | None = None
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    def of(cls, container: Container) -> TelegramChannel:
        return kept(container, KEY, lambda: cls(container))

    @property
    def bots(self) -> dict[str, TenantBot]:
        """Each tenant's bot, made when first needed (a bot's HTTP clients cost ~0.1 s)."""
        if self._bots is None:
            self._bots = {}
            for tenant in self.container.tenants.values():
                bot = make_bot(tenant, self.container.settings.telegram_api_url)
                if bot is not None:
                    self._bots[tenant.id] = bot
        return self._bots

    # --- life ---------------------------------------------------------------------

    async def start(self) -> None:
        if not self.bots:
            return
        self._wake = asyncio.Event()
        self._wake.set()  # updates stored before a crash or restart are taken first
        self._tasks.append(asyncio.create_task(self._process_loop(), name="telegram-updates"))
        public = self.container.settings.public_url
        for tb in self.bots.values():
            if tb.settings.mode == "polling":
                self._tasks.append(asyncio.create_task(self._poll(tb), name=f"telegram-{tb.id}"))
            elif public:
                await self._register_webhook(tb, public)
            else:
                log.warning(
                    "telegram webhook not registered: GATEWAY_PUBLIC_URL is not set",
                    tenant=tb.id,
                )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._wake = None

    async def aclose(self) -> None:
        """Close the bots' HTTP clients (with the container)."""
        await self.stop()
        for tb in (self._bots or {}).values():
            for request in tb.requests:
                await request.shutdown()
        self._bots = None

    async def _register_webhook(self, tb: TenantBot, public: str) -> None:
        url = f"{public.rstrip('/')}/channels/telegram/{tb.id}"
        try:
            await tb.bot.set_webhook(
                url,
                secret_token=tb.webhook_secret,
                allowed_updates=tb.settings.allowed_updates,
            )
        except TelegramError as exc:
            log.error("telegram webhook registration failed", tenant=tb.id, error=exc.message)
        else:
            log.info("telegram webhook registered", tenant=tb.id, url=url)

    # --- in -----------------------------------------------------------------------

    def wake(self) -> None:
        """Look for stored updates now (one an operator replayed); in the event loop."""
        if self._wake is not None:
            self._wake.set()

    async def accept(self, tenant: str, update_id: int, raw: str) -> bool:
        """Commit a raw update (raises if the database is down); False: seen before."""
        new = await asyncio.to_thread(store.store_update, self.factory, tenant, update_id, raw)
        if self._wake is not None:
            self._wake.set()
        return new

    async def _poll(self, tb: TenantBot) -> None:
        """getUpdates for a tenant without a public address. Telegram forgets an update
        once a later offset is asked for, which happens only after it is stored."""
        timeout = self.container.settings.telegram_poll_timeout
        offset: int | None = None
        pause = 1.0
        try:
            await tb.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        except TelegramError as exc:
            log.warning("telegram deleteWebhook failed", tenant=tb.id, error=exc.message)
        while True:
            try:
                updates = await tb.bot.get_updates(
                    offset=offset,
                    timeout=int(timeout),
                    allowed_updates=tb.settings.allowed_updates,
                )
                for update in updates:
                    raw = json.dumps(update.to_dict(), ensure_ascii=False)
                    await self.accept(tb.id, update.update_id, raw)
                    offset = update.update_id + 1
                pause = 1.0
            except asyncio.CancelledError:
                raise
            except (TelegramError, OperationalError) as exc:
                log.warning("telegram polling failed; retrying", tenant=tb.id, error=str(exc))
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    # --- processing ---------------------------------------------------------------

    async def _process_loop(self) -> None:
        assert self._wake is not None
        pause = 1.0
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while batch := await asyncio.to_thread(store.pending, self.factory):
                    for item in batch:
                        await self._process_one(item)
                pause = 1.0
            except asyncio.CancelledError:
                raise
            except OperationalError as exc:  # the database is away: try again shortly
                log.warning("telegram updates wait for the database", error=str(exc))
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                self._wake.set()

    async def _process_one(self, item: store.Pending) -> None:
        try:
            await self.process(item)
        except (asyncio.CancelledError, OperationalError):
            raise
        except Exception as exc:  # a bug or a shape we did not foresee: keep it for replay
            log.exception("telegram update quarantined", tenant=item.tenant)
            await asyncio.to_thread(
                store.finish, self.factory, item.id, intake.QUARANTINED, f"{type(exc).__name__}"
            )

    async def process(self, item: store.Pending) -> None:
        tb = self.bots.get(item.tenant)
        if tb is None:
            await self._finish(item, intake.IGNORED, "the tenant has no telegram channel now")
            return
        try:
            update = Update.de_json(json.loads(item.payload), tb.bot)
        except (ValueError, TypeError, KeyError) as exc:
            await self._finish(item, intake.QUARANTINED, f"not a Telegram update: {exc}")
            return
        inc = describe(update, await self._username(tb, update))
        if inc.blocked is not None and inc.chat_id is not None:
            await asyncio.to_thread(
                store.set_blocked, self.factory, tb.id, inc.chat_id, inc.blocked
            )
            await self._finish(item, intake.IGNORED, inc.ignored)
            return
        if inc.chat_id is None or (
            inc.event is None and inc.photo is None and inc.document is None
        ):
            if inc.callback_id is not None:
                await self._answer(tb, inc.callback_id, None)
            says: list[Say] = []
            if inc.group_address and inc.chat_id is not None:
                username = tb.settings.bot_username or "bot"
                says.append(Say(say("group", tb.tenant.spec.language, bot=username)))
            await asyncio.to_thread(
                store.finish,
                self.factory,
                item.id,
                intake.IGNORED,
                inc.ignored,
                tb.id,
                inc.chat_id,
                says,
            )
            return
        await self._converse(tb, item, inc)

    async def _converse(self, tb: TenantBot, item: store.Pending, inc: Incoming) -> None:
        assert inc.chat_id is not None
        chat = inc.chat_id
        info = await asyncio.to_thread(store.chat_info, self.factory, tb.id, chat)
        language = info.language or tb.tenant.spec.language
        settings = self.container.settings
        event = inc.event
        if inc.photo is not None:
            event = await files.fetch_photo(tb, inc, language, settings)
        elif inc.document is not None:
            event = await files.fetch_document(tb, inc, language, settings)
        assert event is not None
        commented: str | None = None
        if isinstance(event, Text) and inc.reply_to is not None:
            commented = await asyncio.to_thread(
                store.notified_complaint, self.factory, tb.id, chat, inc.reply_to
            )
        now = datetime.now(ZoneInfo(tb.settings.timezone))
        taken = turn.Taken(tb, inc, event, commented, now)
        decided: dict[str, Outcome] = {}

        def decide(session: Session, stored: dict[str, Any], stored_language: str) -> store.Turn:
            said, decided["outcome"] = turn.decide(
                self.container, taken, session, stored, stored_language
            )
            return said

        applied = await asyncio.to_thread(store.apply, self.factory, item.id, tb.id, chat, decide)
        if applied is None:
            return  # another process took it
        outcome = decided["outcome"]
        if applied.complaint is not None:
            metrics.intake(
                tb.id, "telegram", "accepted" if applied.complaint.created else "duplicate"
            )
        if inc.callback_id is not None:
            await self._answer(tb, inc.callback_id, outcome.notice)

    async def _username(self, tb: TenantBot, update: Update) -> str | None:
        """The bot's username, needed to see a group message addressed to it: from the
        mapping, else asked of Telegram once (getMe)."""
        message = update.message
        if tb.username is None and message is not None and message.chat.type != "private":
            try:
                me = await tb.bot.get_me()
            except TelegramError as exc:
                log.warning("telegram getMe failed", tenant=tb.id, error=exc.message)
            else:
                tb.learned_username = me.username
        return tb.username

    # --- out ----------------------------------------------------------------------

    async def _answer(self, tb: TenantBot, callback_id: str, notice: str | None) -> None:
        try:
            await tb.bot.answer_callback_query(callback_id, text=notice or None)
        except TelegramError as exc:  # too old to answer (Telegram allows ~15 minutes)
            log.info("telegram callback not answered", tenant=tb.id, error=exc.message)

    async def _finish(self, item: store.Pending, state: str, note: str | None) -> None:
        await asyncio.to_thread(store.finish, self.factory, item.id, state, note)
