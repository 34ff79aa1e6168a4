"""One complaint on the console: its fields, raw input, jobs, attempts and history.

The reporter's name, phone, e-mail and NIK are masked, in the fields and in the
raw input, unless the operator asked to see them (:func:`reveal`, audited) and
may (:meth:`Scope.can_reveal`). A reveal holds for a few minutes and only for
the operator and complaint of its audit row. A confidential (``rahasia``)
complaint's reporter is not even masked: nothing of it shows (not an initial, not
a phone's last digits, not the raw input) but :data:`WITHHELD`, until revealed by
an operator whose role may.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.logs import MASK, redact_value, scrub_text
from gateway.ops import accounts
from gateway.ops.models import AuditLog, Operator
from gateway.phone import mask_phone
from gateway.storage.models import Complaint, InboundMessage, JobAttempt, OutboxJob, StatusEvent
from gateway.storage.queries import history

REVEAL = "reveal_personal_data"
#: how long a reveal shows the personal data (the page it redirects to, a reload)
REVEAL_FOR = timedelta(minutes=5)
#: the complaint page shows this many audit entries, oldest first
AUDIT_SHOWN = 500
#: what a confidential reporter's every field shows until revealed
WITHHELD = "dirahasiakan (confidential)"
#: what a confidential complaint's raw input shows until revealed
RAW_WITHHELD = (
    "Masukan asli memuat identitas pelapor yang dirahasiakan. "
    "(The raw input holds a confidential reporter's identity: withheld.)"
)


@dataclass
class JobWithAttempts:
    job: OutboxJob
    attempts: list[JobAttempt]


@dataclass
class Dossier:
    complaint: Complaint
    inbound: InboundMessage | None
    jobs: list[JobWithAttempts]
    events: list[StatusEvent]
    #: what operators did to it (reveals, edits, retries, dismissals), oldest first
    audit: list[AuditLog]


def load(factory: sessionmaker[Session], complaint_id: str) -> Dossier | None:
    """Everything the complaint page shows, detached from its session."""
    with factory() as session:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            return None
        inbound = (
            session.get(InboundMessage, complaint.inbound_message_id)
            if complaint.inbound_message_id
            else None
        )
        jobs = list(
            session.scalars(
                select(OutboxJob)
                .where(col(OutboxJob.complaint_id) == complaint_id)
                .order_by(col(OutboxJob.id))
            )
        )
        ids = [job.id for job in jobs]
        attempts = list(
            session.scalars(
                select(JobAttempt)
                .where(col(JobAttempt.job_id).in_(ids))
                .order_by(col(JobAttempt.job_id), col(JobAttempt.id))
            )
        )
        events = history(session, complaint_id)
        audit = list(
            session.scalars(
                select(AuditLog)
                .where(col(AuditLog.complaint_id) == complaint_id)
                .order_by(col(AuditLog.id))
                .limit(AUDIT_SHOWN)
            )
        )
        session.expunge_all()
    per_job = [JobWithAttempts(job, [a for a in attempts if a.job_id == job.id]) for job in jobs]
    return Dossier(complaint, inbound, per_job, events, audit)


# -- personal data ----------------------------------------------------------------


def reveal(factory: sessionmaker[Session], operator: Operator, complaint: Complaint) -> int:
    """Record that ``operator`` looks at ``complaint``'s reporter; the audit row's id."""
    with factory() as session, session.begin():
        accounts.audit(
            session, operator, REVEAL, tenant=complaint.tenant, complaint_id=complaint.id
        )
        session.flush()
        entry = session.scalars(
            select(AuditLog)
            .where(
                col(AuditLog.operator_id) == operator.id,
                col(AuditLog.complaint_id) == complaint.id,
                col(AuditLog.action) == REVEAL,
            )
            .order_by(col(AuditLog.id).desc())
        ).first()
        assert entry is not None and entry.id is not None
        return entry.id


def revealed(
    factory: sessionmaker[Session],
    operator: Operator,
    complaint_id: str,
    audit_id: int | None,
    now: datetime | None = None,
) -> bool:
    """Whether ``audit_id`` is this operator's recent reveal of this complaint."""
    if audit_id is None:
        return False
    with factory() as session:
        entry = session.get(AuditLog, audit_id)
    if entry is None or entry.action != REVEAL:
        return False
    if entry.operator_id != operator.id or entry.complaint_id != complaint_id:
        return False
    return accounts.aware(entry.at) > (now or accounts.now_utc()) - REVEAL_FOR


def mask_name(name: str) -> str:
    """``Siti Aminah`` as ``S*** A***``."""
    return " ".join(f"{word[0]}***" for word in name.split()) or MASK


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else MASK


@dataclass(frozen=True)
class Reporter:
    name: str | None
    phone: str | None
    email: str | None
    nik: str | None


def reporter(complaint: Complaint, shown: bool) -> Reporter:
    """The reporter's details, masked unless ``shown``; withheld if confidential."""
    c = complaint
    if shown:
        return Reporter(c.reporter_name, c.reporter_phone, c.reporter_email, c.reporter_nik)
    if c.confidential:  # every field, whether the reporter gave it or not
        return Reporter(WITHHELD, WITHHELD, WITHHELD, WITHHELD)
    return Reporter(
        mask_name(c.reporter_name) if c.reporter_name else None,
        mask_phone(c.reporter_phone) if c.reporter_phone else None,
        mask_email(c.reporter_email) if c.reporter_email else None,
        MASK if c.reporter_nik else None,
    )


def _without(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return scrub_text(text)


def _deep(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return _without(value, secrets)
    if isinstance(value, dict):
        return {k: _deep(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(item, secrets) for item in value]
    return value


def raw_input(complaint: Complaint, inbound: InboundMessage | None, shown: bool) -> str:
    """The channel's input, JSON pretty-printed; personal data masked unless ``shown``,
    all of it withheld for a confidential complaint."""
    if inbound is None:
        return ""
    if complaint.confidential and not shown:
        return RAW_WITHHELD
    try:
        parsed: Any = json.loads(inbound.payload)
    except ValueError:
        parsed = None
    if shown:
        if parsed is None:
            return inbound.payload
        return json.dumps(parsed, indent=2, ensure_ascii=False)
    c = complaint
    secrets = [s for s in (c.reporter_name, c.reporter_email, c.reporter_nik) if s]
    secrets.sort(key=len, reverse=True)
    if parsed is None:
        return _without(inbound.payload, secrets)
    masked = _deep(redact_value(parsed), secrets)
    return json.dumps(masked, indent=2, ensure_ascii=False)
