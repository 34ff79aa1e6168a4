"""ASGI middleware: request limits (size, media type) and one canonical log line per request."""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.errors import count_refused
from gateway.api.surface import MULTIPART, Family, family_of, send_refusal

log = structlog.get_logger("gateway.http")


class BodyTooLarge(Exception):
    pass


#: methods whose body a route reads; a body on any other is never looked at
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class RequestLimits:
    """What a request may look like, checked before the app reads any of it.

    A query string over ``max_query`` bytes is 414, headers over ``max_headers`` bytes
    431 (uvicorn's httptools parser has no bound of its own; h11's is 16 KiB), a body
    whose media type its route family does not take 415 (naming ``content-type``), a
    body over its limit 413, by ``Content-Length`` or while streaming. The limit is
    ``max_upload`` for multipart bodies of families that take files (each file is held
    to its channel's own limit by the route), ``max_body`` for every other body.
    """

    def __init__(
        self, app: ASGIApp, *, max_body: int, max_upload: int, max_query: int, max_headers: int
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.max_query = max_query
        self.max_headers = max_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        family = family_of(scope["path"])
        if len(scope.get("query_string", b"")) > self.max_query:
            await self._refuse(
                send,
                scope,
                family,
                414,
                "uri_too_long",
                f"query string longer than {self.max_query} bytes",
            )
            return
        declared = 0
        chunked = False
        media: str | None = None
        size = 0
        for name, value in scope["headers"]:
            size += len(name) + len(value)
            if name == b"content-length":
                declared = int(value) if value.isdigit() else 0
            elif name == b"content-type":
                media = value.split(b";", 1)[0].strip().lower().decode("latin-1")
            elif name == b"transfer-encoding":
                chunked = True
        if size > self.max_headers:
            await self._refuse(
                send,
                scope,
                family,
                431,
                "headers_too_large",
                f"request headers larger than {self.max_headers} bytes",
            )
            return
        if (
            (declared > 0 or chunked)
            and scope["method"] in _BODY_METHODS
            and not family.takes(media)
        ):
            given = f"Content-Type {media!r}" if media else "a body without Content-Type"
            await self._refuse(
                send,
                scope,
                family,
                415,
                "unsupported_media",
                f"{given} is not taken here; send {family.accepted()}",
                field=("content-type", f"must be one of: {family.accepted()}"),
            )
            return
        limit = self.max_upload if family.uploads and media == MULTIPART else self.max_body
        if declared > limit:
            await self._too_large(send, scope, family, limit)
            return
        received = 0
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # the app may turn our exception into its own error answer: replace it
            if not exceeded:
                await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if exceeded:
            await self._too_large(send, scope, family, limit)

    async def _too_large(self, send: Send, scope: Scope, family: Family, limit: int) -> None:
        await self._refuse(
            send,
            scope,
            family,
            413,
            "too_large",
            f"request body is larger than {limit} bytes",
            field=("body", f"at most {limit} bytes"),
        )

    @staticmethod
    async def _refuse(
        send: Send,
        scope: Scope,
        family: Family,
        status: int,
        code: str,
        message: str,
        field: tuple[str, str] | None = None,
    ) -> None:
        count_refused(scope["path"], status)
        await send_refusal(send, scope, family, status, code, message, field=field)


class RequestLog:
    """One log line per request, with a request id bound for everything logged inside."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, capture)
        finally:
            path = scope.get("path", "")
            if path not in ("/healthz", "/metrics"):
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=path,
                    status=status["code"],
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
            structlog.contextvars.unbind_contextvars("request_id")
