"""Ports: what the core needs from the outside, as Protocols.

Implementations live outside the core: the HTTP client of the national
registry in :mod:`gateway.national`, channel repliers in ``adapters/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Submission:
    """What the gateway sends to ``POST /api/v1/complaints``."""

    external_ref: str
    title: str
    content: str
    classification: str
    topic_id: int | None
    agency_code: str | None
    region_code: str
    location: str | None
    latitude: float | None
    longitude: float | None
    incident_date: str | None
    anonymous: bool
    confidential: bool
    channel: str
    reporter_name: str | None
    reporter_phone: str | None
    reporter_email: str | None
    attachments: Sequence[dict[str, Any]] = ()
    #: the incident's moment when its time is known: ISO 8601 with the offset of the
    #: region's zone (``2026-03-21T14:05:00+08:00``); None sends no ``incident_at``
    incident_at: str | None = None


@dataclass(frozen=True)
class Receipt:
    """The registry's answer to a submission (or to a lookup that found it)."""

    tracking_id: str
    status: str
    created_at: datetime | None = None
    #: True when the registry already had this external_ref (409 or lookup).
    existing: bool = False


@dataclass(frozen=True)
class ChangeEvent:
    tracking_id: str
    external_ref: str | None
    status: str
    response: str | None
    at: datetime
    agency_code: str | None = None
    agency_name: str | None = None
    #: the national topic after this change, when the registry says it (verification
    #: may reclassify a complaint); None from a registry that does not
    topic_id: int | None = None


@dataclass(frozen=True)
class ChangesPage:
    events: list[ChangeEvent]
    next_cursor: str | None


@dataclass(frozen=True)
class HistoryEntry:
    status: str
    at: datetime
    response: str | None = None


@dataclass(frozen=True)
class RemoteComplaint:
    tracking_id: str
    external_ref: str | None
    status: str
    agency_code: str | None = None
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Topic:
    id: int
    parent_id: int | None
    name: str


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    level: str
    region_code: str | None


class NationalRegistry(Protocol):
    """The national registry as the gateway sees it, for one tenant's account.

    Every method raises :class:`gateway.domain.GatewayError` with a kind
    (retryable, throttled, permanent) on failure; nothing else escapes.
    """

    async def submit(self, submission: Submission) -> Receipt: ...

    async def find_by_external_ref(self, external_ref: str) -> Receipt | None: ...

    async def get(self, tracking_id: str) -> RemoteComplaint: ...

    async def changes(self, cursor: str | None, limit: int) -> ChangesPage: ...

    async def comment(self, tracking_id: str, text: str, author: str | None) -> None: ...

    async def topics(self) -> list[Topic]: ...

    async def agencies(self) -> list[Agency]: ...


class RegistryFactory(Protocol):
    """Gives the registry client of one tenant (each tenant has its own token)."""

    def for_tenant(self, tenant: str) -> NationalRegistry: ...


@dataclass(frozen=True)
class Notification:
    """A status change or response to tell the citizen or agent on their channel."""

    tenant: str
    channel: str
    complaint_id: str
    source_ref: str
    tracking_id: str | None
    status: str
    response: str | None
    language: str
    reply_to: dict[str, Any] = field(default_factory=dict)


class Replier(Protocol):
    """Sends a notification back on the channel a complaint came from."""

    channel: str

    async def send(self, notification: Notification) -> None: ...


@dataclass(frozen=True)
class ChatReply:
    """A message in a conversation: a question, a command's answer, a confirmation.

    Sent from a ``reply`` outbox job written with the state change that caused it;
    ``to`` is the channel's address (a Telegram chat id, an E.164 number).
    """

    tenant: str
    channel: str
    to: str
    text: str
    #: Telegram's inline keyboard: rows of (label, callback data)
    buttons: list[list[tuple[str, str]]] | None = None


@runtime_checkable
class ChatReplier(Protocol):
    """A replier that can also say a conversation's messages (chat channels)."""

    channel: str

    async def say(self, reply: ChatReply) -> None: ...
