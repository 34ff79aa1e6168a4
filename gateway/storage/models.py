"""The gateway's tables. Times are aware UTC datetimes on every backend."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _big_pk() -> Any:
    """A 64-bit autoincrement key (SQLite only autoincrements INTEGER)."""
    big = BigInteger().with_variant(Integer(), "sqlite")
    return Field(default=None, sa_column=Column(big, primary_key=True, autoincrement=True))


class InboundMessage(SQLModel, table=True):
    """A channel's raw input, committed before the channel is acknowledged."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint("tenant", "channel", "source_ref", name="uq_inbound_source"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    source_ref: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    # accepted (stored, not parsed) | parsed | quarantined
    state: str = Field(max_length=16, index=True)
    error: str | None = Field(default=None, sa_column=Column(Text))
    complaint_id: str | None = Field(default=None, max_length=36)
    received_at: datetime


class Complaint(SQLModel, table=True):
    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("tenant", "channel", "source_ref", name="uq_complaint_source"),
        Index("ix_complaint_tenant_status", "tenant", "status"),
        Index("ix_complaint_status_created", "status", "created_at"),
        Index("ix_complaint_tenant_review", "tenant", "review_reason"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    source_ref: str = Field(max_length=200)
    external_ref: str = Field(max_length=64, unique=True)
    inbound_message_id: str | None = Field(default=None, max_length=36)

    title: str = Field(max_length=200)
    content: str = Field(sa_column=Column(Text, nullable=False))
    classification: str = Field(max_length=32)
    category: str | None = Field(default=None, max_length=64)
    topic_id: int | None = None
    #: given | category | keywords | model | default (gateway.routing)
    topic_source: str | None = Field(default=None, max_length=16)
    agency_code: str | None = Field(default=None, max_length=64)
    region_code: str = Field(max_length=16)
    #: set when routing was not sure: flagged for the national admin
    review_reason: str | None = Field(default=None, max_length=500)
    location_text: str | None = Field(default=None, max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    incident_date: date | None = None
    #: the incident's moment in UTC when its time of day is known (incident_date is
    #: then its date in the region's zone, gateway.domain.zones)
    incident_at: datetime | None = None
    anonymous: bool = False
    confidential: bool = False
    reporter_name: str | None = Field(default=None, max_length=200)
    reporter_phone: str | None = Field(default=None, max_length=20, index=True)
    reporter_email: str | None = Field(default=None, max_length=254)
    reporter_nik: str | None = Field(default=None, max_length=16)
    attachments: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    language: str = Field(default="id", max_length=8)

    status: str = Field(max_length=16)
    tracking_id: str | None = Field(default=None, max_length=64, unique=True)
    national_status: str | None = Field(default=None, max_length=32)
    agency_name: str | None = Field(default=None, max_length=300)
    last_response: str | None = Field(default=None, sa_column=Column(Text))
    failure_reason: str | None = Field(default=None, sa_column=Column(Text))
    submitted_at: datetime | None = None
    dispatched_at: datetime | None = None
    verify_due: date | None = None
    follow_up_due: date | None = None
    created_at: datetime
    updated_at: datetime


#: a status event's ``agency_code`` when the complaint had no agency (NULL: not known)
NO_AGENCY = ""


def event_agency(agency_code: str | None) -> str:
    """The ``agency_code`` a status event keeps for a complaint with this agency."""
    return agency_code or NO_AGENCY


class StatusEvent(SQLModel, table=True):
    """A complaint's history: the gateway's own steps and the national ones."""

    __tablename__ = "status_event"
    __table_args__ = (UniqueConstraint("complaint_id", "event_key", name="uq_status_event_key"),)

    id: int | None = _big_pk()
    complaint_id: str = Field(max_length=36, index=True)
    status: str = Field(max_length=16)
    national_status: str | None = Field(default=None, max_length=32)
    response: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    # gateway | national | operator
    source: str = Field(max_length=16)
    event_key: str | None = Field(default=None, max_length=200)
    #: the complaint's agency once the event was applied; ``NO_AGENCY`` when it had
    #: none, NULL for an event recorded before revision 0018 (agency not known)
    agency_code: str | None = Field(default=None, max_length=64)
    at: datetime
    recorded_at: datetime


class OutboxJob(SQLModel, table=True):
    """Everything that leaves the gateway: written with the change that caused it."""

    __tablename__ = "outbox_job"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        # a lane claims one kind of one tenant, oldest due first, without scanning
        # the rest of that tenant's backlog (notify jobs do not wait behind submits)
        Index("ix_outbox_claim", "tenant", "kind", "state", "next_attempt_at"),
        Index("ix_outbox_complaint", "complaint_id"),
        # a message to a citizen waits for the unfinished ones ahead in its queue
        Index("ix_outbox_order", "complaint_id", "kind", "tenant", "state"),
    )

    id: int | None = _big_pk()
    # submit | notify | comment | reply
    kind: str = Field(max_length=16)
    tenant: str = Field(max_length=64, index=True)
    # a reply job's: the chat it goes to (gateway.storage.queues.chat_key)
    complaint_id: str = Field(max_length=36)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # pending | running | done | failed
    state: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = None
    # the last attempt may have reached the registry: look up before sending again
    ambiguous: bool = False
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_error_kind: str | None = Field(default=None, max_length=32)
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None = None


class JobAttempt(SQLModel, table=True):
    __tablename__ = "job_attempt"

    id: int | None = _big_pk()
    job_id: int = Field(index=True, sa_type=BigInteger)
    attempt: int
    worker: str = Field(max_length=100)
    # ok | retry | throttled | failed | lease_lost | superseded
    outcome: str = Field(max_length=16)
    error: str | None = Field(default=None, sa_column=Column(Text))
    latency_ms: float | None = None
    started_at: datetime
    finished_at: datetime


class FeedCursor(SQLModel, table=True):
    """Where the status puller is in a tenant's national change feed."""

    __tablename__ = "feed_cursor"

    tenant: str = Field(primary_key=True, max_length=64)
    cursor: str | None = Field(default=None, max_length=200)
    events_applied: int = 0
    updated_at: datetime


class SingletonLease(SQLModel, table=True):
    """Work that one process at a time may do (following the change feed)."""

    __tablename__ = "singleton_lease"

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=100)
    expires_at: datetime
    updated_at: datetime


