"""The Telegram channel at work in the gateway process: updates in, conversation, replies.

1. Webhook or polling hands each raw update to :meth:`TelegramChannel.accept`, which
   commits it (``inbound_message``) before Telegram is acknowledged.
2. One task per process takes stored updates in order (:meth:`TelegramChannel.process`):
   it fetches a photo if there is one, runs the conversation on the chat's stored state
   and commits the new state, the complaint it confirmed, the bot's answers (``reply``
   outbox jobs) and the update marked done together. A crash before that commit leaves
   the update stored and unprocessed: it is taken on the next start; a crash after it
   leaves the answers in the outbox.
3. The dispatcher sends the answers (in order per chat, at least once, waiting out
   Telegram's flood control) and the status changes through
   :class:`adapters.telegram.reply.TelegramReplier`. Only a button press's
   acknowledgement (``answerCallbackQuery``) is sent at once, best effort.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from telegram import Update
from telegram.error import TelegramError

from adapters.telegram import store
from adapters.telegram.bot import TenantBot, make_bot
from adapters.telegram.conversation import (
    ChatState,
    Context,
    Outcome,
    Photo,
    Say,
    Text,
    step,
)
from adapters.telegram.texts import say
from adapters.telegram.updates import Incoming, describe
from gateway import attachments, metrics
from gateway.channels import kept
from gateway.domain.complaint import (
    Attachment,
    ComplaintDraft,
    Location,
    Reporter,
    title_from_content,
)
from gateway.domain.status import status_words
from gateway.regions.resolve import region_at
from gateway.routing import route
from gateway.storage import intake
from gateway.storage.intake import IntakeItem
from gateway.storage.models import Complaint

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
        if inc.chat_id is None or (inc.event is None and inc.photo is None):
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
        event = inc.event
        info = await asyncio.to_thread(store.chat_info, self.factory, tb.id, chat)
        language = info.language or tb.tenant.spec.language
        if inc.photo is not None:
            event = await self._fetch_photo(tb, inc, language)
        assert event is not None
        commented: str | None = None
        if isinstance(event, Text) and inc.reply_to is not None:
            commented = await asyncio.to_thread(
                store.notified_complaint, self.factory, tb.id, chat, inc.reply_to
            )
        ctx = self._context(tb, inc)
        decided: dict[str, Outcome] = {}

        def decide(session: Session, stored: dict[str, Any], stored_language: str) -> store.Turn:
            state = ChatState.from_json(stored, language=stored_language)
            if commented is not None and isinstance(event, Text):
                decided["outcome"] = Outcome(state)
                author = None if inc.user_name is None else inc.user_name
                found = session.get(Complaint, commented)
                ref = (found.tracking_id if found else None) or "-"
                return store.Turn(
                    state.to_json(),
                    state.language,
                    comment=(commented, event.text, author),
                    says=[Say(say("comment_sent", state.language, ref=ref))],
                )
            outcome = step(state, event, ctx)
            decided["outcome"] = outcome
            lang = outcome.state.language
            turn = store.Turn(outcome.state.to_json(), lang, says=list(outcome.says))
            if outcome.status_query is not None:
                text = _status_text(session, tb.id, chat, outcome.status_query, lang)
                turn.says.append(Say(text))
            if outcome.submitted is not None and outcome.submitted_conv is not None:
                turn.item = self._intake_item(tb, inc, outcome)
            return turn

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

    def _context(self, tb: TenantBot, inc: Incoming) -> Context:
        tenant = tb.tenant
        catalogue = self.container.catalogue
        labels = {code: c.label or code for code, c in tenant.spec.categories.items()}

        def classify(text: str) -> tuple[str, bool]:
            found = tenant.classify(text)
            name = catalogue.topics.get(found.topic) or str(found.topic)
            return name, found.confident

        today = datetime.now(ZoneInfo(tb.settings.timezone)).date()
        return Context(
            tenant_name=tenant.spec.name,
            today=today,
            categories=labels,
            category_menu=tb.settings.category_menu,
            classify=classify,
            reporter=inc.user_name,
        )

    def _intake_item(self, tb: TenantBot, inc: Incoming, outcome: Outcome) -> IntakeItem:
        d = outcome.submitted
        assert d is not None and d.what is not None and inc.chat_id is not None
        assert outcome.submitted_conv is not None
        tenant = tb.tenant
        location = None
        if d.where or d.latitude is not None:
            location = Location(text=d.where, latitude=d.latitude, longitude=d.longitude)
        reporter = None
        if not d.anonymous and (inc.user_name or d.phone):
            reporter = Reporter(name=inc.user_name, phone=d.phone)
        draft = ComplaintDraft(
            tenant=tenant.id,
            channel="telegram",
            source_ref=store.complaint_ref(inc.chat_id, outcome.submitted_conv),
            title=title_from_content(d.what),
            content=d.what,
            category=d.category,
            # a shared location: the regency or city it lies in (gateway.regions)
            region_code=region_at(d.latitude, d.longitude, tenant.spec.region_code)
            or tenant.spec.region_code,
            location=location,
            incident_date=date.fromisoformat(d.when) if d.when else None,
            anonymous=bool(d.anonymous),
            reporter=reporter,
            attachments=[Attachment(**a) for a in d.photos],
            language=outcome.state.language,
        )
        draft = route(tenant, draft, self.container.catalogue)
        raw = {"update_id": inc.update_id, "chat_id": inc.chat_id, "report": asdict(d)}
        return IntakeItem(draft, json.dumps(raw, ensure_ascii=False), "application/json")

    async def _fetch_photo(self, tb: TenantBot, inc: Incoming, language: str) -> Photo:
        assert inc.photo is not None and inc.message_id is not None
        settings = self.container.settings
        limit = settings.max_attachment_bytes
        too_large = say("reason_too_large", language, mb=limit // (1024 * 1024))
        if inc.photo.file_size and inc.photo.file_size > limit:
            return Photo(None, inc.caption, inc.message_id, too_large)
        try:
            found = await tb.bot.get_file(inc.photo.file_id)
            data = bytes(await found.download_as_bytearray())
        except TelegramError as exc:
            log.warning("telegram photo not fetched", tenant=tb.id, error=exc.message)
            return Photo(None, inc.caption, inc.message_id, say("reason_download", language))
        if len(data) > limit:
            return Photo(None, inc.caption, inc.message_id, too_large)
        stored = await asyncio.to_thread(
            attachments.store,
            settings.attachments_dir,
            data,
            "image/jpeg",  # Telegram re-encodes every photo as JPEG
            filename=f"telegram-{inc.photo.file_unique_id}.jpg",
            public_url=settings.public_url,
        )
        return Photo(stored, inc.caption, inc.message_id)

    # --- out ----------------------------------------------------------------------

    async def _answer(self, tb: TenantBot, callback_id: str, notice: str | None) -> None:
        try:
            await tb.bot.answer_callback_query(callback_id, text=notice or None)
        except TelegramError as exc:  # too old to answer (Telegram allows ~15 minutes)
            log.info("telegram callback not answered", tenant=tb.id, error=exc.message)

    async def _finish(self, item: store.Pending, state: str, note: str | None) -> None:
        await asyncio.to_thread(store.finish, self.factory, item.id, state, note)


def _status_text(session: Session, tenant: str, chat: int, query: str, lang: str) -> str:
    """The answer to /status (the chat's reports) or /status <ID> (one of them)."""
    found = store.chat_complaints(session, tenant, chat, 10 if query == "*" else 500)
    if query == "*":
        if not found:
            return say("no_reports", lang)
        lines = [say("reports_header", lang)]
        for c in found:
            ref = c.tracking_id or say("pending_ref", lang)
            lines.append(
                say(
                    "report_line",
                    lang,
                    ref=ref,
                    status=status_words(c.status, lang),
                    title=c.title[:80],
                )
            )
        return "\n".join(lines)
    wanted = query.strip().upper()
    for c in found:
        if c.tracking_id and c.tracking_id.upper() == wanted:
            due = c.follow_up_due or c.verify_due
            return say(
                "report_detail",
                lang,
                ref=c.tracking_id,
                status=status_words(c.status, lang),
                agency=c.agency_name or "-",
                due=due.strftime("%d/%m/%Y") if due else "-",
                response=c.last_response or "-",
                title=c.title,
            )
    return say("report_not_found", lang, ref=query.strip()[:40])
