"""Importing a call-centre export: streaming, in batches, idempotent, with a reject file.

Each batch of tickets is one transaction (complaints, raw rows and submit jobs);
a ticket stored before (the same ticket number, from this file or an earlier run)
creates nothing: it is a duplicate when its notes are the ones stored, and
``updated`` when they changed: the new notes become one comment to the registry per
version (:func:`record_versions`, shared with the push API), so importing the same
file a third time changes nothing. A row that cannot be read or mapped goes to the
reject file (``<file>.rejects.csv``: the row number as a spreadsheet shows it, the
column, the reason and the row itself) and the import goes on. Each run writes its
own reject file: the previous run's is removed first, and a run without rejects
leaves none.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col, select

from adapters.callcenter.readers import BadRow, Row, open_export
from adapters.callcenter.settings import CHANNEL, CallcenterSettings
from gateway.domain.complaint import ComplaintDraft
from gateway.fieldmap import FieldMapping, RecordError
from gateway.mappings.catalog import Catalogue
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.storage.models import Complaint, InboundMessage
from gateway.tenants import Tenant

Progress = Callable[["Counts", int, int], None]  # counts, bytes read, total bytes


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejects: Path | None = None
    #: the first rejects: (row, column, reason), for the command's message
    first_rejects: list[tuple[int, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "rejects": str(self.rejects) if self.rejects else None,
        }


def ticket_mapping(
    tenant: Tenant, catalogue: Catalogue | None, channel_id: str | None = None
) -> FieldMapping:
    """The tenant's callcenter channel (the first, or ``channel_id``) as a mapping."""
    for channel in tenant.spec.channels:
        if channel.type == CHANNEL and channel.enabled and channel_id in (None, channel.id):
            settings = CallcenterSettings.model_validate(channel.settings)
            return FieldMapping(tenant, CHANNEL, channel.id, channel.fields, settings, catalogue)
    raise LookupError(f"tenant {tenant.id} has no callcenter channel {channel_id or ''}".rstrip())


def record_versions(
    session: Session, stored: Sequence[tuple[ComplaintDraft, str, str]]
) -> list[bool]:
    """Tickets stored before, as ``(draft, raw, complaint id)``: for each, whether it is a
    new version (its notes differ from the stored complaint's and this version was not
    seen before). A new version is recorded in the caller's transaction as a raw input
    ``<ticket>#update-<hash of the notes>`` and one ``comment`` job with the new notes;
    the same version again is not. One query for the notes, one for the versions."""
    if not stored:
        return []
    ids = sorted({complaint_id for _, _, complaint_id in stored})
    rows = session.connection().execute(
        select(col(Complaint.id), col(Complaint.content)).where(col(Complaint.id).in_(ids))
    )
    contents = {row.id: row.content for row in rows}
    refs: list[str | None] = [
        None
        if contents.get(complaint_id) in (None, draft.content)
        else f"{draft.source_ref}#update-{_version(draft.content)}"
        for draft, _, complaint_id in stored
    ]
    seen = _seen_versions(session, stored[0][0], [r for r in refs if r is not None])
    answers: list[bool] = []
    for (draft, raw, complaint_id), ref in zip(stored, refs, strict=True):
        if ref is None or ref in seen:
            answers.append(False)
            continue
        seen.add(ref)
        intake.add_inbound(
            session, draft.tenant, CHANNEL, ref, raw, intake.PARSED, complaint_id=complaint_id
        )
        intake.add_job(
            session,
            "comment",
            draft.tenant,
            complaint_id,
            {"text": draft.content, "author": "call centre"},
        )
        answers.append(True)
    return answers


