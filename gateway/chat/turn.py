"""One chat message's turn, on any chat channel, decided under the chat's lock: the
engine's :func:`~gateway.chat.engine.step` with what it needs from the database (the
chat's complaints, a repeated text), and what it leads to (the complaint to file, a
comment for the registry, the answers).

A channel hands :func:`decide` a :class:`Taken`: its message as an engine event, the
chat (the channel's name and the chat's id as a string), and what the complaint's raw
record keeps of the message. :func:`decide` runs inside
:func:`gateway.chat.store.apply`'s transaction, so the state, the complaint and the
answers are committed together.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gateway.chat import reports
from gateway.chat.choices import typed
from gateway.chat.engine import open_choices, step
from gateway.chat.state import (
    Button,
    ChatState,
    Context,
    Event,
    Outcome,
    Reading,
    Say,
    Text,
)
from gateway.chat.store import Turn
from gateway.chat.texts import say
from gateway.domain.complaint import (
    REGION_CODE,
    Attachment,
    ComplaintDraft,
    Location,
    Reporter,
    title_from_content,
)
from gateway.regions.resolve import region_at
from gateway.routing import route
from gateway.storage.intake import IntakeItem
from gateway.storage.models import Complaint
from gateway.storage.repeats import Repeat, find_repeat
from gateway.understanding.intent import IntentKind, read_intent
from gateway.understanding.place import Place, find_place

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.tenants import Tenant

THANKS = IntentKind.THANKS
#: a likely topic offered as a button has at least this probability (the first always)
MIN_LIKELY = 0.05


@dataclass(frozen=True)
class Chat:
    """Who a turn is with: one chat of a tenant's channel."""

    tenant: Tenant
    channel: str  # "telegram", "whatsapp"
    chat_id: str  # the chat's id on its channel (a WhatsApp wa_id is a phone number)
    #: the citizen's name as the channel gives it (the reporter, a comment's author)
    user_name: str | None = None
    timezone: str = "Asia/Jakarta"
    #: offer the tenant's categories as choices when the text does not say enough
    category_menu: bool = True


@dataclass(frozen=True)
class Taken:
    """A message as a channel hands it to :func:`decide`."""

    chat: Chat
    event: Event
    #: the complaint of the notification this text replies to (a comment on it)
    commented: str | None
    now: datetime  # aware, in the tenant's zone
    #: what a confirmed complaint's raw record keeps of the message (its ids); the
    #: report is added under "report"
    raw: Mapping[str, Any] = field(default_factory=dict)
    #: the channel shows only some choices (WhatsApp): a typed text naming one of the
    #: open question's choices is that choice pressed
    typed_choices: bool = False


def decide(
    container: Container, taken: Taken, session: Session, stored: dict[str, Any], language: str
) -> tuple[Turn, Outcome]:
    chat, event = taken.chat, taken.event
    state = ChatState.from_json(stored, language=language)
    if taken.commented is not None and isinstance(event, Text):
        # a reply to a notification is about its complaint: a comment, unless it only
        # thanks (answered here, nothing for the registry)
        state.said_at = taken.now.astimezone(UTC).isoformat()
        if read_intent(event.text, open_complaint=True, after_status=True).kind == THANKS:
            says = [Say(say("thanks_reply", state.language))]
            return Turn(state.to_json(), state.language, says=says), Outcome(state)
        found = session.get(Complaint, taken.commented)
        ref = (found.tracking_id if found else None) or "-"
        turn = Turn(
            state.to_json(),
            state.language,
            comment=(taken.commented, event.text, _author(found, chat)),
            says=[Say(say("comment_sent", state.language, ref=ref))],
        )
        return turn, Outcome(state)
    ctx = context(container, taken, session, state)
    if taken.typed_choices and isinstance(event, Text):
        chosen = typed(event.text, open_choices(state, ctx))
        if chosen is not None:
            event = Button(chosen.id)
    outcome = step(state, event, ctx)
    lang = outcome.state.language
    turn = Turn(outcome.state.to_json(), lang, says=list(outcome.says))
    if outcome.status_query is not None:
        text = reports.status_text(
            session, chat.tenant.id, chat.channel, chat.chat_id, outcome.status_query, lang
        )
        turn.says.append(Say(text))
    turn.says.extend(outcome.later)
    if outcome.comment is not None:
        complaint_id, text = outcome.comment
        turn.comment = (complaint_id, text, _author(session.get(Complaint, complaint_id), chat))
    if outcome.submitted is not None and outcome.submitted_conv is not None:
        turn.item = intake_item(container, taken, outcome)
    return turn, outcome