class TenantCircuit(SQLModel, table=True):
    """A process's circuit breaker towards the registry for one tenant, as it last saw it.

    Written by the process when its breaker changes state. The row counts while its
    writer lives: written, or the writer's heartbeat renewed, within ``stale_after``
    seconds (see :mod:`gateway.storage.circuits`); a dead process's state is ignored.
    """

    __tablename__ = "tenant_circuit"

    tenant: str = Field(primary_key=True, max_length=64)
    owner: str = Field(primary_key=True, max_length=100)
    # closed | open | half_open
    state: str = Field(max_length=16)
    failures: int = 0
    opened_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime
    #: seconds without a write or a heartbeat after which the writer counts as gone
    stale_after: float


class WorkerHeartbeat(SQLModel, table=True):
    """A dispatcher process that is alive: it shares each tenant's limits with its peers.

    Each process renews its row every few seconds; a row not renewed within the
    time-to-live belongs to a dead process and is deleted by whoever sees it.
    """

    __tablename__ = "worker_heartbeat"

    owner: str = Field(primary_key=True, max_length=100)
    started_at: datetime
    beat_at: datetime


class NationalTopic(SQLModel, table=True):
    """The national topic catalogue as last synced (``gateway catalog sync``)."""

    __tablename__ = "national_topic"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    parent_id: int | None = None
    name: str = Field(max_length=300)
    # set when a sync no longer finds it nationally; cleared if it comes back
    withdrawn_at: datetime | None = None
    synced_at: datetime


class NationalAgency(SQLModel, table=True):
    """The national agency catalogue as last synced."""

    __tablename__ = "national_agency"

    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=300)
    level: str = Field(max_length=32)
    region_code: str | None = Field(default=None, max_length=16)
    withdrawn_at: datetime | None = None
    synced_at: datetime


class ChatSession(SQLModel, table=True):
    """A chat channel's conversation with one chat (Telegram): it survives restarts."""

    __tablename__ = "chat_session"

    tenant: str = Field(primary_key=True, max_length=64)
    channel: str = Field(primary_key=True, max_length=32)
    chat_id: str = Field(primary_key=True, max_length=64)
    language: str = Field(default="id", max_length=8)
    #: the conversation's step and answers so far (JSON, owned by the adapter)
    state: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    #: the chat blocked the bot: no notifications until it writes again
    blocked_at: datetime | None = None
    updated_at: datetime


