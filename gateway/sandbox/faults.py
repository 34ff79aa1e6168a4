"""Fault injection in front of the sandbox's ``/api/v1/*`` (never ``/_sandbox/*``).

Every answer leaves ``latency_ms`` after its request arrived (the sandbox's own work
happens within that time, as a remote registry's would). Each request draws one number
that picks at most one fault, injected after ``latency_ms``: an error (500/502/503), a
throttle (429 with ``Retry-After``), a timeout (no answer for ``timeout_s``, then 504),
a connection reset, or (only on ``POST`` of a complaint or a comment) a lost response:
the request is committed, then the connection is reset, so the client never learns its
outcome.

A reset is a real TCP RST when the sandbox runs directly under uvicorn: the ASGI
``send`` is then a bound method of uvicorn's ``RequestResponseCycle``, whose
``transport`` is aborted with ``SO_LINGER`` 0. Anywhere else (mounted inside
another app, behind middleware that wraps ``send``, or called through
``httpx.ASGITransport``) the transport is out of reach, so the reset falls back
to starting a response with a ``Content-Length`` it never sends and raising
:class:`ConnectionResetError`: over a socket the server closes the connection
mid-body and the client gets a protocol error; through ``ASGITransport`` the
client gets the ``ConnectionResetError`` itself. Timeouts through
``ASGITransport`` really wait ``timeout_s``, since it enforces no client timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import socket
import struct
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.sandbox.config import FaultConfig

API_PREFIX = "/api/v1/"
_COMMITTING = re.compile(r"^/api/v1/complaints(/[^/]+/comments)?/?$")
ERROR = "error"
THROTTLE = "throttle"
TIMEOUT = "timeout"
RESET = "reset"
LOST_RESPONSE = "lost_response"
KINDS = (ERROR, THROTTLE, TIMEOUT, RESET, LOST_RESPONSE)
_ERROR_STATUSES = (500, 502, 503)


def route_path(scope: Scope) -> str:
    """The path inside this app (without the ``root_path`` of a mount)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.counts: Counter[str] = Counter()
        self.requests = 0

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration and restart the draws from its seed."""
        self.config = config
        self.rng = random.Random(config.seed)

    def stats(self) -> dict[str, int]:
        return {kind: self.counts[kind] for kind in KINDS if self.counts[kind]}

    def draw(self, method: str, path: str) -> str | None:
        """The fault for one request, or None."""
        c = self.config
        rates = [
            (ERROR, c.error_rate),
            (THROTTLE, c.throttle_rate),
            (TIMEOUT, c.timeout_rate),
            (RESET, c.reset_rate),
        ]
        if method == "POST" and _COMMITTING.match(path):
            rates.append((LOST_RESPONSE, c.lost_response_rate))
        if not any(rate for _, rate in rates):
            return None
        point, edge = self.rng.random(), 0.0
        for kind, rate in rates:
            edge += rate
            if point < edge:
                return kind
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        path = route_path(scope)
        if scope["type"] != "http" or not path.startswith(API_PREFIX):
            await app(scope, receive, send)
            return
        self.requests += 1
        config = self.config
        kind = self.draw(scope["method"], path)
        if kind is not None:
            self.counts[kind] += 1
        if kind is None:
            # the answer leaves ``latency_ms`` after the request arrived, not later:
            # the sandbox's own work happens within the latency, as a registry's would
            await app(scope, receive, _not_before(send, config.latency_ms))
            return
        if config.latency_ms > 0:
            await asyncio.sleep(config.latency_ms / 1000)
        if kind == ERROR:
            status = self.rng.choice(_ERROR_STATUSES)
            await _json(send, status, {"error": "sandbox_fault", "message": f"injected {status}"})
        elif kind == THROTTLE:
            retry = config.retry_after_s
            header = str(int(retry)) if retry == int(retry) else f"{retry:g}"
            body = {"error": "throttled", "message": f"too many requests, retry after {header}s"}
            await _json(send, 429, body, [(b"retry-after", header.encode())])
        elif kind == TIMEOUT:
            if await _hang(receive, config.timeout_s):
                await _json(send, 504, {"error": "timeout", "message": "injected timeout"})
        elif kind == RESET:
            await reset_connection(send)
        else:  # LOST_RESPONSE: commit, then drop the answer
            await _run_silently(app, scope, receive)
            await reset_connection(send)


def _not_before(send: Send, latency_ms: float) -> Send:
    """``send`` that holds the response's start until ``latency_ms`` after now."""
    if latency_ms <= 0:
        return send
    loop = asyncio.get_running_loop()
    due = loop.time() + latency_ms / 1000

    async def delayed(message: Message) -> None:
        if message["type"] == "http.response.start":
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
        await send(message)

    return delayed


async def _json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _hang(receive: Receive, seconds: float) -> bool:
    """Wait ``seconds`` or until the client disconnects; True when it is still there."""

    async def until_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(until_disconnect(), seconds)
    except TimeoutError:
        return True
    return False


async def _run_silently(app: ASGIApp, scope: Scope, receive: Receive) -> None:
    """Run the request to its commit, throwing the answer away."""

    async def swallow(message: Message) -> None:
        return None

    # the client never sees the outcome, whatever it was
    with contextlib.suppress(Exception):
        await app(scope, receive, swallow)


async def reset_connection(send: Send) -> None:
    """Reset the client's connection without an answer (see the module docstring)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError, AttributeError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        # let uvicorn see the connection gone, so it does not try to answer 500
        for _ in range(100):
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"tracking_id": "', "more_body": True})
    raise ConnectionResetError("sandbox fault: connection reset")


# -- administration: GET/PUT/PATCH /_sandbox/faults ------------------------------

router = APIRouter(prefix="/_sandbox", tags=["sandbox administration"])


def _injector(request: Request) -> FaultInjector:
    injector: FaultInjector = request.app.state.sandbox.faults
    return injector


@router.get("/faults")
async def get_faults(request: Request) -> FaultConfig:
    return _injector(request).config


@router.put("/faults")
async def put_faults(request: Request, config: FaultConfig) -> FaultConfig:
    """Replace the fault configuration (fields left out take their defaults)."""
    _injector(request).configure(config)
    return config


@router.patch("/faults")
async def patch_faults(request: Request, changes: Annotated[dict[str, Any], Body()]) -> FaultConfig:
    """Change only the fields given."""
    injector = _injector(request)
    try:
        config = FaultConfig.model_validate({**injector.config.model_dump(), **changes})
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None
    injector.configure(config)
    return config
