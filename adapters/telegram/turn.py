"""One update's turn: the channel-neutral turn (:mod:`gateway.chat.turn`) for a
Telegram chat. What is Telegram's here is only who the chat is (its numeric id, the
citizen's name, the bot's settings) and what a complaint's raw record keeps of the
update (its ``update_id`` and chat id).

:func:`decide` runs inside :func:`adapters.telegram.store.apply`'s transaction, so the
state, the complaint and the answers are committed together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from adapters.telegram import store
from adapters.telegram.bot import CHANNEL, TenantBot
from adapters.telegram.updates import Incoming
from gateway.chat import turn as chat_turn
from gateway.chat.state import ChatState, Context, Event, Outcome
from gateway.chat.turn import MIN_LIKELY, THANKS
from gateway.storage.intake import IntakeItem

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = ["MIN_LIKELY", "THANKS", "Taken", "context", "decide", "intake_item"]


@dataclass(frozen=True)
class Taken:
    """An update as the service hands it to :func:`decide`."""

    tb: TenantBot
    inc: Incoming
    event: Event
    #: the complaint of the notification this text replies to (a comment on it)
    commented: str | None
    now: datetime  # aware, in the tenant's zone

    def neutral(self) -> chat_turn.Taken:
        """The turn as the chat engine's database side takes it."""
        inc, tb = self.inc, self.tb
        assert inc.chat_id is not None
        chat = chat_turn.Chat(
            tenant=tb.tenant,
            channel=CHANNEL,
            chat_id=str(inc.chat_id),
            user_name=inc.user_name,
            timezone=tb.settings.timezone,
            category_menu=tb.settings.category_menu,
        )
        raw = {"update_id": inc.update_id, "chat_id": inc.chat_id}
        return chat_turn.Taken(chat, self.event, self.commented, self.now, raw)


def decide(
    container: Container, taken: Taken, session: Session, stored: dict[str, Any], language: str
) -> tuple[store.Turn, Outcome]:
    return chat_turn.decide(container, taken.neutral(), session, stored, language)


def context(container: Container, taken: Taken, session: Session, state: ChatState) -> Context:
    return chat_turn.context(container, taken.neutral(), session, state)


def intake_item(container: Container, taken: Taken, outcome: Outcome) -> IntakeItem:
    return chat_turn.intake_item(container, taken.neutral(), outcome)