class ChatMessage(SQLModel, table=True):
    """A notification the gateway sent to a chat: a reply to it is a comment on its complaint."""

    __tablename__ = "chat_message"
    __table_args__ = (
        UniqueConstraint("tenant", "channel", "chat_id", "message_id", name="uq_chat_message"),
    )

    id: int | None = _big_pk()
    tenant: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    complaint_id: str = Field(max_length=36)
    sent_at: datetime


class SmsOutbound(SQLModel, table=True):
    """An SMS the gateway sent (a reply or a notification), and its delivery report."""

    __tablename__ = "sms_outbound"
    __table_args__ = (
        Index("ix_sms_outbound_ref", "transport", "transport_ref"),
        # Gammu replies whose outcome is still to be read from its sentitems
        Index("ix_sms_outbound_open", "tenant", "transport", "status"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    complaint_id: str | None = Field(default=None, max_length=36, index=True)
    to_number: str = Field(max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    encoding: str = Field(max_length=8)  # gsm7 | ucs2
    parts: int
    transport: str = Field(max_length=16)  # kannel | gammu | http
    transport_ref: str | None = Field(default=None, max_length=100)
    # sending | queued (in Gammu's outbox) | sent (handed to the SMSC) | delivered | failed
    status: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=300)
    # how often it was handed to the SMS gateway (Gammu: queued again after SendingError)
    attempts: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime
    updated_at: datetime


class WhatsAppMessage(SQLModel, table=True):
    """A WhatsApp message the gateway sent, and how far it got (its statuses only move
    forward: accepted, sent, delivered, read; failed keeps Meta's error code)."""

    __tablename__ = "whatsapp_message"

    tenant: str = Field(primary_key=True, max_length=64)
    #: Meta's id of the message (``wamid.…``)
    message_id: str = Field(primary_key=True, max_length=128)
    #: the chat's key (``gateway.storage.queues.chat_key``), never the phone number
    recipient: str | None = Field(default=None, max_length=64)
    complaint_id: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=16)
    error_code: int | None = None
    error_title: str | None = Field(default=None, max_length=300)
    created_at: datetime
    updated_at: datetime


class PullCursor(SQLModel, table=True):
    """How far a pulled source (a portal's table or endpoint) has been read."""

    __tablename__ = "pull_cursor"

    tenant: str = Field(primary_key=True, max_length=64)
    channel: str = Field(primary_key=True, max_length=32)  # the channel id in the mapping
    cursor: str = Field(max_length=200)
    updated_at: datetime
    #: the highest integer key read so far (ids below it not read are pull_gap rows)
    high_key: str | None = Field(default=None, max_length=200)


class PullGap(SQLModel, table=True):
    """A key below a pulled source's highest one that has not been read (yet): a row
    whose transaction had not committed, re-checked until it appears or is given up."""

    __tablename__ = "pull_gap"

    tenant: str = Field(primary_key=True, max_length=64)
    channel: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=200)
    missed_at: datetime
    given_up_at: datetime | None = None


class Correction(SQLModel, table=True):
    """A person's correction of the topic or agency a complaint was routed to: an operator
    in the console, or the national verification as the change feed shows it.

    It keeps what the classifier read (title and content as routing reads them) and the
    labels before and after, never the reporter's fields; the classifier learns from the
    latest correction of each complaint (``gateway classifier train --with-corrections``).
    """

    __tablename__ = "correction"
    __table_args__ = (Index("ix_correction_tenant_complaint", "tenant", "complaint_id"),)

    id: int | None = _big_pk()
    tenant: str = Field(max_length=64)
    complaint_id: str = Field(max_length=36)
    channel: str = Field(max_length=32)
    #: title and content as routing classifies them (gateway.routing.CLASSIFY_CHARS)
    text: str = Field(sa_column=Column(Text, nullable=False))
    topic_before: int | None = None
    topic_after: int | None = None
    agency_before: str | None = Field(default=None, max_length=64)
    agency_after: str | None = Field(default=None, max_length=64)
    #: how the topic before had been decided: given | category | keywords | model | default
    topic_source: str | None = Field(default=None, max_length=16)
    #: console | national
    source: str = Field(max_length=16)
    #: the operator's username, or "national verification"
    corrected_by: str = Field(max_length=64)
    at: datetime


# The operator console's tables live beside their domain; importing them here puts
# them on SQLModel.metadata wherever the gateway's tables are (migrations, tests).
import gateway.ops.models  # noqa: E402, F401
from gateway.oversight import aggregate as _oversight  # noqa: E402, F401
