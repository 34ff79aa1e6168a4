"""The sandbox inside other hosts: uvicorn's h11 protocol on the asyncio loop, mounted
in another app, and called in-process through ``httpx.ASGITransport``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import FaultConfig, SandboxConfig
from tests.sandbox.conftest import complaint
from tests.sandbox.test_faults import RESET_BY_PEER
from tests.support import scaled, serve_in_thread

TOKEN = {"Authorization": "Bearer embedded"}


def serve(app: object, **options: str) -> Iterator[str]:
    return serve_in_thread(app, timeout_graceful_shutdown=2, **options)


def test_resets_are_real_over_h11_on_the_asyncio_loop_too() -> None:
    app = create_sandbox_app(SandboxConfig(step_seconds=0))
    with (
        serve(app, http="h11", loop="asyncio") as url,
        httpx.Client(base_url=url, headers=TOKEN) as http,
    ):
        app.state.sandbox.faults.configure(FaultConfig(reset_rate=1.0))
        lost, kept = complaint(), complaint()
        with pytest.raises(RESET_BY_PEER):
            http.post("/api/v1/complaints", json=lost)
        app.state.sandbox.faults.configure(FaultConfig(lost_response_rate=1.0))
        with pytest.raises(RESET_BY_PEER):
            http.post("/api/v1/complaints", json=kept)
        app.state.sandbox.faults.configure(FaultConfig())
        found = [
            http.get("/api/v1/complaints", params={"external_ref": b["external_ref"]}).json()[
                "items"
            ]
            for b in (lost, kept)
        ]
        assert [len(f) for f in found] == [0, 1]


def test_mounted_in_another_app_the_faults_apply_under_the_mount_and_resets_cut_the_body() -> None:
    sandbox = create_sandbox_app(SandboxConfig(step_seconds=0))
    parent = FastAPI()
    parent.mount("/sandbox", sandbox)
    faults = sandbox.state.sandbox.faults
    with serve(parent) as url, httpx.Client(base_url=f"{url}/sandbox", headers=TOKEN) as http:
        assert http.get("/_sandbox/health").status_code == 200
        faults.configure(FaultConfig(error_rate=1.0))
        assert http.get("/api/v1/topics").status_code in (500, 502, 503)
        admin = {"Authorization": f"Bearer {sandbox.state.sandbox.admin_token}"}
        assert http.get("/_sandbox/stats", headers=admin).json()["faults"] == {"error": 1}
        faults.configure(FaultConfig(lost_response_rate=1.0))
        body = complaint()
        with pytest.raises(httpx.RemoteProtocolError):  # the fallback: a body cut short
            http.post("/api/v1/complaints", json=body)
        faults.configure(FaultConfig())
        items = http.get("/api/v1/complaints", params={"external_ref": body["external_ref"]})
        assert len(items.json()["items"]) == 1
    sandbox.state.sandbox.close()  # a mounted app's lifespan does not run


def test_in_process_through_asgi_transport_with_the_clock_started_by_the_host() -> None:
    app = create_sandbox_app(SandboxConfig(step_seconds=0.05, archive_rate=0))
    runtime = app.state.sandbox

    async def scenario() -> None:
        await runtime.start()
        await runtime.start()  # idempotent
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://sandbox", headers=TOKEN
            ) as http:
                created = await http.post("/api/v1/complaints", json=complaint())
                assert created.status_code == 201
                path = f"/api/v1/complaints/{created.json()['tracking_id']}"
                deadline = time.monotonic() + scaled(10)
                while (await http.get(path)).json()["status"] != "selesai":
                    assert time.monotonic() < deadline, "the clock did not finish the complaint"
                    await asyncio.sleep(0.02)

                # no socket to reset: the client gets the reset as an exception
                runtime.faults.configure(FaultConfig(reset_rate=1.0))
                with pytest.raises(ConnectionResetError):
                    await http.get("/api/v1/topics")
                runtime.faults.configure(FaultConfig(lost_response_rate=1.0))
                body = complaint()
                with pytest.raises(ConnectionResetError):
                    await http.post("/api/v1/complaints", json=body)
                runtime.faults.configure(FaultConfig())
                found = await http.get(
                    "/api/v1/complaints", params={"external_ref": body["external_ref"]}
                )
                assert len(found.json()["items"]) == 1
        finally:
            await runtime.stop()
            assert not runtime.clock.running

    asyncio.run(scenario())
    runtime.close()
