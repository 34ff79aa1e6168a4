"""The national registry over HTTP: :class:`HttpNationalRegistry` and its factory.

Every path and field name comes from :mod:`gateway.national.contract`. Every
failure leaves as a :class:`~gateway.domain.errors.GatewayError`; nothing else
escapes. The kinds:

================================================  ==========  =========
failure                                           kind        ambiguous
================================================  ==========  =========
connect error / connect or pool timeout           retryable   no
read/write timeout, reset, other transport error  retryable   yes
5xx                                               retryable   yes
2xx (or 409) whose body cannot be read            retryable   yes
408                                               retryable   no
429 (``retry_after`` from ``Retry-After``)        throttled   no
400 / 422 (``fields`` from the body's errors)     permanent   no
401 / 403 (token refused)                         permanent   no
404 on ``get`` / ``comment``                      not_found   no
other 4xx                                         permanent   no
================================================  ==========  =========

*Ambiguous* means the registry may have committed the request: the caller must
look it up (``find_by_external_ref``) before sending it again (for a read, only
that the answer is unknown: its message says a read commits nothing). There is no
retrying here; the sync engine owns retries and back-off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from gateway import attachments
from gateway.domain.errors import ErrorKind, FieldError, GatewayError
from gateway.logs import get_logger
from gateway.national import contract as c
from gateway.national.transport import lean_transport
from gateway.national.wire import (
    agency_of,
    as_dict,
    as_list,
    change_event_of,
    field_errors,
    inline_attachments,
    opt_str,
    parse_retry_after,
    receipt_of,
    remote_complaint_of,
    submission_body,
    topic_of,
)
from gateway.ports import (
    Agency,
    ChangesPage,
    Receipt,
    RemoteComplaint,
    Submission,
    Topic,
)

T = TypeVar("T")

#: ``on_request(method, path_template, status or None, seconds)``, for metrics.
OnRequest = Callable[[str, str, int | None, float], None]

_log = get_logger(__name__)

_COMPLAINT_TEMPLATE = c.complaint_path("{tracking_id}")
_COMMENTS_TEMPLATE = c.comments_path("{tracking_id}")
_BODY_EXCERPT = 200


class HttpNationalRegistry:
    """One tenant's account at the national registry (the ``NationalRegistry`` port)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        token: str,
        *,
        timeout: float | None = None,
        on_request: OnRequest | None = None,
        attachments_dir: str | None = None,
    ) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._timeout = timeout
        self._on_request = on_request
        self._attachments_dir = attachments_dir

    def __repr__(self) -> str:  # never the token
        return f"HttpNationalRegistry(base_url={str(self._client.base_url)!r})"

    async def submit(self, submission: Submission) -> Receipt:
        body = self._with_files(submission_body(submission))
        response = await self._send("POST", c.COMPLAINTS, c.COMPLAINTS, json=body)
        if response.status_code == httpx.codes.CONFLICT:
            # The registry already has this external_ref and says under which ID.
            return self._read(response, lambda b: receipt_of(as_dict(b), existing=True))
        self._check(response, "submit")
        return self._read(response, lambda b: receipt_of(as_dict(b), existing=False))

    def _with_files(self, body: dict[str, Any]) -> dict[str, Any]:
        """Files the gateway keeps but nobody outside can fetch (no public address)
        travel inside the submission; a file this process cannot read fails the job
        permanently, with its name, for an operator to see."""
        if self._attachments_dir is None or not any(
            attachments.is_local(a) for a in body[c.F_ATTACHMENTS]
        ):
            return body
        folder = self._attachments_dir
        try:
            return inline_attachments(
                body, attachments.is_local, lambda a: attachments.read_local(folder, a)
            )
        except OSError as exc:
            raise GatewayError(ErrorKind.PERMANENT, str(exc)) from None

    async def find_by_external_ref(self, external_ref: str) -> Receipt | None:
        params = {c.Q_EXTERNAL_REF: external_ref}
        response = await self._send("GET", c.COMPLAINTS, c.COMPLAINTS, params=params)
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        self._check(response, "find_by_external_ref")

        def parse(body: Any) -> Receipt | None:
            items = as_list(as_dict(body).get(c.R_ITEMS))
            return receipt_of(as_dict(items[0]), existing=True) if items else None

        return self._read(response, parse)

    async def get(self, tracking_id: str) -> RemoteComplaint:
        path = c.complaint_path(_segment(tracking_id))
        response = await self._send("GET", _COMPLAINT_TEMPLATE, path)
        self._check(response, "get", not_found=True)
        return self._read(response, lambda b: remote_complaint_of(as_dict(b)))

    async def changes(self, cursor: str | None, limit: int) -> ChangesPage:
        params: dict[str, str | int] = {c.Q_LIMIT: limit}
        if cursor is not None:
            params[c.Q_CURSOR] = cursor
        response = await self._send("GET", c.CHANGES, c.CHANGES, params=params)
        self._check(response, "changes")

        def parse(body: Any) -> ChangesPage:
            page = as_dict(body)
            events = [change_event_of(as_dict(e)) for e in as_list(page.get(c.R_EVENTS))]
            return ChangesPage(events, opt_str(page, c.R_NEXT_CURSOR))

        return self._read(response, parse)

    async def comment(self, tracking_id: str, text: str, author: str | None) -> None:
        body = {c.R_COMMENT_TEXT: text, c.R_COMMENT_AUTHOR: author}
        path = c.comments_path(_segment(tracking_id))
        response = await self._send("POST", _COMMENTS_TEMPLATE, path, json=body)
        self._check(response, "comment", not_found=True)

    async def topics(self) -> list[Topic]:
        response = await self._send("GET", c.TOPICS, c.TOPICS)
        self._check(response, "topics")
        return self._read(response, lambda b: [topic_of(as_dict(t)) for t in as_list(b)])

    async def agencies(self) -> list[Agency]:
        response = await self._send("GET", c.AGENCIES, c.AGENCIES)
        self._check(response, "agencies")
        return self._read(response, lambda b: [agency_of(as_dict(a)) for a in as_list(b)])

    async def _send(
        self,
        method: str,
        template: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        status: int | None = None
        timeout = self._client.timeout if self._timeout is None else self._timeout
        where = f"{method} {template}"
        started = time.perf_counter()
        try:
            response = await self._client.request(
                method, path, params=params, json=json, headers=self._headers, timeout=timeout
            )
            status = response.status_code
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            message = f"national registry unreachable ({type(exc).__name__}) on {where}"
            raise GatewayError(ErrorKind.RETRYABLE, message, ambiguous=False) from exc
        except httpx.TransportError as exc:
            message = (
                f"no answer from the national registry ({type(exc).__name__}) on {where}; "
                + _aftermath(method)
            )
            raise GatewayError(ErrorKind.RETRYABLE, message, ambiguous=True) from exc
        except Exception as exc:
            message = f"unexpected error on {where}: {type(exc).__name__}: {exc}"
            raise GatewayError(ErrorKind.RETRYABLE, message, ambiguous=True) from exc
        finally:
            self._record(method, template, status, time.perf_counter() - started)

    def _record(self, method: str, template: str, status: int | None, seconds: float) -> None:
        if self._on_request is None:
            return
        try:
            self._on_request(method, template, status, seconds)
        except Exception:  # metrics must never break a request
            _log.warning("on_request callback failed", exc_info=True)

    def _check(self, response: httpx.Response, what: str, *, not_found: bool = False) -> None:
        """Raise the GatewayError that a non-2xx ``response`` means."""
        status = response.status_code
        if 200 <= status < 300:
            return
        where = f"{what}: national registry answered {status}"
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == httpx.codes.TOO_MANY_REQUESTS:
            message = f"{where} (too many requests)"
            raise GatewayError(ErrorKind.THROTTLED, message, retry_after=retry_after)
        if status >= 500:
            message = f"{where}; {_aftermath(response.request.method)}"
            raise GatewayError(
                ErrorKind.RETRYABLE, message, retry_after=retry_after, ambiguous=True
            )
        if status == httpx.codes.REQUEST_TIMEOUT:
            raise GatewayError(ErrorKind.RETRYABLE, f"{where} (request timeout)")
        if status in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise GatewayError(ErrorKind.PERMANENT, f"{where}: token refused")
        if status == httpx.codes.NOT_FOUND and not_found:
            raise GatewayError(ErrorKind.NOT_FOUND, f"{where}: no such complaint")
        if status in (httpx.codes.BAD_REQUEST, httpx.codes.UNPROCESSABLE_ENTITY):
            fields = _field_errors_of(response)
            named = "; ".join(f"{f.field}: {f.message}" if f.field else f.message for f in fields)
            detail = named or _excerpt(response)
            message = f"{where}: rejected" + (f": {detail}" if detail else "")
            raise GatewayError(ErrorKind.PERMANENT, message, fields)
        detail = _excerpt(response)
        raise GatewayError(ErrorKind.PERMANENT, where + (f": {detail}" if detail else ""))

    def _read(self, response: httpx.Response, parse: Callable[[Any], T]) -> T:
        try:
            return parse(response.json())
        # invalid JSON, BadBody, or a shape the parsers did not foresee: the
        # registry did get the request, so whatever it did may have happened
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            request = response.request
            message = (
                f"unreadable answer from the national registry ({response.status_code} on "
                f"{request.method} {request.url.path}): {exc}"
            )
            raise GatewayError(ErrorKind.RETRYABLE, message, ambiguous=True) from exc


def _aftermath(method: str) -> str:
    """What a request without a clear answer may have left behind at the registry."""
    if method in ("GET", "HEAD"):
        return "a read changes nothing there"
    return "it may have committed the request"


def _segment(value: str) -> str:
    """``value`` quoted as one path segment, so a tracking ID cannot leave its place."""
    return quote(value, safe="")


def _field_errors_of(response: httpx.Response) -> list[FieldError]:
    try:
        return field_errors(response.json())
    except ValueError:
        return []


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:_BODY_EXCERPT] + ("…" if len(text) > _BODY_EXCERPT else "")


