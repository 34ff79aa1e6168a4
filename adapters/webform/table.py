"""A portal's own table as a pull source (any SQLAlchemy URL): read on in cursor order,
read back by time and key (:mod:`adapters.webform.sources`), statuses written back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from adapters.webform.settings import PullSql
from adapters.webform.sources import KEYS_PER_QUERY, LOOKBACK_ROWS, text_of, whole
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.storage.engine import normalise_url


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
        self.lookback_ids = spec.lookback_ids
        self.gap_horizon_seconds = spec.gap_horizon_seconds
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
        wanted = (spec.cursor_column, spec.status_column, spec.tracking_column, spec.reason_column)
        for column in wanted:
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

    def _rows(self, query: sa.Select[Any]) -> list[dict[str, Any]]:
        with _portal(f"reading {self.spec.table}"), self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

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
        return self._rows(query.limit(self.batch))

    def cursor_of(self, row: Mapping[str, Any]) -> str:
        value = text_of(row[self.spec.cursor_column])
        if self.spec.cursor_kind == "updated_at":
            return f"{value}|{text_of(row[self.key.name])}"
        return value

    def next_cursor(self, rows: list[dict[str, Any]]) -> str:
        return self.cursor_of(rows[-1])  # read in cursor order

    def key_of(self, row: Mapping[str, Any]) -> int | None:
        return whole(row[self.key.name])

    def recent(self, cursor: str | None, high_key: int | None) -> list[dict[str, Any]]:
        """The rows of the look-back window: changed less than ``lookback_seconds``
        before the cursor, or among the last ``lookback_ids`` keys below the highest."""
        spec, ordered, near = self.spec, self._read(self._cursor), []
        if cursor is not None and spec.cursor_kind == "updated_at" and spec.lookback_seconds:
            value = cursor.rpartition("|")[0]
            try:
                stamp = datetime.fromisoformat(value) - timedelta(seconds=spec.lookback_seconds)
            except ValueError:
                stamp = None
            if stamp is not None:
                since = stamp.isoformat(sep=" " if " " in value else "T")
                near.append(ordered >= self._value(self._cursor, since))
        if high_key is not None and self.lookback_ids:
            near.append(self.key > high_key - self.lookback_ids)
        elif cursor is not None and spec.cursor_kind == "id" and self.lookback_ids:
            top = whole(cursor)
            if top is not None:
                near.append(ordered > top - self.lookback_ids)
        if not near:
            return []
        query = sa.select(*self._columns).where(sa.or_(*near), self._cursor.is_not(None))
        return self._rows(query.order_by(self.key.desc()).limit(LOOKBACK_ROWS))

    def by_keys(self, keys: list[int]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            query = sa.select(*self._columns).where(self.key.in_(chunk))
            found += self._rows(query.where(self._cursor.is_not(None)))
        return found

    def write_back(
        self, key_value: Any, status: str, tracking_id: str | None, reason: str | None = None
    ) -> None:
        """The national status (and tracking ID, when known; or why it did not go through)
        into the configured columns of the row whose primary key is ``key_value``. An
        ``updated_at`` cursor column is kept as it was (a MariaDB ``ON UPDATE
        CURRENT_TIMESTAMP`` would otherwise move the row past the cursor and have it read
        again)."""
        values: dict[str, Any] = {}
        if self.spec.status_column:
            values[self.spec.status_column] = status
        if self.spec.tracking_column and tracking_id is not None:
            values[self.spec.tracking_column] = tracking_id
        if self.spec.reason_column:
            values[self.spec.reason_column] = reason[:500] if reason else None
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
