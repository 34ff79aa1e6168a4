"""Status changes told by SMS: the tenant's reply template, fitted to the line's parts;
and the answers to commands (:meth:`SmsReplier.say`, from reply jobs)."""

from __future__ import annotations

import asyncio

import structlog

from adapters.sms.service import SmsChannel
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.ports import ChatReply, Notification
from gateway.replies import reply_text
from gateway.storage import queries

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
        await self.sms.send(line, phone, text, complaint.id)

    async def say(self, reply: ChatReply) -> None:
        """A command's answer to the number that sent it (STOP's answer too)."""
        line = self.sms.lines.get(reply.tenant)
        if line is None:
            raise GatewayError(ErrorKind.PERMANENT, f"tenant {reply.tenant} has no SMS number")
        await self.sms.send(line, reply.to, reply.text, None)
