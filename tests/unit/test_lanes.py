"""The lane's gate: a resizable, first-come-first-served limit on requests in flight."""

from __future__ import annotations

import asyncio

import pytest

from gateway.sync.lanes import Gate
from tests.support import scaled

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_gate_admits_up_to_its_limit_in_arrival_order() -> None:
    gate, admitted = Gate(2), []

    async def holder(n: int) -> None:
        await gate.acquire()
        admitted.append(n)

    tasks = [asyncio.create_task(holder(n)) for n in range(5)]
    await _settle()
    assert admitted == [0, 1] and gate.active == 2 and gate.waiting == 3
    gate.release()
    await _settle()
    assert admitted == [0, 1, 2]
    gate.resize(4)  # a peer died: this process's share grew
    await _settle()
    assert admitted == [0, 1, 2, 3, 4] and gate.active == 4
    gate.resize(1)  # a peer joined: nobody new until the holders are down to 0
    for _ in range(4):
        gate.release()
    await asyncio.gather(*tasks)
    assert gate.active == 0


async def test_a_cancelled_waiter_gives_its_turn_away() -> None:
    gate = Gate(1)
    await gate.acquire()
    waiting = asyncio.create_task(gate.acquire())
    after = asyncio.create_task(gate.acquire())
    await _settle()
    waiting.cancel()
    await _settle()
    gate.release()
    await asyncio.wait_for(after, scaled(1))
    assert gate.active == 1 and gate.waiting == 0
