"""A Gammu SMSD line at work: its inbox read into complaints, its sent items into the
records of the SMS the gateway sent.

Every ``poll_seconds`` the inbox's new rows are read (:meth:`GammuDatabase.unprocessed`):
each SMS goes to :meth:`SmsChannel.receive` and its rows are marked processed after that
commits. A long SMS whose other parts have not come after ``multipart_wait_seconds`` is
taken as it is; a part that comes after its SMS was taken that way is never dropped: it
becomes a comment on that SMS's complaint (a ``comment`` job, so the registry hears it
too) or, when there is no such complaint, a complaint of its own.

Replies are recorded ``queued`` when written to Gammu's outbox; ``sentitems`` then says
what became of them: ``sent`` (SendingOK, SendingOKNoReport), ``delivered`` (DeliveryOK
for every part) or ``failed`` (DeliveryFailed; SendingError or Error, after Gammu's own
retries, once the reply was queued again ``ATTEMPTS`` times in all: ``attempts`` counts
them, ``detail`` keeps Gammu's statuses for the operator, and the log warns).
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select, update
from sqlmodel import col

from adapters.sms.gammu import GammuDatabase, Received
from adapters.sms.gsm import split
from adapters.sms.settings import CHANNEL
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.storage.models import SmsOutbound

if TYPE_CHECKING:
    from adapters.sms.service import SmsChannel, SmsLine

log = structlog.get_logger("gateway.sms")
#: a part of one SMS is at most this far (receive time) from its first part
MIN_WINDOW = timedelta(seconds=60)
#: replies whose outcome is still looked for in ``sentitems`` (not delivered, not failed)
OPEN = ("queued", "sent")
#: how long a reply's delivery report is waited for
TRACK_FOR = timedelta(days=2)
#: Gammu could not hand it to the network (after its own retries): queued again, up to
#: ATTEMPTS times in all
UNSENT = frozenset({"SendingError", "Error"})
FAILED = UNSENT | {"DeliveryFailed"}
ATTEMPTS = 3
SENT = frozenset({"SendingOK", "SendingOKNoReport", "DeliveryPending", "DeliveryUnknown"})


async def poll(sms: SmsChannel, line: SmsLine) -> None:
    """Read the line's Gammu inbox and sent items until cancelled."""
    first_seen: dict[int, float] = {}
    wait = line.settings.multipart_wait_seconds
    window = max(timedelta(seconds=wait), MIN_WINDOW)
    pause = line.settings.poll_seconds

    def waited(first_id: int) -> bool:
        seen = first_seen.setdefault(first_id, time.monotonic())
        return time.monotonic() - seen >= wait

    while True:
        try:
            db = await asyncio.to_thread(sms.gammu, line)
            for found in await asyncio.to_thread(db.unprocessed, waited, window):
                await _take(sms, line, db, found, window)
                await asyncio.to_thread(db.mark_processed, found.ids)
                first_seen.pop(found.ids[0], None)
            await asyncio.to_thread(track_sent, sms, line.id, db)
            pause = line.settings.poll_seconds
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Gammu's or our database is away: try again later
            log.warning("gammu inbox not read; retrying", tenant=line.id, error=str(exc))
            pause = min(pause * 2, 60.0)
        await asyncio.sleep(pause)


async def _take(
    sms: SmsChannel, line: SmsLine, db: GammuDatabase, found: Received, window: timedelta
) -> None:
    from adapters.sms.service import IncomingSms

    raw: dict[str, Any] = {
        "gammu_ids": list(found.ids),
        "from": found.sender,
        "to": found.recipient,
        "text": found.text,
        "received_at": found.received_at.isoformat(),
    }
    if found.ref_parts is not None:
        ref, total, seqs = found.ref_parts
        raw["parts"] = {"reference": ref, "of": total, "here": sorted(seqs)}
        filed = await asyncio.to_thread(db.filed_with, found, window)
        if filed is not None:
            raw["late_for"] = f"gammu:{filed}"
            if await asyncio.to_thread(_comment, sms, line.id, found, f"gammu:{filed}", raw):
                log.info("gammu late part added as a comment", tenant=line.id, ref=found.ref)
                return
    await sms.receive(line, IncomingSms(found.ref, found.sender, found.text, raw))


