"""The sandbox's own storage: complaints, their change events and comments in SQLite.

One connection guarded by a lock (the API calls it from worker threads); WAL when
the database is a file. Every query the API makes on a hot path is served by an
index: lookups by ``(account, external_ref)``, the change feed by ``(account, event
id)``, the workflow clock by ``next_step_at`` of open complaints. The tables, the
values it takes and gives, and the feed's cursors are in :mod:`gateway.sandbox.records`.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gateway.sandbox.records import (
    SCHEMA,
    NewComplaint,
    OpenComplaint,
    Step,
    decode_cursor,
    encode_cursor,
    iso,
)

_EVENT_COLUMNS = (
    "e.id, c.tracking_no, c.external_ref, e.status, e.response, e.agency_code, e.agency_name, "
    "e.at, e.topic_id"
)
_OPEN_COLUMNS = (
    "id, tracking_no, status, topic_id, region_code, requested_agency, agency_code, agency_name"
)
FIRST_TRACKING_NO = (10_000_000, 39_999_999)
_EVENT_KEYS = ("external_ref", "status", "response", "agency_code", "agency_name", "at")


def _event(row: sqlite3.Row) -> dict[str, Any]:
    """A feed item; ``topic_id`` (the national topic once verification set it) only
    when the event has one: a creation event, or one stored before, has none."""
    event = {"tracking_id": str(row[1]), **dict(zip(_EVENT_KEYS, row[2:8], strict=True))}
    if row[8] is not None:
        event["topic_id"] = row[8]
    return event


class Store:
    def __init__(self, db_path: str, seed: int | None = None) -> None:
        if db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        with self._lock:
            if db_path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
            _add_event_topic(self._conn)
            (last,) = self._conn.execute("SELECT MAX(tracking_no) FROM complaints").fetchone()
        self._last_no: int | None = last

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _next_tracking_no(self) -> int:
        if self._last_no is None:
            self._last_no = self._rng.randint(*FIRST_TRACKING_NO)
        else:
            self._last_no += self._rng.randint(1, 9)
        return self._last_no

    # -- the API -------------------------------------------------------------------

    def create(
        self, new: NewComplaint, *, unique: bool, now: float, next_step_at: float
    ) -> tuple[dict[str, Any], bool]:
        """Store a complaint and its creation event; ``(receipt, True)``. With
        ``unique``, an existing ``external_ref`` of the account gives ``(its receipt, False)``."""
        with self._transaction() as db:
            if unique:
                row = db.execute(
                    "SELECT tracking_no, status, created_at FROM complaints "
                    "WHERE account = ? AND external_ref = ? ORDER BY id LIMIT 1",
                    (new.account, new.external_ref),
                ).fetchone()
                if row is not None:
                    receipt = {"tracking_id": str(row[0]), "status": row[1], "created_at": row[2]}
                    return {**receipt, "external_ref": new.external_ref}, False
            number, created_at, status = self._next_tracking_no(), iso(now), "belum_terverifikasi"
            cursor = db.execute(
                "INSERT INTO complaints (tracking_no, account, external_ref, status, topic_id, "
                "region_code, requested_agency, next_step_at, created_at, payload) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    number, new.account, new.external_ref, status, new.topic_id,
                    new.region_code, new.requested_agency, next_step_at, created_at,
                    json.dumps(new.payload, ensure_ascii=False),
                ),
            )  # fmt: skip
            db.execute(
                "INSERT INTO events (complaint_id, account, status, at) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, new.account, status, created_at),
            )
        return {"tracking_id": str(number), "status": status, "created_at": created_at}, True

    def find(self, account: str, external_ref: str) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT tracking_no, external_ref, status, created_at FROM complaints "
            "WHERE account = ? AND external_ref = ? ORDER BY id",
            (account, external_ref),
        )
        keys = ("tracking_id", "external_ref", "status", "created_at")
        return [{**dict(zip(keys, r, strict=True)), "tracking_id": str(r[0])} for r in rows]

    def detail(self, account: str, tracking_id: str) -> dict[str, Any] | None:
        number = _number(tracking_id)
        with self._lock:
            row = self._conn.execute(
                "SELECT id, external_ref, status, agency_code, agency_name, created_at, "
                "topic_id, region_code, payload FROM complaints "
                "WHERE tracking_no = ? AND account = ?",
                (number, account),
            ).fetchone()
            if row is None:
                return None
            history = self._conn.execute(
                "SELECT status, at, response FROM events WHERE complaint_id = ? ORDER BY id",
                (row[0],),
            ).fetchall()
            comments = self._conn.execute(
                "SELECT id, text, author, at FROM comments WHERE complaint_id = ? ORDER BY id",
                (row[0],),
            ).fetchall()
        payload = json.loads(row[8])
        keys = ("external_ref", "status", "agency_code", "agency_name", "created_at")
        return {
            "tracking_id": str(number),
            **dict(zip(keys, row[1:6], strict=True)),
            "title": payload.get("title"),
            "classification": payload.get("classification"),
            "topic_id": row[6],
            "region_code": row[7],
            "attachments": payload.get("attachments") or [],
            "history": [{"status": s, "at": at, "response": r} for s, at, r in history],
            "comments": [{"id": i, "text": t, "author": a, "at": at} for i, t, a, at in comments],
        }

    def changes(
        self, account: str, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Up to ``limit`` events of ``account`` after ``cursor``, and the cursor to
        use next (``cursor`` itself when there is nothing new). Raises BadCursor."""
        rows = self._read(
            f"SELECT {_EVENT_COLUMNS} FROM events e JOIN complaints c ON c.id = e.complaint_id "  # noqa: S608
            "WHERE e.account = ? AND e.id > ? ORDER BY e.id LIMIT ?",
            (account, decode_cursor(cursor), limit),
        )
        return [_event(r) for r in rows], (encode_cursor(rows[-1][0]) if rows else cursor)

    def add_comment(
        self, account: str, tracking_id: str, text: str, author: str | None, now: float
    ) -> dict[str, Any] | None:
        at = iso(now)
        with self._transaction() as db:
            row = db.execute(
                "SELECT id FROM complaints WHERE tracking_no = ? AND account = ?",
                (_number(tracking_id), account),
            ).fetchone()
            if row is None:
                return None
            cursor = db.execute(
                "INSERT INTO comments (complaint_id, text, author, at) VALUES (?, ?, ?, ?)",
                (row[0], text, author, at),
            )
        return {"id": cursor.lastrowid, "at": at}

    # -- the workflow ---------------------------------------------------------------

    def advance(
        self,
        now: float,
        decide: Callable[[OpenComplaint], list[Step]],
        *,
        tracking_id: str | None = None,
        limit: int = 1,
        report: bool = True,
    ) -> tuple[int, list[dict[str, Any]]] | None:
        """Apply ``decide`` to the complaint ``tracking_id`` (of any account; None when
        it is unknown), or to up to ``limit`` complaints due before ``now`` (a step
        taken now, due again now when ``step_seconds`` is 0, waits for the next call).
        How many complaints it moved, and (with ``report``) the events it made."""
        at = iso(now)
        where = "next_step_at < ? ORDER BY next_step_at LIMIT ?"
        params: tuple[Any, ...] = (now, limit)
        if tracking_id is not None:
            where, params = "tracking_no = ?", (_number(tracking_id),)
        with self._transaction() as db:
            sql = f"SELECT {_OPEN_COLUMNS} FROM complaints WHERE {where}"  # noqa: S608
            found = db.execute(sql, params).fetchall()
            if tracking_id is not None and not found:
                return None
            updates, events, reclassified = [], [], []
            for row in found:
                steps = decide(OpenComplaint(row[0], str(row[1]), *row[2:]))
                for step in steps:
                    events.append(
                        (row[0], step.status, step.response, step.agency_code, step.agency_name, at)
                    )
                if steps:
                    last = steps[-1]
                    updates.append(
                        (last.status, last.agency_code, last.agency_name, last.next_step_at, row[0])
                    )
                topic = next((s.topic_id for s in reversed(steps) if s.topic_id), row[3])
                if topic != row[3]:  # verification reclassified it: its new topic's agency
                    reclassified.append((topic, row[0]))
            db.executemany(
                "UPDATE complaints SET status = ?, agency_code = ?, agency_name = ?, "
                "next_step_at = ? WHERE id = ?",
                updates,
            )
            db.executemany(
                "UPDATE complaints SET topic_id = ?, requested_agency = NULL WHERE id = ?",
                reclassified,
            )
            (first,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
            db.executemany(  # each step's event says the complaint's national topic
                "INSERT INTO events (complaint_id, account, status, response, agency_code, "
                "agency_name, at, topic_id) "
                "SELECT ?, account, ?, ?, ?, ?, ?, topic_id FROM complaints WHERE id = ?",
                [(*e, e[0]) for e in events],
            )
            if not report:
                return len(found), []
            rows = db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events e JOIN complaints c "  # noqa: S608
                "ON c.id = e.complaint_id WHERE e.id > ? ORDER BY e.id",
                (first,),
            )
            return len(found), [_event(r) for r in rows]

    # -- administration ----------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._lock:
            by_status = dict(
                self._conn.execute("SELECT status, COUNT(*) FROM complaints GROUP BY status")
            )
            (duplicates,) = self._conn.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM complaints "
                "GROUP BY account, external_ref HAVING COUNT(*) > 1)"
            ).fetchone()
            (events,) = self._conn.execute("SELECT COUNT(*) FROM events").fetchone()
            (comments,) = self._conn.execute("SELECT COUNT(*) FROM comments").fetchone()
        return {
            "complaints": sum(by_status.values()),
            "by_status": by_status,
            "by_external_ref_duplicates": duplicates,
            "events": events,
            "comments": comments,
        }

    def admin_find(
        self, external_ref: str | None, account: str | None, limit: int
    ) -> dict[str, Any]:
        """Complaints of any account, filtered by whichever of the two is given."""
        where = "(?1 IS NULL OR external_ref = ?1) AND (?2 IS NULL OR account = ?2)"
        if external_ref is not None:  # let the planner use the index
            where = "external_ref = ?1 AND (?2 IS NULL OR account = ?2)"
        with self._lock:
            (count,) = self._conn.execute(
                "SELECT COUNT(*) FROM complaints WHERE " + where,  # noqa: S608
                (external_ref, account),
            ).fetchone()
            rows = self._conn.execute(
                "SELECT tracking_no, account, external_ref, status, agency_code, created_at "
                "FROM complaints WHERE " + where + " ORDER BY id LIMIT ?3",
                (external_ref, account, limit),
            ).fetchall()
        keys = ("tracking_id", "account", "external_ref", "status", "agency_code", "created_at")
        items = [{**dict(zip(keys, r, strict=True)), "tracking_id": str(r[0])} for r in rows]
        return {"count": count, "items": items}


def _add_event_topic(db: sqlite3.Connection) -> None:
    """Give ``events`` its ``topic_id`` column (a database from before it has none)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    if "topic_id" not in columns:
        db.execute("ALTER TABLE events ADD COLUMN topic_id INTEGER")


def _number(tracking_id: str) -> int:
    """The number of a tracking ID; -1 (matches nothing) when it is not one."""
    ok = tracking_id.isascii() and tracking_id.isdigit() and len(tracking_id) <= 18
    return int(tracking_id) if ok else -1
