"""Pulling a portal's new submissions: its own table (:class:`SqlSource`, any SQLAlchemy
URL) or its JSON endpoint (:class:`RestSource`), read on from a stored cursor.

:func:`pull_once` commits each batch's complaints, its unmappable records (kept as
quarantined inbound messages) and the batch's last cursor in one transaction of the
gateway's database. A crash before that commit reads the same batch again; a source
stored before is not stored twice. Sources raise :class:`GatewayError`: ``retryable``
(the portal is away, 5xx), ``throttled`` (429) or ``permanent`` (a refused token, a
table, column or stored cursor that does not fit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

import httpx
import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError, NoSuchTableError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from adapters.webform.settings import PullRest, PullSql, WebformSettings
from gateway import metrics
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.fieldmap import FieldMapping, RecordError
from gateway.storage.engine import normalise_url, transaction
from gateway.storage.intake import QUARANTINED, IntakeItem, insert_items, new_id, utcnow
from gateway.storage.models import InboundMessage, PullCursor
from gateway.tenants import Tenant

log = structlog.get_logger("gateway.webform")

_CURSORS = SQLModel.metadata.tables[PullCursor.__tablename__]
_INBOUND = SQLModel.metadata.tables[InboundMessage.__tablename__]


class PullSource(Protocol):
    batch: int

    def fetch(self, cursor: str | None) -> list[dict[str, Any]]: ...

    def cursor_of(self, row: Mapping[str, Any]) -> str: ...

    def close(self) -> None: ...


# --- the portal's table -------------------------------------------------------------


def portal_url(url: str) -> str:
    """psycopg 3 for PostgreSQL; PyMySQL for a MariaDB/MySQL URL that names no driver."""
    parsed = sa.engine.make_url(normalise_url(url))
    if parsed.drivername in ("mysql", "mariadb"):
        parsed = parsed.set(drivername=f"{parsed.drivername}+pymysql")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def _portal(what: str) -> Iterator[None]:
    try:
        yield
    except GatewayError:
        raise
    except NoSuchTableError as exc:
        raise GatewayError(ErrorKind.PERMANENT, f"portal database has no table {exc}") from None
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise GatewayError(ErrorKind.RETRYABLE, f"portal database: {what}: {exc.orig}") from None
    except SQLAlchemyError as exc:
        raise GatewayError(ErrorKind.PERMANENT, f"portal database: {what}: {exc}") from None


class SqlSource:
    """``spec.table`` of the portal's database, read in ``spec.cursor_column`` order.

    ``id`` cursors read ``cursor_column > cursor``. ``updated_at`` cursors are
    ``"<value>|<primary key>"`` and read rows after that pair, so rows sharing a
    timestamp are neither skipped nor read forever. On SQLite, date and time columns
    are read as the text they are stored as (SQLite compares that text).
    """

    def __init__(self, url: str, spec: PullSql) -> None:
        self.spec = spec
        self.batch = spec.batch
        url = portal_url(url)
        self._raw_times = sa.engine.make_url(url).get_backend_name() == "sqlite"
        # no pool: a poll every few seconds opens its own connection, and a poll that
        # outlives a shutdown (a thread cannot be cancelled) leaves none open behind it
        options: dict[str, Any] = {"poolclass": NullPool}
        if not self._raw_times:
            options["connect_args"] = {"connect_timeout": 10}
        self._engine = sa.create_engine(url, **options)
        try:
            self.table, self.key = self._reflect()
        except BaseException:
            self._engine.dispose()
            raise
        self._cursor = self.table.c[spec.cursor_column]
        self._columns = [self._read(c).label(c.name) for c in self.table.c]

    def _reflect(self) -> tuple[sa.Table, sa.Column[Any]]:
        spec = self.spec
        schema, _, name = spec.table.rpartition(".")
        with _portal(f"reading table {spec.table}"):
            table = sa.Table(name, sa.MetaData(), schema=schema or None, autoload_with=self._engine)
        for column in (spec.cursor_column, spec.status_column, spec.tracking_column):
            if column and column not in table.c:
                raise GatewayError(ErrorKind.PERMANENT, f"{spec.table} has no column {column}")
        keys = list(table.primary_key.columns)
        if len(keys) > 1 or (not keys and spec.cursor_kind == "updated_at"):
            raise GatewayError(ErrorKind.PERMANENT, f"{spec.table} needs a one-column primary key")
        return table, keys[0] if keys else table.c[spec.cursor_column]

    def _read(self, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
        if self._raw_times and isinstance(column.type, sa.Date | sa.DateTime | sa.Time):
            return sa.type_coerce(column, sa.String)
        return column

    def fetch(self, cursor: str | None) -> list[dict[str, Any]]:
        """At most ``batch`` rows after ``cursor`` (all rows when None), in cursor order."""
        ordered = self._read(self._cursor)
        query = sa.select(*self._columns).where(self._cursor.is_not(None))
        if self.spec.cursor_kind == "updated_at":
            query = query.order_by(ordered, self.key)
            if cursor is not None:
                value, _, key = cursor.rpartition("|")
                after, key_value = self._value(self._cursor, value), self._value(self.key, key)
                query = query.where(
                    sa.or_(ordered > after, sa.and_(ordered == after, self.key > key_value))
                )
        else:
            query = query.order_by(ordered)
            if cursor is not None:
                query = query.where(ordered > self._value(self._cursor, cursor))
        with _portal(f"reading {self.spec.table}"), self._engine.connect() as connection:
            rows = connection.execute(query.limit(self.batch))
            return [dict(row._mapping) for row in rows]

    def cursor_of(self, row: Mapping[str, Any]) -> str:
        value = _text(row[self.spec.cursor_column])
        if self.spec.cursor_kind == "updated_at":
            return f"{value}|{_text(row[self.key.name])}"
        return value

    def write_back(self, key_value: Any, status: str, tracking_id: str | None) -> None:
        """The national status (and tracking ID, when known) into the configured columns
        of the row whose primary key is ``key_value``. An ``updated_at`` cursor column is
        kept as it was (a MariaDB ``ON UPDATE CURRENT_TIMESTAMP`` would otherwise move the
        row past the cursor and have it read again)."""
        values: dict[str, Any] = {}
        if self.spec.status_column:
            values[self.spec.status_column] = status
        if self.spec.tracking_column and tracking_id is not None:
            values[self.spec.tracking_column] = tracking_id
        if not values:
            return
        if self.spec.cursor_kind == "updated_at":
            values[self._cursor.name] = self._cursor
        try:
            key = self._value(self.key, str(key_value))
        except GatewayError:
            return  # not a key of this table (a submission only ever pushed): nothing to do
        statement = sa.update(self.table).where(self.key == key).values(values)
        with _portal(f"writing back to {self.spec.table}"), self._engine.begin() as connection:
            connection.execute(statement)

    def close(self) -> None:
        self._engine.dispose()

    def _value(self, column: sa.Column[Any], text: str) -> Any:
        """``text`` (a stored cursor, a submission number) as ``column``'s Python value."""
        if self._raw_times and isinstance(column.type, sa.Date | sa.DateTime | sa.Time):
            return text
        try:
            kind = column.type.python_type
        except NotImplementedError:
            return text
        try:
            if kind in (datetime, date, time):
                return kind.fromisoformat(text)
            return kind(text) if kind in (int, float, Decimal) else text
        except (ValueError, ArithmeticError):
            raise GatewayError(
                ErrorKind.PERMANENT,
                f"{text!r} does not fit {self.spec.table}.{column.name} (a stored cursor from "
                "another cursor_column or cursor_kind? reset it)",
            ) from None


