"""Status changes and agency responses, told in the chat the complaint came from;
and the conversation's own messages (:meth:`TelegramReplier.say`, from reply jobs).

The text is the tenant's reply template for the status (``mappings``), in the chat's
language. A sent notification is recorded: the citizen's reply to it becomes a
comment on the complaint in the national registry. A chat that blocked the bot
gets nothing more (the job is done, not failed) until it writes again. Telegram's
flood control (429 ``retry_after``) fails the attempt as throttled: the job is
retried after the time Telegram asked for, and the chat's later messages wait. So
does a message whose turn in its chat's pace is not near
(:class:`adapters.telegram.bot.SendLimiter`): a busy chat waits, the others do not.
"""

from __future__ import annotations

import asyncio

import structlog

from adapters.telegram import store
from adapters.telegram.bot import Blocked, send_text
from adapters.telegram.service import TelegramChannel
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.ports import ChatReply, Notification
from gateway.replies import reply_text
from gateway.storage import queries

log = structlog.get_logger("gateway.notify")


class TelegramReplier:
    channel = "telegram"

    def __init__(self, telegram: TelegramChannel) -> None:
        self.telegram = telegram

    async def send(self, notification: Notification) -> None:
        tb = self.telegram.bots.get(notification.tenant)
        if tb is None:
            raise GatewayError(
                ErrorKind.PERMANENT, f"tenant {notification.tenant} has no telegram channel"
            )
        chat = store.chat_of(notification.source_ref)
        if chat is None:
            raise GatewayError(ErrorKind.PERMANENT, "the complaint's source_ref names no chat")
        factory = self.telegram.factory
        info = await asyncio.to_thread(store.chat_info, factory, tb.id, chat)
        if info.blocked:
            log.info(
                "notification skipped: the chat blocked the bot",
                tenant=tb.id,
                complaint_id=notification.complaint_id,
            )
            return
        complaint = await asyncio.to_thread(queries.complaint, factory, notification.complaint_id)
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, "the complaint does not exist")
        language = info.language or notification.language
        text = reply_text(tb.tenant, notification, complaint, language)
        try:
            sent = await send_text(tb, chat, text)
        except Blocked:
            await asyncio.to_thread(store.set_blocked, factory, tb.id, chat, True)
            log.info(
                "telegram chat blocked the bot; notifications stop",
                tenant=tb.id,
                complaint_id=complaint.id,
            )
            return
        await asyncio.to_thread(
            store.record_sent, factory, tb.id, chat, sent.message_id, complaint.id
        )

    async def say(self, reply: ChatReply) -> None:
        """A conversation's message to its chat; a chat that blocked the bot is skipped."""
        tb = self.telegram.bots.get(reply.tenant)
        if tb is None:
            raise GatewayError(
                ErrorKind.PERMANENT, f"tenant {reply.tenant} has no telegram channel"
            )
        chat = int(reply.to)
        try:
            await send_text(tb, chat, reply.text, reply.buttons)
        except Blocked:
            await asyncio.to_thread(store.set_blocked, self.telegram.factory, tb.id, chat, True)
            log.info("telegram reply skipped: the chat blocked the bot", tenant=tb.id)
