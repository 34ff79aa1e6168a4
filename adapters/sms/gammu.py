"""Gammu SMSD's database (the schema Gammu ships for MySQL, PostgreSQL and SQLite).

Gammu SMSD, driving a modem, writes every SMS it receives into ``inbox`` (one row
per part of a long SMS, each with its UDH) and sends what is queued in ``outbox``
(the first part; the others in ``outbox_multipart``), moving each part it handled
to ``sentitems`` with its outcome (``SendingOK``, ``SendingError``, later
``DeliveryOK`` or ``DeliveryFailed`` from the delivery report). The gateway reads
new inbox rows (``Processed`` false), joins the parts of a long SMS
(:mod:`adapters.sms.gammu_parts`), and marks them processed only after the complaint
is committed on its own side: a crash in between re-reads them, and the gateway's own
deduplication (source_ref ``gammu:<first ID>``) makes that harmless.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, MetaData, String, Table, insert, select, type_coerce, update
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.pool import NullPool

from adapters.sms.gammu_parts import Message, Part, concat_info, group, own_text
from adapters.sms.gsm import Encoded
from gateway.storage.engine import normalise_url

CREATOR = "lapor-gateway"
#: a late part is matched with an SMS filed at most this long before it
LATE_LIMIT = timedelta(days=1)


@dataclass(frozen=True)
class Received:
    """One SMS as the citizen wrote it (its parts joined), or the parts of one we have."""

    ids: tuple[int, ...]  # the inbox rows it came in
    sender: str
    recipient: str
    text: str
    received_at: datetime
    #: a long SMS with parts missing: its reference, number of parts and the parts here
    ref_parts: tuple[int, int, frozenset[int]] | None = None

    @property
    def ref(self) -> str:
        return f"gammu:{self.ids[0]}"


class GammuDatabase:
    def __init__(self, url: str) -> None:
        # no pool: a poll that outlives a shutdown (a thread cannot be cancelled) must not
        # leave a pooled connection open behind it
        self.engine: Engine = create_engine(normalise_url(url), poolclass=NullPool)
        meta = MetaData()
        self.inbox = Table("inbox", meta, autoload_with=self.engine)
        self.outbox = Table("outbox", meta, autoload_with=self.engine)
        self.multipart = Table("outbox_multipart", meta, autoload_with=self.engine)
        self.sentitems = Table("sentitems", meta, autoload_with=self.engine)
        # PostgreSQL: boolean; MySQL: enum('false','true'); SQLite: 'false'/'true' text
        kind = self.inbox.c.Processed.type
        self._done: Any = True if isinstance(kind, Boolean) else "true"
        self._new: Any = False if isinstance(kind, Boolean) else "false"
        multi = isinstance(self.outbox.c.MultiPart.type, Boolean)
        self._multi: dict[bool, Any] = (
            {True: True, False: False} if multi else {True: "true", False: "false"}
        )

    def close(self) -> None:
        self.engine.dispose()

    def unprocessed(
        self, waited_enough: Callable[[int], bool], window: timedelta, limit: int = 500
    ) -> list[Received]:
        """New SMS, oldest first: single ones, complete long ones, and incomplete long ones
        whose first part ``waited_enough`` says has waited long enough for the others.
        (Gammu writes local times without a zone, so how long a part has waited is the
        caller's own clock; ``window`` is how far apart the parts of one SMS may be.)"""
        found: list[Received] = []
        parts: list[Part] = []
        for row in self._rows(self.inbox.c.Processed == self._new, limit):
            part = _part(row)
            if part is None:
                found.append(
                    Received(
                        (row.ID,),
                        row.SenderNumber,
                        row.RecipientID or "",
                        row.TextDecoded or "",
                        _aware(row.ReceivingDateTime),
                    )
                )
            else:
                parts.append(part)
        for message in group(parts, window):
            if not message.complete and not waited_enough(message.first.id):
                continue  # the other parts may still come
            found.append(_received(message, message.first.total))
        return sorted(found, key=lambda r: r.ids[0])

    def filed_with(self, late: Received, window: timedelta, limit: int = 200) -> int | None:
        """The first inbox ID of an SMS already processed that ``late`` (parts of a long SMS
        that came after it was taken as it was) belongs to, or None."""
        if late.ref_parts is None:
            return None
        ref, total, seqs = late.ref_parts
        c = self.inbox.c
        rows = self._rows(
            (c.Processed == self._done)
            & (c.SenderNumber == late.sender)
            & c.ID.between(0, late.ids[0] - 1)
            & (c.UDH != ""),
            limit,
            newest_first=True,
        )
        parts = [p for row in rows if (p := _part(row)) is not None]
        parts = [p for p in parts if (p.ref, p.total, p.recipient) == (ref, total, late.recipient)]
        for message in reversed(group(parts, window)):
            if not set(message.parts) & seqs and late.received_at - message.at <= LATE_LIMIT:
                return message.first.id
        return None

    def _rows(self, where: Any, limit: int, newest_first: bool = False) -> list[Any]:
        c = self.inbox.c
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(
                        c.ID,
                        c.SenderNumber,
                        c.RecipientID,
                        c.TextDecoded,
                        c.Text,
                        c.Coding,
                        c.UDH,
                        # SQLite's schema says NUMERIC and holds text: take it as it is
                        type_coerce(c.ReceivingDateTime, String()).label("ReceivingDateTime"),
                    )
                    .where(where)
                    .order_by(c.ID.desc() if newest_first else c.ID)
                    .limit(limit)
                )
            )

    def mark_processed(self, ids: Sequence[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(self.inbox)
                .where(self.inbox.c.ID.in_(list(ids)))
                .values(Processed=self._done)
            )

    def queue(self, to: str, encoded: Encoded, sender_id: str | None = None) -> int:
        """Queue an SMS in Gammu's outbox (parts beyond the first in outbox_multipart)."""
        coding = (
            "Unicode_No_Compression" if encoded.encoding == "ucs2" else "Default_No_Compression"
        )
        total = encoded.count
        reference = random.randrange(256)
        udh = (
            [f"050003{reference:02X}{total:02X}{i + 1:02X}" for i in range(total)]
            if total > 1
            else [None]
        )
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(self.outbox).values(
                    DestinationNumber=to,
                    TextDecoded=encoded.parts[0],
                    Coding=coding,
                    UDH=udh[0],
                    MultiPart=self._multi[total > 1],
                    CreatorID=CREATOR,
                    SenderID=sender_id,
                    DeliveryReport="yes",
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            outbox_id = int(key[0])
            for position in range(2, total + 1):
                conn.execute(
                    insert(self.multipart).values(
                        ID=outbox_id,
                        SequencePosition=position,
                        TextDecoded=encoded.parts[position - 1],
                        Coding=coding,
                        UDH=udh[position - 1],
                    )
                )
        return outbox_id

    def outcomes(self, outbox_ids: Sequence[int]) -> dict[int, list[str]]:
        """Gammu's ``sentitems`` statuses of the SMS queued as ``outbox_ids``, one per part
        handled so far (none: still in its outbox)."""
        if not outbox_ids:
            return {}
        c = self.sentitems.c
        found: dict[int, list[str]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(c.ID, c.Status)
                .where(c.ID.in_(list(outbox_ids)), c.CreatorID == CREATOR)
                .order_by(c.ID, c.SequencePosition)
            ):
                found.setdefault(int(row.ID), []).append(str(row.Status))
        return found


def _part(row: Any) -> Part | None:
    info = concat_info(row.UDH)
    if info is None:
        return None
    ref, total, seq = info
    return Part(
        row.ID,
        row.SenderNumber,
        row.RecipientID or "",
        _aware(row.ReceivingDateTime),
        row.TextDecoded or "",
        own_text(row.Coding, row.Text),
        ref,
        total,
        seq,
    )


def _received(message: Message, total: int) -> Received:
    first = message.first
    missing = not message.complete
    return Received(
        message.ids,
        first.sender,
        first.recipient,
        message.text,
        message.at,
        (first.ref, total, frozenset(message.parts)) if missing else None,
    )


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:  # SQLite keeps "2026-11-23 14:05:00"
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)
