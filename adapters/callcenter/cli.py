"""``gateway import callcenter FILE|DIR --tenant T``: import exports, or watch a drop folder."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from adapters.callcenter.importer import Counts, import_file, ticket_mapping

import_app = typer.Typer(help="Import exports from legacy systems", no_args_is_help=True)
console = Console(stderr=True)
EXTENSIONS = {".csv", ".txt", ".xlsx", ".jsonl", ".ndjson"}
#: the summary: the file, then the counts (each line within a terminal's 80 columns)
SUMMARY = {
    "id": (
        "{file}: {rows} baris dalam {seconds} dtk",
        "{created} baru, {updated} berubah, {duplicate} sama, {rejected} ditolak",
    ),
    "en": (
        "{file}: {rows} rows in {seconds} s",
        "{created} created, {updated} updated, {duplicate} duplicate, {rejected} rejected",
    ),
}
REJECTED = {
    "id": ("{file} baris {row}, kolom {column}: {reason}", "ditolak: lihat {path}"),
    "en": ("{file} row {row}, column {column}: {reason}", "rejected: see {path}"),
}
PROGRESS = {
    "id": "{task.fields[rows]:,} baris, {task.fields[rate]:,.0f} baris/dtk",
    "en": "{task.fields[rows]:,} rows, {task.fields[rate]:,.0f} rows/s",
}
WIDTH = 80
_ROW_PREFIX = re.compile(r"^row \d+(, column [^:]*)?:? ")


def summary(path: Path, counts: Counts, seconds: float, language: str) -> list[str]:
    """Two lines of at most 80 columns: the file, its rows and the time; the counts
    (up to 9,999,999 rows each fit)."""
    sep = "." if language == "id" else ","

    def number(value: int) -> str:
        return f"{value:,}".replace(",", sep)

    head, tail = SUMMARY[language]
    took = f"{seconds:.0f}" if seconds >= 100 else f"{seconds:.1f}"
    if language == "id":
        took = took.replace(".", ",")
    return [
        _cut(head.format(file=path.name, rows=number(counts.rows), seconds=took)),
        _cut(
            tail.format(
                created=number(counts.created),
                updated=number(counts.updated),
                duplicate=number(counts.duplicate),
                rejected=number(counts.rejected),
            )
        ),
    ]


def _cut(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"


def reject_lines(path: Path, counts: Counts, language: str) -> list[str]:
    """The first rejects, each naming the file, the row (as a spreadsheet numbers it:
    the header is row 1) and the column, cut to 80 columns; then where the rest are."""
    each, where = REJECTED[language]
    lines = []
    for row, column, reason in counts.first_rejects:
        said = _ROW_PREFIX.sub("", reason)  # the row and column are said first
        line = each.format(file=path.name, row=row, column=column or "-", reason=said)
        lines.append(_cut(line))
    if counts.rejects is not None:
        lines.append(where.format(path=counts.rejects))
    return lines


@import_app.command("callcenter")
def import_callcenter(
    path: Annotated[
        Path, typer.Argument(help="A CSV, XLSX or JSON Lines export, or with --watch a folder")
    ],
    tenant: Annotated[str, typer.Option(help="Tenant id, e.g. lampung")],
    channel: Annotated[
        str | None, typer.Option(help="The callcenter channel id, if several")
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Reject file (default FILE.rejects.csv)")
    ] = None,
    watch: Annotated[
        bool, typer.Option(help="Import every export dropped into the folder PATH")
    ] = False,
    interval: Annotated[float, typer.Option(help="--watch: seconds between looks")] = 30.0,
    once: Annotated[bool, typer.Option(help="--watch: one look, then stop (for cron)")] = False,
    lang: Annotated[
        str, typer.Option(help="Language of the messages: id (Bahasa Indonesia) or en")
    ] = "id",
) -> None:
    """Tickets from a call-centre export into the national registry. Running the same file
    again creates nothing twice; unreadable rows go to the reject file and the import
    goes on. Exit code 0 when every row was taken, 1 when some were rejected."""
    from gateway.cli import _container

    if lang not in SUMMARY:
        console.print(f"[red]error:[/red] --lang must be one of {', '.join(SUMMARY)}")
        raise typer.Exit(2)
    container = _container()
    try:
        _run(container, path, tenant, channel, rejects, watch, interval, once, lang)
    finally:
        asyncio.run(container.aclose())


def _run(  # type: ignore[no-untyped-def]
    container,
    path: Path,
    tenant: str,
    channel: str | None,
    rejects: Path | None,
    watch: bool,
    interval: float,
    once: bool,
    lang: str,
) -> None:
    found = container.tenants.get(tenant)
    if found is None:
        console.print(f"[red]error:[/red] unknown tenant {tenant!r}")
        raise typer.Exit(2)
    try:
        mapping = ticket_mapping(found, container.catalogue, channel)
    except LookupError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if watch:
        _watch(container.factory, mapping, path, interval, once, lang)
        return
    if not path.is_file():
        console.print(f"[red]error:[/red] {path}: no such file")
        raise typer.Exit(2)
    counts = _import_one(container.factory, mapping, path, rejects, lang)
    raise typer.Exit(1 if counts is None or counts.rejected else 0)


def _import_one(factory, mapping, path: Path, rejects: Path | None, lang: str) -> Counts | None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TextColumn(PROGRESS[lang]),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(path.name, total=path.stat().st_size or 1, rows=0, rate=0.0)

        def progress(counts: Counts, done: int, total: int) -> None:
            rate = counts.rows / max(time.monotonic() - started, 1e-6)
            bar.update(task, completed=done, total=total or 1, rows=counts.rows, rate=rate)

        try:
            counts = import_file(factory, mapping, path, rejects=rejects, progress=progress)
        except (ValueError, OSError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            return None
    seconds = time.monotonic() - started
    for line in [*summary(path, counts, seconds, lang), *reject_lines(path, counts, lang)]:
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    return counts


def _watch(factory, mapping, folder: Path, interval: float, once: bool, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Import each export once it stops growing; move it to done/ (or failed/)."""
    if not folder.is_dir():
        console.print(f"[red]error:[/red] {folder}: not a folder")
        raise typer.Exit(2)
    done, failed = folder / "done", folder / "failed"
    done.mkdir(exist_ok=True)
    failed.mkdir(exist_ok=True)
    sizes: dict[Path, tuple[int, float]] = {}
    console.print(f"watching {folder} for {mapping.tenant.id} exports every {interval:g} s")
    while True:
        for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime):
            if (
                not path.is_file()
                or path.suffix.lower() not in EXTENSIONS
                or path.name.startswith(".")
            ):
                continue
            stat = path.stat()
            seen = (stat.st_size, stat.st_mtime)
            if sizes.get(path) != seen and not once:
                sizes[path] = seen  # still being written? look again next time
                continue
            sizes.pop(path, None)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            rejects = done / f"{stamp}-{path.name}.rejects.csv"
            counts = _import_one(factory, mapping, path, rejects, lang)
            shutil.move(path, (done if counts is not None else failed) / f"{stamp}-{path.name}")
        if once:
            return
        time.sleep(interval)
