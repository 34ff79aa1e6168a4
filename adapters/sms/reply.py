"""Status changes told by SMS: the tenant's reply template, fitted to the line's parts;
and the answers to commands (:meth:`SmsReplier.say`, from reply jobs).

The first SMS about an SMS complaint whose text named no place (the acknowledgement
with the tracking ID, or the status that superseded it) also asks where it happened;
the citizen's answer comes back as more about the complaint, a comment on it.
"""

from __future__ import annotations

import asyncio

import structlog

from adapters.sms import sender
from adapters.sms.gsm import split
from adapters.sms.service import SmsChannel
from adapters.sms.settings import CHANNEL
from adapters.sms.texts import say
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.status import Status
from gateway.ports import ChatReply, Notification
from gateway.replies import reply_text
from gateway.storage import queries
from gateway.storage.models import Complaint

log = structlog.get_logger("gateway.notify")


class SmsReplier:
    channel = "sms"

    def __init__(self, sms: SmsChannel) -> None:
        self.sms = sms

    async def send(self, notification: Notification) -> None:
        line = self.sms.lines.get(notification.tenant)
        if line is None:
            raise GatewayError(
                ErrorKind.PERMANENT, f"tenant {notification.tenant} has no SMS number"
            )
        complaint = await asyncio.to_thread(
            queries.complaint, self.sms.factory, notification.complaint_id
        )
        if complaint is None or complaint.reporter_phone is None:
            log.info("sms notification skipped: no number", complaint_id=notification.complaint_id)
            return
        phone = complaint.reporter_phone
        if await asyncio.to_thread(self.sms.is_blocked, line.id, phone):
            log.info("sms notification skipped: the number sent STOP", complaint_id=complaint.id)
            return
        language = line.settings.language
        text = reply_text(line.tenant, notification, complaint, language)
        if not await asyncio.to_thread(self._asks_place, notification, complaint):
            await self.sms.send(line, phone, text, complaint.id)
            return
        ask = say("ask_place", language)
        if split(f"{text} {ask}").count <= line.settings.max_parts:
            await self.sms.send(line, phone, f"{text} {ask}", complaint.id)
        else:  # the template fills the parts: the question goes on its own
            await self.sms.send(line, phone, text, complaint.id)
            await self.sms.send(line, phone, ask, complaint.id)

    def _asks_place(self, notification: Notification, complaint: Complaint) -> bool:
        """Whether this is the first SMS about an SMS complaint that names no place."""
        if complaint.channel != CHANNEL or complaint.location_text:
            return False
        if notification.status not in _ACKNOWLEDGING:
            return False
        with self.sms.factory() as session:
            return not sender.told_before(session, complaint.id)

    async def say(self, reply: ChatReply) -> None:
        """A command's answer to the number that sent it (STOP's answer too)."""
        line = self.sms.lines.get(reply.tenant)
        if line is None:
            raise GatewayError(ErrorKind.PERMANENT, f"tenant {reply.tenant} has no SMS number")
        await self.sms.send(line, reply.to, reply.text, None)


#: the statuses whose message may be the first about a complaint, while it is open
_ACKNOWLEDGING = frozenset({Status.SUBMITTED, Status.VERIFIED, Status.DISPATCHED})