def _comment(sms: SmsChannel, tenant: str, late: Received, filed: str, raw: dict[str, Any]) -> bool:
    """The late part as a comment on the complaint of the SMS ``filed``; False when that
    SMS made no complaint (a command, a quarantined sender)."""
    stored = intake.find_by_source(sms.factory, tenant, CHANNEL, filed)
    if stored is None:
        return False
    with transaction(sms.factory) as session:
        if intake.inbound_exists(session, tenant, CHANNEL, late.ref):
            return True  # read again after a crash: stored before
        intake.add_inbound(
            session,
            tenant,
            CHANNEL,
            late.ref,
            json.dumps(raw, ensure_ascii=False),
            intake.PARSED,
            note=f"late part of {filed}: comment",
            complaint_id=stored.complaint_id,
        )
        intake.add_job(
            session, "comment", tenant, stored.complaint_id, {"text": late.text, "author": "SMS"}
        )
    return True


def track_sent(sms: SmsChannel, tenant: str, db: GammuDatabase) -> int:
    """Record what Gammu's ``sentitems`` says of the tenant's open replies; how many
    records changed."""
    since = datetime.now(UTC) - TRACK_FOR
    with sms.factory() as session:
        rows = session.execute(
            select(
                col(SmsOutbound.id),
                col(SmsOutbound.transport_ref),
                col(SmsOutbound.status),
                col(SmsOutbound.parts),
                col(SmsOutbound.attempts),
                col(SmsOutbound.to_number),
                col(SmsOutbound.text),
            )
            .where(
                col(SmsOutbound.tenant) == tenant,
                col(SmsOutbound.transport) == "gammu",
                col(SmsOutbound.status).in_(OPEN),
                col(SmsOutbound.created_at) >= since,
            )
            .limit(500)
        ).all()
    refs = {int(r.transport_ref): r for r in rows if r.transport_ref and r.transport_ref.isdigit()}
    changed = 0
    for outbox_id, statuses in db.outcomes(list(refs)).items():
        row = refs[outbox_id]
        state = outcome(statuses, row.parts)
        if state is None or state == row.status:
            continue
        values: dict[str, Any] = {
            "status": state,
            "detail": f"gammu {','.join(statuses)}"[:300],
            "updated_at": datetime.now(UTC),
        }
        if state == "failed" and UNSENT & set(statuses) and row.attempts < ATTEMPTS:
            # the modem or the network refused it: once more, through Gammu's outbox
            again = db.queue(row.to_number, split(row.text))
            values.update(
                status="queued",
                transport_ref=str(again),
                attempts=row.attempts + 1,
                detail=f"{values['detail']}; queued again ({row.attempts + 1}/{ATTEMPTS})",
            )
            log.info("gammu could not send an sms; queued again", tenant=tenant, out=row.id)
        elif state == "failed":
            log.warning("gammu could not send an sms", tenant=tenant, out=row.id, gammu=statuses)
        with transaction(sms.factory) as session:
            session.execute(
                update(SmsOutbound)
                .where(col(SmsOutbound.id) == row.id, col(SmsOutbound.status).in_(OPEN))
                .values(**values)
            )
        changed += 1
    return changed


def outcome(statuses: list[str], parts: int) -> str | None:
    """The record's state from the ``sentitems`` statuses of its parts (None: not yet)."""
    if any(s in FAILED for s in statuses):
        return "failed"
    if len(statuses) < parts:
        return None  # Gammu is still sending the other parts
    if all(s == "DeliveryOK" for s in statuses):
        return "delivered"
    if all(s in SENT or s == "DeliveryOK" for s in statuses):
        return "sent"
    return None
