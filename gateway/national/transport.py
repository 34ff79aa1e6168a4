"""A lean HTTP/1.1 transport for the registry client: keep-alive connections on
asyncio streams, the protocol itself done by h11 (as in httpcore).

httpx's default transport (httpcore on anyio) costs 1.9 ms of CPU per registry
request, 2.3 ms with ten in flight (its pool checks every connection on every
request); with this one the whole request costs 1.1 to 1.2 ms (``bench/costs.py``),
the largest share of what a worker spends per submission. It does what the
registry client needs and no more: ``http`` and ``https``, keep-alive,
Content-Length and chunked bodies, the request's connect, read, write and pool
timeouts, and failures raised as httpx's own exceptions (``ConnectError``,
``ReadTimeout``, ...), so the client's mapping of failures to error kinds holds
unchanged. Proxies and HTTP/2 are not covered: :func:`lean_transport` declines
when a proxy is configured for the registry, and httpx's own transport is used
(``GATEWAY_NATIONAL_TRANSPORT=httpx`` chooses it always).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
import urllib.request
from dataclasses import dataclass, field

import h11
import httpx

Origin = tuple[str, str, int]


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    protocol: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop)
    idle_since: float = 0.0

    def reusable(self, expiry: float) -> bool:
        """Idle both ways, not closed by the server meanwhile, not idle too long."""
        return (
            self.loop is asyncio.get_running_loop()
            and self.protocol.our_state is h11.IDLE
            and self.protocol.their_state is h11.IDLE
            and not self.reader.at_eof()
            and not self.writer.is_closing()
            and time.monotonic() - self.idle_since < expiry
        )

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # its event loop is gone already
            self.writer.close()


class LeanTransport(httpx.AsyncBaseTransport):
    """At most ``max_connections`` requests at once; idle connections are kept for
    ``keepalive_expiry`` seconds (servers close theirs after about 5 s)."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_expiry: float = 4.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._max_idle = max_connections
        self._expiry = keepalive_expiry
        self._ssl = ssl_context
        self._idle: dict[Origin, list[_Connection]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout: dict[str, float | None] = request.extensions.get("timeout", {})
        slots = self._slots_here()
        try:
            async with asyncio.timeout(timeout.get("pool")):
                await slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no connection free", request=request) from None
        try:
            url = request.url
            origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
            connection = self._reuse(origin) or await self._connect(origin, request, timeout)
            try:
                response = await self._exchange(connection, request, timeout)
            except BaseException:
                connection.close()
                raise
            self._keep(origin, connection)
            return response
        finally:
            slots.release()

    def _slots_here(self) -> asyncio.Semaphore:
        """The semaphore of the running event loop (tests run one loop after another)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self._max_connections))
        return self._slots[1]

    def _reuse(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.reusable(self._expiry):
                return connection
            connection.close()
        return None

    def _keep(self, origin: Origin, connection: _Connection) -> None:
        protocol = connection.protocol
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            idle = self._idle.setdefault(origin, [])
            if sum(len(conns) for conns in self._idle.values()) < self._max_idle:
                connection.idle_since = time.monotonic()
                idle.append(connection)
                return
        connection.close()

    async def _connect(
        self, origin: Origin, request: httpx.Request, timeout: dict[str, float | None]
    ) -> _Connection:
        scheme, host, port = origin
        tls = None
        if scheme == "https":
            tls = self._ssl = self._ssl or httpx.create_ssl_context()
        try:
            async with asyncio.timeout(timeout.get("connect")):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=tls, server_hostname=host if tls else None
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port}", request=request) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from exc
        return _Connection(reader, writer)

    async def _exchange(
        self, connection: _Connection, request: httpx.Request, timeout: dict[str, float | None]
    ) -> httpx.Response:
        protocol = connection.protocol
        body = await request.aread()
        try:
            head = h11.Request(
                method=request.method, target=request.url.raw_path, headers=request.headers.raw
            )
            data = protocol.send(head) or b""
            if body:
                data += protocol.send(h11.Data(data=body)) or b""
            data += protocol.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc), request=request) from exc
        writer = connection.writer
        try:
            writer.write(data)
            if writer.transport.get_write_buffer_size():
                async with asyncio.timeout(timeout.get("write")):
                    await writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout("writing the request", request=request) from None
        except OSError as exc:
            raise httpx.WriteError(f"{type(exc).__name__}: {exc}", request=request) from exc
        try:
            answer, content = await self._receive(connection, request, timeout.get("read"))
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        return httpx.Response(
            answer.status_code,
            headers=list(answer.headers),
            stream=httpx.ByteStream(content),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(answer.reason)},
        )

    async def _receive(
        self, connection: _Connection, request: httpx.Request, timeout: float | None
    ) -> tuple[h11.Response, bytes]:
        protocol = connection.protocol
        answer: h11.Response | None = None
        chunks: list[bytes] = []
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                protocol.receive_data(await self._read(connection.reader, request, timeout))
            elif isinstance(event, h11.Response):
                answer = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage) and answer is not None:
                return answer, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed | h11.EndOfMessage):
                raise httpx.RemoteProtocolError("server disconnected", request=request)

    @staticmethod
    async def _read(
        reader: asyncio.StreamReader, request: httpx.Request, timeout: float | None
    ) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await reader.read(65536)  # b"" at the end: h11 sees the close
        except TimeoutError:
            raise httpx.ReadTimeout("waiting for the answer", request=request) from None
        except OSError as exc:
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()


def lean_transport(base_url: str, max_connections: int) -> LeanTransport | None:
    """The lean transport for ``base_url``, or None when a proxy would carry its
    requests (httpx's own transport honours proxies)."""
    url = httpx.URL(base_url)
    proxies = urllib.request.getproxies()
    if (proxies.get(url.scheme) or proxies.get("all")) and not urllib.request.proxy_bypass(
        url.host
    ):
        return None
    return LeanTransport(max_connections=max_connections)