class HttpRegistryFactory:
    """Registry clients for every tenant, sharing one ``httpx.AsyncClient``; with
    ``lean`` (and no ``transport``) on :func:`~gateway.national.transport.lean_transport`."""

    def __init__(
        self,
        base_url: str,
        tokens: Mapping[str, str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_connections: int = 100,
        on_request: OnRequest | None = None,
        lean: bool = False,
        attachments_dir: str | None = None,
    ) -> None:
        self._tokens = dict(tokens)
        self._on_request = on_request
        self._attachments_dir = attachments_dir
        self._registries: dict[str, HttpNationalRegistry] = {}
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        if transport is None and lean:
            transport = lean_transport(base_url, max_connections)
        self._client = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout, limits=limits
        )

    def for_tenant(self, tenant: str) -> HttpNationalRegistry:
        registry = self._registries.get(tenant)
        if registry is None:
            token = self._tokens.get(tenant)
            if not token:
                raise GatewayError(
                    ErrorKind.PERMANENT, f"no national token configured for tenant {tenant}"
                )
            registry = HttpNationalRegistry(
                self._client,
                token,
                on_request=self._on_request,
                attachments_dir=self._attachments_dir,
            )
            self._registries[tenant] = registry
        return registry

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> HttpRegistryFactory:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
