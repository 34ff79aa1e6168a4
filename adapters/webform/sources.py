"""Where pulled submissions come from: the portal's own table
(:class:`adapters.webform.table.SqlSource`, any SQLAlchemy URL) or its JSON endpoint
(:class:`adapters.webform.endpoint.RestSource`), both a :class:`PullSource`.

A source reads on from a cursor (``fetch``), and, because a portal's rows become
visible in commit order and not in key or timestamp order, it also reads back: the rows
of a look-back window behind the cursor (``recent``) and rows by key (``by_keys``, the
keys :mod:`adapters.webform.gaps` waits for). Sources raise :class:`GatewayError`:
``retryable`` (the portal is away, 5xx), ``throttled`` (429) or ``permanent`` (a refused
token, a table, column or stored cursor that does not fit).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, Protocol

#: at most this many rows are read back per poll (the newest of the window)
LOOKBACK_ROWS = 5000
#: keys asked for in one ``IN (...)``
KEYS_PER_QUERY = 500


class PullSource(Protocol):
    batch: int
    lookback_ids: int
    gap_horizon_seconds: int

    def fetch(self, cursor: str | None) -> list[dict[str, Any]]: ...

    def cursor_of(self, row: Mapping[str, Any]) -> str: ...

    def next_cursor(self, rows: list[dict[str, Any]]) -> str: ...

    def key_of(self, row: Mapping[str, Any]) -> int | None: ...

    def recent(self, cursor: str | None, high_key: int | None) -> list[dict[str, Any]]: ...

    def by_keys(self, keys: list[int]) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


def whole(value: Any) -> int | None:
    """``value`` as an integer key, or None (a key that is no number: no gaps kept)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def text_of(value: Any) -> str:
    """A value as JSON and cursors write it: ISO dates, exact decimals, UTF-8 text."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)