def _author(complaint: Complaint | None, chat: Chat) -> str | None:
    """A comment's author as the registry shows it: nobody's name on an anonymous
    complaint."""
    return None if complaint is None or complaint.anonymous else chat.user_name


def context(container: Container, taken: Taken, session: Session, state: ChatState) -> Context:
    chat, now = taken.chat, taken.now
    tenant = chat.tenant
    topics = container.catalogue.topics
    labels = {code: c.label or code for code, c in tenant.spec.categories.items()}
    region = tenant.spec.region_code

    readings: dict[str, Reading] = {}  # a turn asks about the same text more than once

    def classify(text: str) -> Reading:
        if text not in readings:
            found = tenant.classify(text)
            likely = tuple(
                (t, topics[t])
                for n, (t, p) in enumerate(found.candidates)
                if t in topics and (n == 0 or p >= MIN_LIKELY)
            )
            name = topics.get(found.topic) or str(found.topic)
            readings[text] = Reading(name, found.confident, likely)
        return readings[text]

    def read_place(text: str) -> Place | None:
        return find_place(text, region_code=region)

    def repeat_of(text: str) -> Repeat | None:
        return find_repeat(session, tenant.id, chat.channel, chat.chat_id, text, now)

    facts = reports.chat_facts(session, tenant.id, chat.channel, chat.chat_id, state.said_at, now)
    return Context(
        tenant_name=tenant.spec.name,
        today=now.date(),
        categories=labels,
        category_menu=chat.category_menu,
        classify=classify,
        now=now,
        reporter=chat.user_name,
        topic_names=topics,
        read_place=read_place,
        repeat_of=repeat_of,
        open_complaint=facts.open_complaint,
        after_status=facts.after_status,
        comment_target=facts.comment_target,
    )


def intake_item(container: Container, taken: Taken, outcome: Outcome) -> IntakeItem:
    chat = taken.chat
    d = outcome.submitted
    assert d is not None and d.what is not None and outcome.submitted_conv is not None
    tenant = chat.tenant
    location = None
    if d.where or d.latitude is not None:
        location = Location(text=d.where, latitude=d.latitude, longitude=d.longitude)
    reporter = None
    if not d.anonymous and (chat.user_name or d.phone):
        reporter = Reporter(name=chat.user_name, phone=d.phone)
    region = tenant.spec.region_code
    # a shared location: the regency or city it lies in (gateway.regions); else the
    # one the text names, if it is inside the tenant's region
    named = d.where_region
    if not named or not named.startswith(region) or not REGION_CODE.match(named):
        named = None
    incident_at = None
    if d.when and d.when_time:
        local = datetime.combine(date.fromisoformat(d.when), time.fromisoformat(d.when_time))
        incident_at = local.replace(tzinfo=ZoneInfo(chat.timezone))
        if incident_at > taken.now:
            incident_at = None  # a time later today: the date stands alone
    draft = ComplaintDraft(
        tenant=tenant.id,
        channel=chat.channel,
        source_ref=reports.complaint_ref(chat.chat_id, outcome.submitted_conv),
        title=title_from_content(d.what),
        content=d.what,
        category=d.category,
        topic_id=d.topic_id,
        region_code=region_at(d.latitude, d.longitude, region) or named or region,
        location=location,
        incident_date=date.fromisoformat(d.when) if d.when else None,
        incident_at=incident_at,
        anonymous=bool(d.anonymous),
        reporter=reporter,
        attachments=[Attachment(**a) for a in d.photos],
        language=outcome.state.language,
    )
    draft = route(tenant, draft, container.catalogue)
    raw = {**taken.raw, "report": asdict(d)}
    return IntakeItem(draft, json.dumps(raw, ensure_ascii=False), "application/json")
