"""The spine end to end: complaints in over HTTP, into the sandbox registry through
faults, statuses and responses back, with every complaint in the registry exactly once."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import FAULTS, gateway_process
from tests.support import SANDBOX_ADMIN, TENANT_ENV, sandbox_process, wait_until

pytestmark = pytest.mark.e2e

KEYS = {
    "lampung": {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]},
    "kalsel": {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]},
}
N_PER_TENANT = 30


def complaint(i: int, tenant: str) -> dict[str, object]:
    return {
        "source_ref": f"{tenant.upper()}-{i:04d}",
        "title": f"Lampu jalan mati nomor {i}",
        "content": f"Lampu penerangan jalan di gang {i} mati sejak minggu lalu, mohon diperbaiki.",
        "reporter": {"name": f"Warga {i}", "phone": f"0812-1000-{i:04d}"},
    }


def all_complaints(http: httpx.Client, gateway: str) -> list[dict]:
    items = []
    for tenant, key in KEYS.items():
        page = http.get(f"{gateway}/complaints", params={"limit": 200}, headers=key)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
    return items


def test_every_complaint_reaches_the_registry_exactly_once_through_faults(
    tmp_path: Path, database_url: str, http: httpx.Client
) -> None:
    sandbox_args = [
        "--step-seconds",
        "0.4",
        "--archive-rate",
        "0.1",
        "--seed",
        "11",
        "--no-unique-external-ref",
    ]
    for flag, value in FAULTS.items():
        sandbox_args += [flag, value]
    with (
        sandbox_process(tmp_path, *sandbox_args) as sandbox,
        gateway_process(tmp_path, database_url, sandbox) as gateway,
    ):
        for tenant, key in KEYS.items():
            for i in range(N_PER_TENANT):
                answer = http.post(
                    f"{gateway}/channels/api/{tenant}/complaints",
                    json=complaint(i, tenant),
                    headers=key,
                )
                assert answer.status_code == 202, answer.text
        # a redelivery of an accepted complaint creates nothing
        again = http.post(
            f"{gateway}/channels/api/lampung/complaints",
            json=complaint(0, "lampung"),
            headers=KEYS["lampung"],
        )
        assert again.status_code == 200

        def all_tracked() -> list[dict] | None:
            items = all_complaints(http, gateway)
            return items if all(c["tracking_id"] for c in items) else None

        items = wait_until(all_tracked, timeout=120, interval=0.5, what="tracking IDs")
        assert len(items) == 2 * N_PER_TENANT

        stats = http.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).json()
        assert stats["complaints"] == 2 * N_PER_TENANT
        assert stats["by_external_ref_duplicates"] == 0
        # the faults really happened, the hard one included
        assert stats["faults"].get("lost_response", 0) > 0
        for c in items:
            found = http.get(
                f"{sandbox}/_sandbox/complaints",
                params={"external_ref": c["external_ref"]},
                headers=SANDBOX_ADMIN,
            ).json()["items"]
            assert [f["tracking_id"] for f in found] == [c["tracking_id"]], c["external_ref"]

        def all_final() -> list[dict] | None:
            items = all_complaints(http, gateway)
            done = all(c["status"] in ("resolved", "rejected") for c in items)
            return items if done else None

        items = wait_until(all_final, timeout=120, interval=0.5, what="final statuses")
        resolved = [c for c in items if c["status"] == "resolved"]
        assert resolved, "some complaints must be resolved"
        for c in resolved:
            assert c["response"] and c["agency_name"], c
            national = [h["national_status"] for h in c["history"] if h["source"] == "national"]
            assert national[-1] == "selesai"
            assert "ditindaklanjuti" in national
            assert c["due"]["verify"] and c["due"]["follow_up"]

        sample = resolved[0]
        tracked = http.get(f"{gateway}/track/{sample['tracking_id']}").json()
        assert tracked["status"] == "resolved" and tracked["response"] == sample["response"]
        assert "reporter" not in tracked and "content" not in tracked

        detail = http.get(f"{gateway}/complaints/{sample['id']}", headers=KEYS[sample["tenant"]])
        assert detail.json()["reporter"]["phone"].startswith("+62812")
        log = (tmp_path / "gateway.log").read_text()
        assert "Warga 1" not in log and "+6281210000001" not in log  # no personal data logged
