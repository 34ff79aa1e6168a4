"""Gammu SMSD's database (the schema Gammu ships for MySQL, PostgreSQL and SQLite).

Gammu SMSD, driving a modem, writes every SMS it receives into ``inbox`` (one row
per part of a long SMS, each with its UDH) and sends what is queued in ``outbox``
(the first part; the others in ``outbox_multipart``). The gateway reads new inbox
rows (``Processed`` false), joins the parts of a concatenated SMS, and marks them
processed only after the complaint is committed on its own side: a crash in between
re-reads them, and the gateway's own deduplication (source_ref ``gammu:<first ID>``)
makes that harmless.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, MetaData, String, Table, insert, select, type_coerce, update
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.pool import NullPool

from adapters.sms.gsm import Encoded
from gateway.storage.engine import normalise_url

CREATOR = "lapor-gateway"


@dataclass(frozen=True)
class Received:
    """One SMS as the citizen wrote it (its parts joined)."""

    ids: tuple[int, ...]  # the inbox rows it came in
    sender: str
    recipient: str
    text: str
    received_at: datetime

    @property
    def ref(self) -> str:
        return f"gammu:{self.ids[0]}"


@dataclass(frozen=True)
class _Part:
    id: int
    sender: str
    recipient: str
    text: str
    at: datetime
    ref: int | None  # concatenation reference
    total: int
    seq: int


def concat_info(udh: str | None) -> tuple[int, int, int] | None:
    """(reference, total parts, this part's number) from a concatenated SMS's UDH (hex)."""
    if not udh:
        return None
    try:
        data = bytes.fromhex(udh)
    except ValueError:
        return None
    i = 1  # data[0] is the UDH length
    while i + 1 < len(data):
        iei, size = data[i], data[i + 1]
        body = data[i + 2 : i + 2 + size]
        if iei == 0x00 and size == 3 and len(body) == 3:
            return body[0], body[1], body[2]
        if iei == 0x08 and size == 4 and len(body) == 4:
            return (body[0] << 8) | body[1], body[2], body[3]
        i += 2 + size
    return None


class GammuDatabase:
    def __init__(self, url: str) -> None:
        # no pool: a poll that outlives a shutdown (a thread cannot be cancelled) must not
        # leave a pooled connection open behind it
        self.engine: Engine = create_engine(normalise_url(url), poolclass=NullPool)
        meta = MetaData()
        self.inbox = Table("inbox", meta, autoload_with=self.engine)
        self.outbox = Table("outbox", meta, autoload_with=self.engine)
        self.multipart = Table("outbox_multipart", meta, autoload_with=self.engine)
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

    def unprocessed(self, waited_enough: Callable[[int], bool], limit: int = 500) -> list[Received]:
        """New SMS, oldest first: complete ones, and incomplete ones whose first part
        ``waited_enough`` says has waited long enough for the others. (Gammu writes local
        times without a zone, so how long a part has waited is the caller's own clock.)"""
        c = self.inbox.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    c.ID,
                    c.SenderNumber,
                    c.RecipientID,
                    c.TextDecoded,
                    c.UDH,
                    # SQLite's schema says NUMERIC and holds text: take the value as it is
                    type_coerce(c.ReceivingDateTime, String()).label("ReceivingDateTime"),
                )
                .where(c.Processed == self._new)
                .order_by(c.ID)
                .limit(limit)
            ).all()
        singles: list[Received] = []
        groups: dict[tuple[str, int, int], list[_Part]] = {}
        for row in rows:
            at = _aware(row.ReceivingDateTime)
            info = concat_info(row.UDH)
            text = row.TextDecoded or ""
            if info is None:
                singles.append(
                    Received((row.ID,), row.SenderNumber, row.RecipientID or "", text, at)
                )
                continue
            ref, total, seq = info
            part = _Part(row.ID, row.SenderNumber, row.RecipientID or "", text, at, ref, total, seq)
            groups.setdefault((row.SenderNumber, ref, total), []).append(part)
        joined: list[Received] = []
        for (_sender, _ref, total), parts in groups.items():
            parts.sort(key=lambda p: p.seq)
            seqs = {p.seq for p in parts}
            complete = seqs >= set(range(1, total + 1))
            oldest = min(p.at for p in parts)
            if not complete and not waited_enough(min(p.id for p in parts)):
                continue  # the other parts may still come
            unique = {p.seq: p for p in parts}  # a part read twice counts once
            ordered = [unique[s] for s in sorted(unique)]
            first = ordered[0]
            joined.append(
                Received(
                    tuple(sorted(p.id for p in parts)),
                    first.sender,
                    first.recipient,
                    "".join(p.text for p in ordered),
                    oldest,
                )
            )
        return sorted(singles + joined, key=lambda r: r.ids[0])

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


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:  # SQLite keeps "2026-11-23 14:05:00"
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)