# --- the portal's JSON endpoint -----------------------------------------------------


class RestSource:
    """``GET url?<cursor_param>=<cursor>&<limit_param>=<batch>`` with a bearer token; the
    items are a list at ``items_path`` (dotted; "" for a bare list), oldest first."""

    def __init__(
        self,
        spec: PullRest,
        token: str | None = None,
        *,
        client: httpx.Client | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.spec = spec
        self.batch = spec.batch
        self._token = token
        self._own = client is None
        self._client = client or httpx.Client(timeout=timeout)

    def fetch(self, cursor: str | None) -> list[dict[str, Any]]:
        params: dict[str, str | int] = {self.spec.limit_param: self.batch}
        if cursor is not None:
            params[self.spec.cursor_param] = cursor
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            answer = self._client.get(self.spec.url, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise GatewayError(ErrorKind.RETRYABLE, f"portal: {type(exc).__name__}") from None
        _check(answer)
        try:
            items: Any = answer.json()
        except ValueError:
            raise GatewayError(ErrorKind.RETRYABLE, "portal answered something not JSON") from None
        for part in filter(None, self.spec.items_path.split(".")):
            items = items.get(part) if isinstance(items, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            where = self.spec.items_path or "the top level"
            raise GatewayError(
                ErrorKind.PERMANENT, f"portal answer has no list of objects at {where}"
            )
        return items

    def cursor_of(self, row: Mapping[str, Any]) -> str:
        value = row.get(self.spec.cursor_field)
        if value is None or value == "":
            raise GatewayError(
                ErrorKind.PERMANENT, f"a portal item has no {self.spec.cursor_field!r}"
            )
        return _text(value)

    def close(self) -> None:
        if self._own:
            self._client.close()


def _check(answer: httpx.Response) -> None:
    code = answer.status_code
    if answer.is_success:
        return
    if code == 429:
        after = answer.headers.get("Retry-After", "")
        seconds = float(after) if after.isdigit() else None
        raise GatewayError(ErrorKind.THROTTLED, "portal answered 429", retry_after=seconds)
    if code >= 500:
        raise GatewayError(ErrorKind.RETRYABLE, f"portal answered {code}")
    what = "refused the token" if code in (401, 403) else f"answered {code}"
    raise GatewayError(ErrorKind.PERMANENT, f"portal {what}")


def source_for(tenant: Tenant, settings: WebformSettings) -> SqlSource | RestSource | None:
    """The source a channel's ``settings.pull`` names, with the tenant's secrets."""
    pull = settings.pull
    if isinstance(pull, PullSql):
        return SqlSource(tenant.secrets[pull.database_secret].get_secret_value(), pull)
    if isinstance(pull, PullRest):
        token = tenant.secrets[pull.token_secret] if pull.token_secret else None
        return RestSource(pull, token.get_secret_value() if token else None)
    return None


# --- into the gateway ---------------------------------------------------------------


@dataclass(frozen=True)
class PullResult:
    created: int = 0
    duplicate: int = 0
    quarantined: int = 0
    cursor: str | None = None


class _CursorMoved(Exception):
    """Another poller stored a cursor since this one read it: its batch is dropped."""


def stored_cursor(factory: sessionmaker[Session], tenant: str, channel_id: str) -> str | None:
    with factory() as session:
        found = session.execute(
            sa.select(_CURSORS.c.cursor).where(
                _CURSORS.c.tenant == tenant, _CURSORS.c.channel == channel_id
            )
        ).scalar_one_or_none()
    return str(found) if found is not None else None


def pull_once(
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    source: PullSource,
    today: date,
    *,
    max_batches: int = 50,
) -> PullResult:
    """Read ``source`` on from the stored cursor, a batch per transaction, until a short
    batch or ``max_batches``. Raises the source's :class:`GatewayError`, or the
    database's error; whatever was committed before stays committed."""
    tenant, channel_id = mapping.tenant.id, mapping.channel_id
    cursor = stored_cursor(factory, tenant, channel_id)
    created = duplicate = quarantined = 0
    for _ in range(max_batches):
        rows = source.fetch(cursor)
        if not rows:
            break
        last = source.cursor_of(rows[-1])
        if last == cursor:
            log.warning("portal cursor does not advance", tenant=tenant, channel=channel_id)
            break
        try:
            counts = _store(factory, mapping, source, rows, today, cursor, last)
        except _CursorMoved:
            log.info("another poller moved the cursor", tenant=tenant, channel=channel_id)
            break
        created, duplicate, quarantined = (
            created + counts[0],
            duplicate + counts[1],
            quarantined + counts[2],
        )
        cursor = last
        if len(rows) < source.batch:
            break
    if created or quarantined:
        log.info(
            "webform pulled",
            tenant=tenant,
            channel=channel_id,
            created=created,
            duplicate=duplicate,
            quarantined=quarantined,
            cursor=cursor,
        )
    return PullResult(created, duplicate, quarantined, cursor)


def _store(
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    source: PullSource,
    rows: list[dict[str, Any]],
    today: date,
    old: str | None,
    new: str,
) -> tuple[int, int, int]:
    """One batch and its cursor, in one transaction: (created, duplicate, quarantined)."""
    items: dict[str, IntakeItem] = {}
    bad: dict[str, tuple[str, str]] = {}  # source_ref -> (payload, "column: reason")
    for row in rows:
        payload = json.dumps(row, ensure_ascii=False, default=_text)
        try:
            draft = mapping.draft(row, today)
        except RecordError as exc:
            ref = _ref(mapping, source, row)
            items.pop(ref, None)
            bad[ref] = (payload, str(exc))
            continue
        bad.pop(draft.source_ref, None)
        items[draft.source_ref] = IntakeItem(draft, payload, "application/json")
    tenant, channel = mapping.tenant.id, mapping.channel
    with transaction(factory) as session:
        connection = session.connection()
        states = _inbound_states(connection, tenant, channel, [*items, *bad])
        fixed = [ref for ref in items if states.get(ref) == QUARANTINED]
        if fixed:  # quarantined before, mappable now: the complaint's own row replaces it
            connection.execute(sa.delete(_INBOUND).where(*_same(tenant, channel, fixed)))
        results = insert_items(session, list(items.values()))
        taken = 0  # taken before as complaints: a later, unmappable edit of one is not
        for ref, (payload, error) in bad.items():
            if states.get(ref) == QUARANTINED:
                update = sa.update(_INBOUND).where(*_same(tenant, channel, [ref]))
                connection.execute(update.values(payload=payload, error=error))
            elif ref in states:
                taken += 1
            else:
                connection.execute(sa.insert(_INBOUND), [_quarantine(mapping, ref, payload, error)])
        _advance(connection, tenant, mapping.channel_id, old, new)
    created = sum(r.created for r in results)
    duplicate = len(results) - created + taken
    quarantined = len(bad) - taken
    for ref, (_, error) in bad.items():
        if states.get(ref, QUARANTINED) == QUARANTINED:
            log.warning(
                "webform record quarantined",
                tenant=tenant,
                channel=mapping.channel_id,
                source_ref=ref,
                column=error.partition(":")[0],
            )
    for outcome, count in (
        ("accepted", created),
        ("duplicate", duplicate),
        ("invalid", quarantined),
    ):
        for _ in range(count):
            metrics.intake(tenant, channel, outcome)
    return created, duplicate, quarantined


def _quarantine(mapping: FieldMapping, ref: str, payload: str, error: str) -> dict[str, Any]:
    """The inbound_message row keeping a record that cannot become a complaint."""
    return {
        "id": new_id(),
        "tenant": mapping.tenant.id,
        "channel": mapping.channel,
        "source_ref": ref,
        "content_type": "application/json",
        "payload": payload,
        "state": QUARANTINED,
        "error": error,
        "complaint_id": None,
        "received_at": utcnow(),
    }


def _ref(mapping: FieldMapping, source: PullSource, row: Mapping[str, Any]) -> str:
    try:
        return mapping.source_ref(row)
    except RecordError:  # no number of its own: its place in the source names it
        return f"cursor:{source.cursor_of(row)}"[:200]


def _same(tenant: str, channel: str, refs: list[str]) -> tuple[Any, ...]:
    c = _INBOUND.c
    return (c.tenant == tenant, c.channel == channel, c.source_ref.in_(refs))


def _inbound_states(
    connection: sa.Connection, tenant: str, channel: str, refs: list[str]
) -> dict[str, str]:
    if not refs:
        return {}
    query = sa.select(_INBOUND.c.source_ref, _INBOUND.c.state).where(*_same(tenant, channel, refs))
    return {row.source_ref: row.state for row in connection.execute(query)}


def _advance(
    connection: sa.Connection,
    tenant: str,
    channel_id: str,
    old: str | None,
    new: str,
) -> None:
    """Compare and set: a cursor moved by another poller since ``old`` was read rolls
    this batch back (that poller has stored the same rows)."""
    c, now = _CURSORS.c, utcnow()
    if old is None:
        try:
            connection.execute(
                sa.insert(_CURSORS),
                [{"tenant": tenant, "channel": channel_id, "cursor": new, "updated_at": now}],
            )
        except IntegrityError:
            raise _CursorMoved from None
        return
    done = connection.execute(
        sa.update(_CURSORS)
        .where(c.tenant == tenant, c.channel == channel_id, c.cursor == old)
        .values(cursor=new, updated_at=now)
    )
    if done.rowcount != 1:
        raise _CursorMoved


def _text(value: Any) -> str:
    """A value as JSON and cursors write it: ISO dates, exact decimals, UTF-8 text."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)
