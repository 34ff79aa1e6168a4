"""Chaos end to end: 2,000 complaints through a faulty registry while workers are
killed with SIGKILL and replaced. Every complaint reaches the registry exactly once,
gets its tracking ID, and every national status change comes back, in order."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.chaos_support import (
    KEYS,
    TOKENS,
    WorkerPool,
    chaos_seed,
    complaint_body,
    post_all,
    query,
    sandbox_token_args,
    worker_env,
    worker_pool,
)
from tests.e2e.conftest import gateway_process
from tests.support import (
    SANDBOX_ADMIN,
    fresh_postgres_database,
    sandbox_process,
    scaled,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

N_COMPLAINTS = 2000
N_WORKERS = 3
N_KILLS = 6
PAUSE_BETWEEN_KILLS = (1.0, 4.0)  # seconds, drawn at random: chaos, not synchronisation
FINAL = ("resolved", "rejected")
NATIONAL_FINAL = {"selesai": "resolved", "diarsipkan": "rejected"}

# 30% of requests meet a fault (lost responses only on POSTs, where they hurt)
FAULTS = {
    "--error-rate": "0.06",
    "--throttle-rate": "0.05",
    "--retry-after": "1",
    "--timeout-rate": "0.03",
    "--timeout-seconds": "2",  # longer than the client's 1.5 s: the client gives up
    "--reset-rate": "0.04",
    "--lost-response-rate": "0.12",
}
SYNC_ENV = {
    "GATEWAY_NATIONAL_TIMEOUT": "1.5",
    "GATEWAY_LEASE_SECONDS": "5",
    "GATEWAY_SINGLETON_TTL": "3",
    "GATEWAY_BACKOFF_BASE": "0.2",
    "GATEWAY_BACKOFF_MAX": "2",
    "GATEWAY_MAX_ATTEMPTS": "1000",
    "GATEWAY_DISPATCH_INTERVAL": "0.2",
    "GATEWAY_PULL_INTERVAL": "0.3",
    "GATEWAY_CIRCUIT_COOLDOWN": "2",
}


def unfinished(database_url: str) -> int:
    ((count,),) = query(
        database_url,
        "SELECT COUNT(*) FROM complaint WHERE tracking_id IS NULL OR status <> ALL(%s)",
        [list(FINAL)],
    )
    return int(count)


def puller_owner(database_url: str) -> str | None:
    rows = query(database_url, "SELECT owner FROM singleton_lease WHERE name = 'puller'")
    return rows[0][0] if rows else None


def busy(pool: WorkerPool, database_url: str) -> list[str]:
    """Our running workers that hold a job's lease or the change feed's lease."""
    holders = {
        owner
        for (owner,) in query(
            database_url,
            "SELECT DISTINCT lease_owner FROM outbox_job "
            "WHERE state = 'running' AND lease_expires_at > now() "
            "UNION SELECT owner FROM singleton_lease WHERE expires_at > now()",
        )
    }
    return sorted(holders & set(pool.running))


def unleash(pool: WorkerPool, rng: random.Random, database_url: str) -> list[dict[str, Any]]:
    """``N_KILLS`` times, at a random moment: SIGKILL a worker that holds work (every
    other time the one following the change feed, when it holds work) and start a
    replacement."""
    kills = []
    for n in range(N_KILLS):
        time.sleep(rng.uniform(*PAUSE_BETWEEN_KILLS))
        candidates = wait_until(
            lambda: busy(pool, database_url), timeout=60, interval=0.1, what="a busy worker"
        )
        owner = puller_owner(database_url)
        victim = owner if n % 2 == 0 and owner in candidates else rng.choice(candidates)
        left = unfinished(database_url)
        pool.kill(victim)
        replacement = pool.start()
        kill = {"victim": victim, "held_puller": victim == owner, "unfinished": left}
        print(f"chaos: killed {victim} ({kill}), started {replacement}")
        kills.append(kill)
    return kills


def sandbox_complaints(http: httpx.Client, sandbox: str) -> dict[str, dict[str, Any]]:
    """Every sandbox complaint by external_ref (at most 1,000 per tenant)."""
    found: dict[str, dict[str, Any]] = {}
    for account in TOKENS:
        page = http.get(
            f"{sandbox}/_sandbox/complaints",
            params={"account": account, "limit": 1000},
            headers=SANDBOX_ADMIN,
        ).json()
        assert page["count"] == len(page["items"]), page["count"]
        for item in page["items"]:
            assert item["external_ref"] not in found, item
            found[item["external_ref"]] = item
    return found


def national_events(http: httpx.Client, sandbox: str) -> dict[str, list[tuple[str, Any]]]:
    """The registry's change feed (read with faults off): per tracking ID, its events."""
    events: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for token in TOKENS.values():
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            page = http.get(
                f"{sandbox}/api/v1/changes",
                params=params,
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            for event in page["events"]:
                events[event["tracking_id"]].append((event["status"], event["response"]))
            if not page["events"]:
                break
            cursor = page["next_cursor"]
    return events


def gateway_history(database_url: str) -> dict[str, list[tuple[str, str | None, str]]]:
    history: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
    for complaint_id, source, national_status, response in query(
        database_url,
        "SELECT complaint_id, source, national_status, response FROM status_event ORDER BY id",
    ):
        history[complaint_id].append((source, national_status, response))
    return history


def test_no_complaint_lost_or_duplicated_while_workers_are_killed(tmp_path: Path) -> None:
    seed = chaos_seed()
    print(f"\nchaos seed {seed} (GATEWAY_CHAOS_SEED={seed} replays its choices)")
    rng = random.Random(seed)
    sandbox_args = ["--step-seconds", "1", "--archive-rate", "0.1", "--seed", str(seed)]
    sandbox_args += ["--no-unique-external-ref", "--log-level", "warning", *sandbox_token_args()]
    for flag, value in FAULTS.items():
        sandbox_args += [flag, value]
    tenants = sorted(KEYS)
    bodies = [(tenants[i % 2], complaint_body(tenants[i % 2], i)) for i in range(N_COMPLAINTS)]

    started = time.monotonic()
    with (
        fresh_postgres_database() as database_url,
        sandbox_process(tmp_path, *sandbox_args) as sandbox,
        gateway_process(
            tmp_path, database_url, sandbox, SYNC_ENV, serve_args=("--no-sync",)
        ) as gateway,
        worker_pool(worker_env(database_url, sandbox, SYNC_ENV), tmp_path, N_WORKERS) as pool,
        ThreadPoolExecutor(1) as background,
        httpx.Client(timeout=scaled(30)) as http,
    ):
        posting = background.submit(post_all, gateway, bodies, 8)
        kills = unleash(pool, rng, database_url)
        answers = posting.result()
        statuses = [a.status_code if isinstance(a, httpx.Response) else repr(a) for a in answers]
        assert statuses == [202] * N_COMPLAINTS, sorted(set(map(str, statuses)))
        print(f"chaos: {N_COMPLAINTS} filed, kills done at {time.monotonic() - started:.0f}s")

        def drained() -> bool:
            assert not pool.exited(), {w: pool.log(w) for w in pool.exited()}
            ((jobs_left,),) = query(
                database_url, "SELECT COUNT(*) FROM outbox_job WHERE state <> 'done'"
            )
            return unfinished(database_url) == 0 and jobs_left == 0

        wait_until(drained, timeout=180, interval=1, what=f"every complaint final (seed {seed})")
        print(f"chaos: drained at {time.monotonic() - started:.0f}s")

        stats = http.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).json()
        print(f"chaos: sandbox stats {stats}")
        assert stats["complaints"] == N_COMPLAINTS, stats
        assert stats["by_external_ref_duplicates"] == 0, stats
        assert stats["faults"].get("lost_response", 0) > 0, stats
        registry = sandbox_complaints(http, sandbox)
        assert (
            http.put(f"{sandbox}/_sandbox/faults", json={}, headers=SANDBOX_ADMIN).status_code
            == 200
        )
        feed = national_events(http, sandbox)

        rows = query(
            database_url,
            "SELECT id, external_ref, tracking_id, status, national_status, last_response "
            "FROM complaint",
        )
        history = gateway_history(database_url)
        assert len(rows) == N_COMPLAINTS
        for complaint_id, external_ref, tracking_id, status, national, response in rows:
            remote = registry[external_ref]
            assert remote["tracking_id"] == tracking_id, (external_ref, remote)
            assert remote["status"] == national, (external_ref, remote, national)
            assert status == NATIONAL_FINAL[national], (external_ref, status, national)
            sent = [h for h in history[complaint_id] if h[0] == "gateway" and h[1]]
            assert len(sent) == 1, (external_ref, history[complaint_id])
            # every national change after the submission, in the registry's order
            expected = feed[tracking_id][1:]
            got = [(n, r) for source, n, r in history[complaint_id] if source == "national"]
            assert got == expected, (external_ref, tracking_id, got, expected)
            responses = [r for _, r in expected if r]
            assert response == (responses[-1] if responses else None), external_ref
        assert {r[3] for r in rows} == set(FINAL), "both outcomes must occur"

        ((failed,),) = query(
            database_url, "SELECT COUNT(*) FROM job_attempt WHERE outcome = 'failed'"
        )
        assert failed == 0
        # attempts cut off by a kill: claimed (counted) but never recorded
        ((cut_off,),) = query(
            database_url,
            "SELECT COALESCE(SUM(j.attempts - (SELECT COUNT(*) FROM job_attempt a "
            "WHERE a.job_id = j.id)), 0) FROM outbox_job j",
        )
        print(f"chaos: {len(kills)} kills {kills}; {cut_off} attempts cut off by a kill")
        assert all(k["unfinished"] > 0 for k in kills), "every kill hit work in progress"
        assert any(k["held_puller"] for k in kills), "the change feed's follower was killed"
    print(f"chaos: {time.monotonic() - started:.0f}s in all (seed {seed})")
