"""The SMS channel at work: an SMS in, a complaint or an answer out.

Every transport (Kannel, Gammu SMSD, an HTTP aggregator) hands an SMS to
:meth:`SmsChannel.receive` with its own reference (``kannel:<message id>``,
``gammu:<inbox ID>``, ``http:<id>``). In one transaction the raw SMS is stored, with
a note of what it was read as (:mod:`adapters.sms.reading`), and what it leads to:
a new complaint and its submit job; a comment job on the sender's open complaint; a
``reply`` outbox job with the answer (to a command, to thanks, to a repeated
complaint). The same reference again (a Kannel retry, a Gammu re-read) creates
nothing, and a crash before the commit leaves nothing, so the SMS gateway's retry
files it once. The dispatcher sends replies (at least once, in order per number)
through :meth:`adapters.sms.reply.SmsReplier.say`. The acknowledgement with the
tracking ID, and every status change, go out from notify jobs.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from adapters.sms import gammu_poll, grammar, reading, sender
from adapters.sms.gammu import GammuDatabase
from adapters.sms.settings import CHANNEL, SmsSettings
from adapters.sms.texts import say
from adapters.sms.transports import Transport, make_transport
from gateway import metrics
from gateway.channels import kept
from gateway.domain.complaint import ComplaintDraft, Reporter, title_from_content
from gateway.domain.zones import zone_or_wib
from gateway.phone import to_e164
from gateway.routing import route
from gateway.storage import chats, intake
from gateway.storage.claims import chat_key
from gateway.storage.engine import transaction
from gateway.storage.models import InboundMessage
from gateway.sync import wakeup
from gateway.tenants import Tenant

if TYPE_CHECKING:
    from gateway.bootstrap import Container

log = structlog.get_logger("gateway.sms")
KEY = "sms"


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
        raw = json.dumps(sms.raw, ensure_ascii=False)
        now = datetime.now(UTC)
        try:
            with transaction(self.factory) as session:
                if phone is not None:
                    sender.hold(session, tenant.id, phone)  # one SMS of a number at a time
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
                text = parsed.text if parsed.command == "report" else None
                known = sender.facts(session, tenant.id, phone, text, now)
                decision = reading.decide(parsed, known)
                if decision.action == "file":
                    return self._file(session, line, sms, parsed.text, phone, raw, now, decision)
                target = known.target if decision.action == "comment" else None
                intake.add_inbound(
                    session,
                    tenant.id,
                    CHANNEL,
                    sms.ref,
                    raw,
                    intake.PARSED,
                    note=decision.note,
                    complaint_id=target.complaint_id if target else None,
                )
                if target is not None:
                    comment = {"text": parsed.text, "author": None}
                    intake.add_job(session, "comment", tenant.id, target.complaint_id, comment)
                answer = self._answer(session, line, parsed, phone, decision.action, known)
                if answer is not None:
                    reply = {"channel": CHANNEL, "to": phone, "text": answer}
                    intake.add_job(session, "reply", tenant.id, chat_key(CHANNEL, phone), reply)
                log.info("sms read", tenant=tenant.id, ref=sms.ref, read_as=decision.note)
                return Received(False, answer=answer, answer_to=phone)
        except IntegrityError:  # the same SMS stored at the same moment by another request
            return Received(duplicate=True)

    def _file(
        self,
        session: Session,
        line: SmsLine,
        sms: IncomingSms,
        text: str,
        phone: str,
        raw: str,
        now: datetime,
        decision: reading.Decision,
    ) -> Received:
        """A new complaint from ``text``, with the place and time it names."""
        tenant = line.tenant
        region = tenant.spec.region_code
        found = reading.details(text, region, now.astimezone(zone_or_wib(region).info))
        draft = ComplaintDraft(
            tenant=tenant.id,
            channel=CHANNEL,
            source_ref=sms.ref,
            title=title_from_content(text),
            content=text,
            region_code=found.region_code or region,
            location=found.location,
            incident_date=found.incident_date,
            incident_at=found.incident_at,
            reporter=Reporter(phone=phone),
            language=line.settings.language,
        )
        draft = route(tenant, draft, self.container.catalogue)
        [result] = intake.insert_items(session, [intake.IntakeItem(draft, raw, "application/json")])
        note = decision.note + ("" if found.location else "; no place found")
        session.execute(
            update(InboundMessage)
            .where(
                col(InboundMessage.tenant) == tenant.id,
                col(InboundMessage.channel) == CHANNEL,
                col(InboundMessage.source_ref) == sms.ref,
            )
            .values(error=note)
        )
        log.info("sms read", tenant=tenant.id, ref=sms.ref, read_as=note)
        return Received(False, complaint_id=result.complaint_id)

    def _answer(
        self,
        session: Session,
        line: SmsLine,
        parsed: grammar.Parsed,
        phone: str,
        action: reading.Action,
        known: reading.Facts,
    ) -> str | None:
        lang = line.settings.language
        tenant = line.tenant
        if action == "stop":
            return say("stopped", lang)
        if action == "info":
            return say("info", lang, name=tenant.spec.name)
        if action == "need_text":
            return say("need_text", lang)
        if action == "thanks":
            return say("thanks", lang)
        if action == "repeat" and known.repeat is not None:
            ref = known.repeat.tracking_id
            return say("repeat", lang, ref=ref) if ref else say("repeat_pending", lang)
        if action == "comment" and known.target is not None:
            ref = known.target.tracking_id
            return say("more_sent", lang, ref=ref) if ref else say("more_pending", lang)
        if action == "status":
            wanted = parsed.tracking_id
            if parsed.command == "report":  # a question in free text
                wanted = grammar.tracking_id_in(parsed.text)
            return sender.status_answer(session, tenant.id, phone, wanted, lang)
        return None

    # --- out ----------------------------------------------------------------------

    async def send(self, line: SmsLine, to: str, text: str, complaint_id: str | None) -> None:
        """Send ``text`` (fitted to the line's parts) through its SMS gateway; recorded."""
        await line.transport.send(to, text, complaint_id)

    def is_blocked(self, tenant: str, phone: str) -> bool:
        return chats.chat_info(self.factory, tenant, CHANNEL, phone).blocked


def _phone(number: str) -> str | None:
    try:
        return to_e164(number)
    except ValueError:
        return None
