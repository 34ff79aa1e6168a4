"""The SMS channel at work: an SMS in, a complaint or an answer out.

Every transport (Kannel, Gammu SMSD, an HTTP aggregator) hands an SMS to
:meth:`SmsChannel.receive` with its own reference (``kannel:<message id>``,
``gammu:<inbox ID>``, ``http:<id>``). In one transaction the raw SMS is stored and,
for a report, its complaint and submit job; the same reference again (a Kannel
retry, a Gammu re-read) creates nothing. A command's answer (``STATUS``, ``INFO``,
``STOP``) is a ``reply`` outbox job written in the same transaction as the stored
SMS, so a crash cannot lose it; the dispatcher sends it (at least once, in order per
number) through :meth:`adapters.sms.reply.SmsReplier.say`. The acknowledgement with
the tracking ID, and every status change, go out from notify jobs.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from adapters.sms import gammu_poll, grammar
from adapters.sms.gammu import GammuDatabase
from adapters.sms.settings import CHANNEL, SmsSettings
from adapters.sms.texts import say
from adapters.sms.transports import Transport, make_transport
from gateway import metrics
from gateway.channels import kept
from gateway.domain.complaint import ComplaintDraft, Reporter, title_from_content
from gateway.domain.status import status_words
from gateway.phone import to_e164
from gateway.routing import route
from gateway.storage import chats, intake
from gateway.storage.claims import chat_key
from gateway.storage.engine import transaction
from gateway.storage.models import Complaint
from gateway.sync import wakeup
from gateway.tenants import Tenant

if TYPE_CHECKING:
    from gateway.bootstrap import Container

log = structlog.get_logger("gateway.sms")
KEY = "sms"
MIN_REPORT = 10


@dataclass(frozen=True)
class IncomingSms:
    ref: str  # "kannel:<id>", "gammu:<ID>", "http:<id>": unique per tenant
    sender: str  # as the SMS gateway wrote it
    text: str
    raw: dict[str, Any]  # what the transport delivered, stored as the raw input


@dataclass(frozen=True)
class Received:
    """What became of an SMS: a complaint, an answer, or nothing (a duplicate)."""

    duplicate: bool
    complaint_id: str | None = None
    answer: str | None = None
    answer_to: str | None = None  # the sender, as E.164
    quarantined: str | None = None


@dataclass
class SmsLine:
    """A tenant's SMS number: its settings and how replies leave."""

    tenant: Tenant
    channel_id: str
    settings: SmsSettings
    transport: Transport

    @property
    def id(self) -> str:
        return self.tenant.id


