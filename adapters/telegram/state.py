"""The conversation's values: a chat's state, the events that move it, the outcome.

Plain dataclasses, JSON-friendly (the state is stored in ``chat_session.state``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

#: a chat's latest message ids kept: one redelivered under a new update_id is not taken twice
SEEN = 50


@dataclass
class Draft:
    what: str | None = None
    category: str | None = None
    where: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    when: str | None = None  # ISO date
    when_asked: bool = False  # asked once and skipped/answered: do not ask again
    photos: list[dict[str, Any]] = field(default_factory=list)
    anonymous: bool | None = None
    phone: str | None = None
    guided: bool = False


@dataclass
class ChatState:
    language: str = "id"
    step: str = "idle"  # idle what category where when photo anonymous confirm
    #: this chat's report number: keys the report's buttons and its complaint's source_ref
    conv: int | None = None
    reports: int = 0  # reports begun in this chat
    draft: Draft = field(default_factory=Draft)
    #: the chat's latest message ids: one redelivered under a new update_id is not taken twice
    seen: list[int] = field(default_factory=list)

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
            seen=[int(m) for m in data.get("seen", [])][-SEEN:],
        )


_DRAFT = set(Draft.__dataclass_fields__)

# --- events --------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str  # without the slash, lower case, without @botname
    args: str
    message_id: int


@dataclass(frozen=True)
class Text:
    text: str
    message_id: int


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    message_id: int


@dataclass(frozen=True)
class Photo:
    attachment: dict[str, Any] | None  # None: it could not be kept (see error)
    caption: str | None
    message_id: int
    error: str | None = None  # what to tell the citizen, in their language


@dataclass(frozen=True)
class Contact:
    phone: str | None  # E.164; None when it is not the sender's own number
    message_id: int


@dataclass(frozen=True)
class Button:
    data: str


@dataclass(frozen=True)
class Unsupported:
    kind: str
    message_id: int


Event = Command | Text | Location | Photo | Contact | Button | Unsupported

# --- outcome -------------------------------------------------------------------

Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback data)


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


@dataclass(frozen=True)
class Context:
    """What the conversation needs to know about the tenant and the day."""

    tenant_name: str
    today: date
    categories: Mapping[str, str]  # code -> label, for the category menu
    category_menu: bool
    #: the topic's label the classifier would give, and whether it is sure
    classify: Callable[[str], tuple[str, bool]]
    #: the citizen's name as Telegram gives it (shown in the summary unless anonymous)
    reporter: str | None = None
