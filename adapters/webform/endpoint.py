"""A portal's JSON endpoint as a pull source: pages by ``since_id``, in any order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from adapters.webform.settings import PullRest
from adapters.webform.sources import text_of, whole
from gateway.domain.errors import ErrorKind, GatewayError


class RestSource:
    """``GET url?<cursor_param>=<cursor>&<limit_param>=<batch>`` with a bearer token; the
    items are a list at ``items_path`` (dotted; "" for a bare list), in any order: the
    cursor moves to the highest ``cursor_field`` of a page, and ids below it that did
    not come are asked for again (:meth:`by_keys`)."""

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
        self.lookback_ids = spec.lookback_ids
        self.gap_horizon_seconds = spec.gap_horizon_seconds
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
        return text_of(value)

    def next_cursor(self, rows: list[dict[str, Any]]) -> str:
        """The highest cursor of a page in any order (numbers as numbers)."""
        cursors = [self.cursor_of(row) for row in rows]
        numbers = [whole(c) for c in cursors]
        if all(n is not None for n in numbers):
            return str(max(n for n in numbers if n is not None))
        return max(cursors)

    def key_of(self, row: Mapping[str, Any]) -> int | None:
        return whole(self.cursor_of(row))

    def _pages(self, since: int, until: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor = str(max(since, 0))
        for _ in range(self.lookback_ids // self.batch + 3):
            rows = self.fetch(cursor)
            found += rows
            if len(rows) < self.batch:
                break
            nxt = self.next_cursor(rows)
            top = whole(nxt)
            if top is None or top >= until or nxt == cursor:
                break
            cursor = nxt
        return found

    def recent(self, cursor: str | None, high_key: int | None) -> list[dict[str, Any]]:
        top = high_key if high_key is not None else whole(cursor)
        if top is None or not self.lookback_ids:
            return []
        return self._pages(top - self.lookback_ids, top)

    def by_keys(self, keys: list[int]) -> list[dict[str, Any]]:
        if not keys:
            return []
        wanted = set(keys)
        return [r for r in self._pages(min(keys) - 1, max(keys)) if self.key_of(r) in wanted]

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
