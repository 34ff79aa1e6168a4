"""The same complaint sent twice: the same text from the same sender within a day.

Citizens resend a complaint when no answer comes quickly (an SMS that seems lost, a
chat message typed again). Issue 18 counts the same text from the same sender within
24 hours as the same complaint: the channel answers with the complaint's tracking ID
instead of filing it again. :func:`find_repeat` is the lookup; every chat-like channel
(Telegram, SMS) calls it before it starts a new complaint.

Texts are compared after :func:`same_text`: letter case, accents, punctuation, emoji
and spacing do not count ("Jalan rusak!!" and "jalan  rusak" are the same text); any
other difference in the words does.

The sender is ``reporter_key``, as the channel knows them: a complaint is theirs when
its ``reporter_phone`` is that key (SMS: the E.164 number), or when its ``source_ref``
begins with the key and a colon (Telegram: ``<chat id>:<report number>``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.storage.models import Complaint

#: how long the same text from the same sender is the same complaint
WINDOW = timedelta(hours=24)
#: the sender's latest complaints in the window compared (a sender rarely files more)
LOOK_BACK = 50


@dataclass(frozen=True)
class Repeat:
    """The complaint a text repeats."""

    complaint_id: str
    tracking_id: str | None  # None: not in the national registry yet


def same_text(text: str) -> str:
    """``text`` as compared for repeats: lower case words of letters and digits."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return " ".join(kept.split())


def find_repeat(
    session: Session,
    tenant: str,
    channel: str,
    reporter_key: str,
    text: str,
    now: datetime,
    *,
    within: timedelta = WINDOW,
) -> Repeat | None:
    """The complaint ``text`` repeats, or None.

    It is one of ``tenant``'s complaints on ``channel`` from ``reporter_key`` (see the
    module's notes), created within ``within`` before ``now`` (aware), whose content is
    the same text (:func:`same_text`); the newest if several are. Reads in the
    caller's session, so a channel can decide and store in one transaction.
    """
    wanted = same_text(text)
    if not wanted or not reporter_key:
        return None
    since = now.astimezone(UTC) - within
    rows = session.execute(
        select(col(Complaint.id), col(Complaint.tracking_id), col(Complaint.content))
        .where(
            col(Complaint.tenant) == tenant,
            col(Complaint.channel) == channel,
            col(Complaint.created_at) >= since,
            or_(
                col(Complaint.reporter_phone) == reporter_key,
                col(Complaint.source_ref).startswith(f"{reporter_key}:", autoescape=True),
            ),
        )
        .order_by(col(Complaint.created_at).desc())
        .limit(LOOK_BACK)
    )
    for complaint_id, tracking_id, content in rows:
        if same_text(content) == wanted:
            return Repeat(complaint_id, tracking_id)
    return None
