"""Importing a call-centre export: streaming, in batches, idempotent, with a reject file.

Each batch of tickets is one transaction (complaints, raw rows and submit jobs);
tickets stored before (the same ticket number, from this file or an earlier run) are
counted as duplicates and create nothing. A row that cannot be read or mapped goes to
the reject file (``<file>.rejects.csv``: the row number, the column, the reason and
the row itself) and the import goes on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.callcenter.readers import BadRow, Row, open_export
from adapters.callcenter.settings import CHANNEL, CallcenterSettings
from gateway.fieldmap import FieldMapping, RecordError
from gateway.mappings.catalog import Catalogue
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.tenants import Tenant

Progress = Callable[["Counts", int, int], None]  # counts, bytes read, total bytes


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejects: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
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


@dataclass
class _Rejects:
    path: Path
    columns: list[str]
    _file: IO[str] | None = None
    _writer: Any = field(default=None, repr=False)

    def add(self, number: int, column: str, reason: str, values: dict[str, str] | str) -> None:
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
        reject = _Rejects(rejects or path.with_name(path.name + ".rejects.csv"), export.columns)
        batch: list[tuple[int, dict[str, str], intake.IntakeItem]] = []
        try:
            for row in export:
                counts.rows += 1
                if isinstance(row, BadRow):
                    reject.add(row.number, "", f"row {row.number} {row.reason}", row.raw)
                    counts.rejected += 1
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
        counts.rejected += 1
        return
    raw = json.dumps({"row": row.number, **row.values}, ensure_ascii=False)
    batch.append((row.number, row.values, intake.IntakeItem(draft, raw, "application/json")))


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
    except IntegrityError:  # stored at the same moment by another import: one by one
        results = intake.record_many(factory, items)
    for (number, values, _), result in zip(batch, results, strict=True):
        if isinstance(result, Exception):
            reject.add(
                number,
                "",
                f"row {number}: the database refused it ({type(result).__name__})",
                values,
            )
            counts.rejected += 1
        elif result.created:
            counts.created += 1
        else:
            counts.duplicate += 1
    batch.clear()
