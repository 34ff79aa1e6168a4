"""The lean HTTP/1.1 transport against a real server over loopback (uvicorn): what the
registry client relies on, and failures raised as httpx's own exceptions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.national.client import HttpRegistryFactory
from gateway.national.transport import LeanTransport, lean_transport
from tests.support import free_port, scaled, serve_in_thread

pytestmark = pytest.mark.anyio
PEERS: set[tuple[str, int]] = set()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    PEERS.add(tuple(scope["client"]))
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    headers = [(b"content-type", b"application/json")]
    if path == "/slow":
        await asyncio.sleep(2)
    if path == "/close":
        headers.append((b"connection", b"close"))
    answer = {
        "method": scope["method"],
        "path": path,
        "query": scope["query_string"].decode(),
        "body": body.decode(),
        "auth": dict(scope["headers"]).get(b"authorization", b"").decode(),
    }
    data = json.dumps(answer).encode()
    if path == "/chunked":  # no content-length: uvicorn sends it chunked
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data[:10], "more_body": True})
        await send({"type": "http.response.body", "body": data[10:]})
        return
    status = 503 if path == "/api/v1/complaints" else 200
    headers.append((b"content-length", str(len(data)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_in_thread(app, http="h11", loop="asyncio") as url:
        yield url


async def test_requests_and_answers_round_trip_on_kept_alive_connections(server: str) -> None:
    PEERS.clear()
    async with httpx.AsyncClient(base_url=server, transport=LeanTransport()) as client:
        got = await client.post("/echo", params={"a": "1 2"}, json={"x": "ü"})
        assert got.status_code == 200
        assert got.json() == {
            "method": "POST",
            "path": "/echo",
            "query": "a=1+2",
            "body": '{"x":"ü"}',
            "auth": "",
        }
        for _ in range(5):
            assert (await client.get("/echo", headers={"Authorization": "x"})).json()["auth"]
        chunked = await client.get("/chunked")
        assert chunked.json()["path"] == "/chunked"
        assert len(PEERS) == 1  # one connection, kept alive throughout
        await client.get("/close")  # the server closes this one
        await client.get("/echo")
        assert len(PEERS) == 2


async def test_concurrent_requests_open_connections_and_reuse_them(server: str) -> None:
    PEERS.clear()
    async with httpx.AsyncClient(base_url=server, transport=LeanTransport()) as client:
        for _ in range(3):
            answers = await asyncio.gather(*(client.get(f"/echo?n={n}") for n in range(4)))
            assert sorted(a.json()["query"] for a in answers) == [f"n={n}" for n in range(4)]
    assert len(PEERS) == 4


async def test_failures_are_httpx_exceptions(server: str) -> None:
    transport = LeanTransport(max_connections=1)
    async with httpx.AsyncClient(base_url=server, transport=transport) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/slow", timeout=httpx.Timeout(5, read=0.2))  # unscaled: on purpose
        slow = asyncio.create_task(client.get("/slow", timeout=scaled(5)))
        await asyncio.sleep(0.1)
        with pytest.raises(httpx.PoolTimeout):  # the only connection is busy
            await client.get("/echo", timeout=httpx.Timeout(5, pool=0.1))  # unscaled: on purpose
        assert (await slow).status_code == 200
    async with httpx.AsyncClient(transport=LeanTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{free_port()}/")


async def test_the_registry_client_maps_its_failures_as_before(server: str) -> None:
    factory = HttpRegistryFactory(server, {"lampung": "token-0123456789"}, lean=True)
    registry = factory.for_tenant("lampung")
    with pytest.raises(GatewayError) as caught:
        await registry.find_by_external_ref("LGW-1")
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert "committed" not in caught.value.message  # a read commits nothing
    await factory.aclose()


def test_a_configured_proxy_leaves_the_requests_to_httpx(monkeypatch) -> None:
    assert isinstance(lean_transport("http://registry.example", 10), LeanTransport)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    assert lean_transport("http://registry.example", 10) is None
    monkeypatch.setenv("NO_PROXY", "registry.example")
    assert isinstance(lean_transport("http://registry.example", 10), LeanTransport)