def _version(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def _seen_versions(session: Session, draft: ComplaintDraft, refs: list[str]) -> set[str]:
    if not refs:
        return set()
    found = session.connection().execute(
        select(col(InboundMessage.source_ref)).where(
            col(InboundMessage.tenant) == draft.tenant,
            col(InboundMessage.channel) == CHANNEL,
            col(InboundMessage.source_ref).in_(sorted(set(refs))),
        )
    )
    return {row.source_ref for row in found}


@dataclass
class _Rejects:
    path: Path
    columns: list[str]
    counts: Counts
    _file: IO[str] | None = None
    _writer: Any = field(default=None, repr=False)

    def add(self, number: int, column: str, reason: str, values: dict[str, str] | str) -> None:
        self.counts.rejected += 1
        if len(self.counts.first_rejects) < 3:
            self.counts.first_rejects.append((number, column, reason))
        if self._writer is None:
            self._file = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(["row", "column", "reason", *self.columns, "raw"])
        if isinstance(values, str):
            self._writer.writerow([number, column, reason, *([""] * len(self.columns)), values])
        else:
            self._writer.writerow(
                [number, column, reason, *(values.get(c, "") for c in self.columns), ""]
            )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def import_file(
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    path: Path,
    *,
    rejects: Path | None = None,
    progress: Progress | None = None,
) -> Counts:
    """Import ``path`` (CSV, XLSX or JSON Lines) for ``mapping``'s tenant."""
    settings = mapping.settings
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    counts = Counts()
    with open_export(path, encoding=settings.encoding, delimiter=settings.csv_delimiter) as export:
        for canonical in ("source_ref", "content"):
            column = mapping.column(canonical)
            if column not in export.columns:
                shown = ", ".join(export.columns[:12]) or "nothing"
                raise ValueError(
                    f"{path}: no column {column!r} (fields.{canonical} of the mapping); "
                    f"the header has: {shown}"
                )
        reject = _Rejects(
            rejects or path.with_name(path.name + ".rejects.csv"), export.columns, counts
        )
        reject.path.unlink(missing_ok=True)  # the previous run's: this run writes its own
        batch: list[tuple[int, dict[str, str], intake.IntakeItem]] = []
        try:
            for row in export:
                counts.rows += 1
                if isinstance(row, BadRow):
                    reject.add(row.number, "", f"row {row.number} {row.reason}", row.raw)
                else:
                    _take(mapping, row, today, batch, reject, counts)
                if len(batch) >= settings.batch_size:
                    _flush(factory, batch, reject, counts)
                    if progress is not None:
                        progress(counts, export.bytes_read(), export.total_bytes)
            _flush(factory, batch, reject, counts)
            if progress is not None:
                progress(counts, export.total_bytes, export.total_bytes)
        finally:
            reject.close()
        if reject._writer is not None:
            counts.rejects = reject.path
    return counts


def _take(
    mapping: FieldMapping,
    row: Row,
    today: Any,
    batch: list[tuple[int, dict[str, str], intake.IntakeItem]],
    reject: _Rejects,
    counts: Counts,
) -> None:
    try:
        draft = mapping.draft(row.values, today)
    except RecordError as exc:
        reject.add(
            row.number,
            exc.column,
            f"row {row.number}, column {exc.column}: {exc.reason}",
            row.values,
        )
        return
    raw = json.dumps({"row": row.number, **row.values}, ensure_ascii=False)
    batch.append((row.number, row.values, intake.IntakeItem(draft, raw, "application/json")))


def _versions(
    session: Session,
    batch: list[tuple[int, dict[str, str], intake.IntakeItem]],
    results: Sequence[intake.IntakeResult | Exception],
) -> dict[int, bool]:
    """Row number -> whether the ticket (stored before) is a new version of it."""
    old = [
        (number, item, result)
        for (number, _, item), result in zip(batch, results, strict=True)
        if isinstance(result, intake.IntakeResult) and not result.created
    ]
    answers = record_versions(
        session, [(item.draft, item.raw_payload, result.complaint_id) for _, item, result in old]
    )
    return {number: answer for (number, _, _), answer in zip(old, answers, strict=True)}


def _flush(
    factory: sessionmaker[Session],
    batch: list[tuple[int, dict[str, str], intake.IntakeItem]],
    reject: _Rejects,
    counts: Counts,
) -> None:
    if not batch:
        return
    items = [item for _, _, item in batch]
    try:
        with transaction(factory) as session:
            results: list[intake.IntakeResult | Exception] = list(
                intake.insert_items(session, items)
            )
            updated = _versions(session, batch, results)
    except IntegrityError:  # stored at the same moment by another import: one by one
        results = intake.record_many(factory, items)
        try:
            with transaction(factory) as session:
                updated = _versions(session, batch, results)
        except IntegrityError:  # the same version recorded at the same moment
            updated = {}
    for (number, values, _), result in zip(batch, results, strict=True):
        if isinstance(result, Exception):
            reject.add(
                number,
                "",
                f"row {number}: the database refused it ({type(result).__name__})",
                values,
            )
        elif result.created:
            counts.created += 1
        elif updated.get(number, False):
            counts.updated += 1
        else:
            counts.duplicate += 1
    batch.clear()