class SmsChannel:
    """Every tenant's SMS number in this process (routes, Gammu pollers, replier)."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.factory = container.factory
        self._lines: dict[str, SmsLine] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._gammu: dict[str, GammuDatabase] = {}

    @classmethod
    def of(cls, container: Container) -> SmsChannel:
        return kept(container, KEY, lambda: cls(container))

    @property
    def lines(self) -> dict[str, SmsLine]:
        if self._lines is None:
            self._lines = {}
            for tenant in self.container.tenants.values():
                for channel in tenant.spec.channels:
                    if channel.type == CHANNEL and channel.enabled and tenant.id not in self._lines:
                        settings = SmsSettings.model_validate(channel.settings)
                        transport = make_transport(tenant, settings, self.container.settings, self)
                        self._lines[tenant.id] = SmsLine(tenant, channel.id, settings, transport)
        return self._lines

    def gammu(self, line: SmsLine) -> GammuDatabase:
        found = self._gammu.get(line.id)
        if found is None:
            url = line.tenant.secrets["gammu_database_url"].get_secret_value()
            found = self._gammu[line.id] = GammuDatabase(url)
        return found

    # --- life ---------------------------------------------------------------------

    async def start(self) -> None:
        for line in self.lines.values():
            if line.settings.gateway == "gammu":
                self._tasks.append(
                    asyncio.create_task(self._poll_gammu(line), name=f"gammu-{line.id}")
                )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def aclose(self) -> None:
        await self.stop()
        for line in (self._lines or {}).values():
            await line.transport.aclose()
        for db in self._gammu.values():
            db.close()
        self._gammu.clear()
        self._lines = None

    async def _poll_gammu(self, line: SmsLine) -> None:
        """Read Gammu's inbox and sent items (:mod:`adapters.sms.gammu_poll`)."""
        await gammu_poll.poll(self, line)

    # --- in -----------------------------------------------------------------------

    async def receive(self, line: SmsLine, sms: IncomingSms) -> Received:
        """Store ``sms`` (and its complaint) and answer a command; raises if the database
        is down, so the SMS gateway tries again."""
        outcome = await asyncio.to_thread(self._store, line, sms)
        if outcome.complaint_id is not None and not outcome.duplicate:
            metrics.intake(line.id, CHANNEL, "accepted")
        if outcome.answer is not None:
            wakeup.announce_local()  # its reply job is committed: the dispatcher sends it
        return outcome

    def _store(self, line: SmsLine, sms: IncomingSms) -> Received:
        tenant = line.tenant
        phone = _phone(sms.sender)
        parsed = grammar.parse(sms.text)
        lang = line.settings.language
        raw = json.dumps(sms.raw, ensure_ascii=False)
        try:
            with transaction(self.factory) as session:
                if intake.inbound_exists(session, tenant.id, CHANNEL, sms.ref):
                    return Received(duplicate=True)
                if phone is None:
                    intake.add_inbound(
                        session,
                        tenant.id,
                        CHANNEL,
                        sms.ref,
                        raw,
                        intake.QUARANTINED,
                        note="sender is not a phone number",
                    )
                    return Received(False, quarantined="sender is not a phone number")
                # STOP blocks the number's notifications; any other SMS from it lifts that
                chats.mark_blocked(session, tenant.id, CHANNEL, phone, parsed.command == "stop")
                if parsed.command == "report" and len(parsed.text) >= MIN_REPORT:
                    draft = ComplaintDraft(
                        tenant=tenant.id,
                        channel=CHANNEL,
                        source_ref=sms.ref,
                        title=title_from_content(parsed.text),
                        content=parsed.text,
                        region_code=tenant.spec.region_code,
                        reporter=Reporter(phone=phone),
                        language=lang,
                    )
                    draft = route(tenant, draft, self.container.catalogue)
                    [result] = intake.insert_items(
                        session, [intake.IntakeItem(draft, raw, "application/json")]
                    )
                    return Received(False, complaint_id=result.complaint_id)
                intake.add_inbound(
                    session,
                    tenant.id,
                    CHANNEL,
                    sms.ref,
                    raw,
                    intake.PARSED,
                    note=f"command {parsed.command}",
                )
                answer = self._answer(session, line, parsed, phone)
                if answer is not None:
                    reply = {"channel": CHANNEL, "to": phone, "text": answer}
                    intake.add_job(session, "reply", tenant.id, chat_key(CHANNEL, phone), reply)
                return Received(False, answer=answer, answer_to=phone)
        except IntegrityError:  # the same SMS stored at the same moment by another request
            return Received(duplicate=True)

    def _answer(
        self, session: Any, line: SmsLine, parsed: grammar.Parsed, phone: str
    ) -> str | None:
        lang = line.settings.language
        tenant = line.tenant
        if parsed.command == "empty":
            return None
        if parsed.command == "stop":
            return say("stopped", lang)
        if parsed.command == "info":
            return say("info", lang, name=tenant.spec.name)
        if parsed.command == "report":  # the keyword without (enough) text
            return say("need_text", lang)
        query = select(Complaint).where(
            col(Complaint.tenant) == tenant.id, col(Complaint.reporter_phone) == phone
        )
        if parsed.tracking_id:
            found = session.scalars(
                query.where(col(Complaint.tracking_id) == parsed.tracking_id)
            ).first()
            if found is None:
                return say("not_found", lang, ref=parsed.tracking_id)
            return say(
                "detail",
                lang,
                ref=found.tracking_id,
                status=status_words(found.status, lang),
                agency=found.agency_name or "-",
                response=found.last_response or "-",
            )
        latest = list(session.scalars(query.order_by(col(Complaint.created_at).desc()).limit(3)))
        if not latest:
            return say("no_reports", lang)
        return "; ".join(
            say(
                "report_line",
                lang,
                ref=c.tracking_id or say("pending", lang),
                status=status_words(c.status, lang),
            )
            for c in latest
        )

    # --- out ----------------------------------------------------------------------

    async def send(self, line: SmsLine, to: str, text: str, complaint_id: str | None) -> None:
        """Send ``text`` (fitted to the line's parts) through its SMS gateway; recorded."""
        await line.transport.send(to, text, complaint_id)

    def is_blocked(self, tenant: str, phone: str) -> bool:
        return chats.chat_info(self.factory, tenant, CHANNEL, phone).blocked


def _phone(sender: str) -> str | None:
    try:
        return to_e164(sender)
    except ValueError:
        return None
