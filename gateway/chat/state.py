"""The conversation's values: a chat's state, the events that move it, the outcome.

Plain dataclasses, JSON-friendly (the state is stored in ``chat_session.state``). The
events are what any channel's messages become: a channel fills them from its own
message kinds (a Telegram update, a WhatsApp message) and nothing in them is tied to
one channel; a :class:`Button` carries the id of the choice pressed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from gateway.chat.choices import Keyboard
from gateway.storage.repeats import Repeat
from gateway.understanding.intent import Intent, read_intent
from gateway.understanding.place import Place, find_place
from gateway.understanding.when import When, find_when

#: a message's id in its chat: Telegram's are numbers, WhatsApp's strings (``wamid.…``)
MessageId = int | str

#: a chat's latest message ids kept: one redelivered under a new update_id is not taken twice
SEEN = 50


@dataclass
class Draft:
    what: str | None = None  # the citizen's text, paragraphs kept
    category: str | None = None
    #: the national topic the citizen chose among the likely ones
    topic_id: int | None = None
    topic_other: bool = False  # none of the likely topics: routing decides (flagged)
    where: str | None = None
    #: the gazetteer's code of the regency or city ``where`` names (understanding)
    where_region: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    when: str | None = None  # ISO date
    when_time: str | None = None  # HH:MM, local, when the text says a time
    when_asked: bool = False  # asked once and skipped/answered: do not ask again
    #: the attachments kept (photos and documents), canonical Attachment dicts
    photos: list[dict[str, Any]] = field(default_factory=list)
    anonymous: bool | None = None
    phone: str | None = None
    guided: bool = False


@dataclass
class ChatState:
    language: str = "id"
    #: idle what category where when photo topic confirm (and "anonymous", of old states)
    step: str = "idle"
    #: this chat's report number: keys the report's buttons and its complaint's source_ref
    conv: int | None = None
    reports: int = 0  # reports begun in this chat
    draft: Draft = field(default_factory=Draft)
    #: the chat's latest message ids: one redelivered under a new update_id is not taken twice
    seen: list[MessageId] = field(default_factory=list)
    #: a new report asked for while this one is open, waiting for keep-or-replace:
    #: its text ("" for a bare /lapor); with no report open, a text read as thanks,
    #: chatter or a status question, offered as a report with a button
    pending: str | None = None
    #: the pending text was typed over the open report: it may be added to it
    pending_add: bool = False
    #: when the conversation last said something (ISO, UTC): a status notification sent
    #: after it is the last message the chat read from the gateway
    said_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], language: str = "id") -> ChatState:
        if not data:
            return cls(language=language)
        draft = Draft(**{k: v for k, v in dict(data.get("draft") or {}).items() if k in _DRAFT})
        return cls(
            language=str(data.get("language", language)),
            step=str(data.get("step", "idle")),
            conv=data.get("conv"),
            reports=int(data.get("reports", 0)),
            draft=draft,
            seen=[m if isinstance(m, str) else int(m) for m in data.get("seen", [])][-SEEN:],
            pending=data.get("pending"),
            pending_add=bool(data.get("pending_add", False)),
            said_at=data.get("said_at"),
        )


_DRAFT = set(Draft.__dataclass_fields__)

# --- events --------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str  # without the slash, lower case, without @botname
    args: str
    message_id: MessageId


@dataclass(frozen=True)
class Text:
    text: str
    message_id: MessageId


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    message_id: MessageId


@dataclass(frozen=True)
class Photo:
    attachment: dict[str, Any] | None  # None: it could not be kept (see error)
    caption: str | None
    message_id: MessageId
    error: str | None = None  # what to tell the citizen, in their language


@dataclass(frozen=True)
class Document:
    """A file sent as a document (PDF, an image kept uncompressed)."""

    attachment: dict[str, Any] | None  # None: it could not be kept (see error)
    caption: str | None
    message_id: MessageId
    error: str | None = None  # what to tell the citizen, in their language


@dataclass(frozen=True)
class Venue:
    """A place picked from the map: its name and address are the place."""

    title: str
    address: str | None
    latitude: float
    longitude: float
    message_id: MessageId


@dataclass(frozen=True)
class Contact:
    phone: str | None  # E.164; None when it is not the sender's own number
    message_id: MessageId


@dataclass(frozen=True)
class Button:
    data: str


@dataclass(frozen=True)
class Unsupported:
    kind: str
    message_id: MessageId


Event = Command | Text | Location | Venue | Photo | Document | Contact | Button | Unsupported

# --- outcome -------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    text: str
    buttons: Keyboard | None = None


@dataclass
class Outcome:
    state: ChatState
    says: list[Say] = field(default_factory=list)
    #: the answer to a button press (a small notice on the citizen's screen)
    notice: str | None = None
    #: the report is confirmed: file ``submitted`` (the draft as it was) as a complaint
    submitted: Draft | None = None
    submitted_conv: int | None = None
    #: list the chat's complaints ("*") or show one (its tracking ID)
    status_query: str | None = None
    #: more about an open complaint: (complaint id, text) for the registry, as a comment
    comment: tuple[str, str] | None = None
    #: said after the answer to a status query (which the service adds)
    later: list[Say] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """What the classifier makes of a text: its topic's name, whether it is sure, and
    the likely topics (id, name), best first, when it is not."""

    topic: str
    confident: bool
    candidates: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Context:
    """What the conversation needs to know about the tenant, the chat and the moment.

    The readers default to :mod:`gateway.understanding`; the service binds them to the
    tenant's region, and tests may replace them.
    """

    tenant_name: str
    today: date
    categories: Mapping[str, str]  # code -> label, for the category menu
    category_menu: bool
    classify: Callable[[str], Reading]
    #: the moment the message is taken, aware, in the tenant's zone (``today`` is its date)
    now: datetime
    #: the citizen's name as the channel gives it (shown in the summary unless anonymous)
    reporter: str | None = None
    #: national topic id -> name: a chosen topic must be one of them
    topic_names: Mapping[int, str] = field(default_factory=dict)
    read_place: Callable[[str], Place | None] = find_place
    read_when: Callable[[str, datetime], When | None] = lambda text, now: find_when(text, now=now)
    read_intent: Callable[[str, bool, bool], Intent] = lambda text, open_, after: read_intent(
        text, open_complaint=open_, after_status=after
    )
    #: the complaint a new text repeats (same text, same chat, within 24 hours)
    repeat_of: Callable[[str], Repeat | None] = lambda text: None
    #: the chat has a complaint that is not finished
    open_complaint: bool = False
    #: the last message the chat got from the gateway was a status message (3 days)
    after_status: bool = False
    #: where "more about it" goes: (complaint id, its tracking ID or "") ; None: nowhere
    comment_target: tuple[str, str] | None = None
