"""Open311's open/closed for every canonical status, from the adapter's table."""

from __future__ import annotations

import pytest

from adapters.open311.status import OPEN311_STATUS, canonical_statuses, open311_status
from gateway.domain.status import Status


def test_every_canonical_status_is_mapped() -> None:
    assert set(OPEN311_STATUS) == set(Status)
    assert set(OPEN311_STATUS.values()) <= {"open", "closed"}


@pytest.mark.parametrize("status", list(Status))
def test_only_finished_complaints_are_closed(status: Status) -> None:
    expected = "closed" if status in (Status.RESOLVED, Status.REJECTED) else "open"
    assert open311_status(status.value) == expected
    assert (status.value in canonical_statuses({"closed"})) == (expected == "closed")


def test_filters_name_canonical_statuses() -> None:
    assert canonical_statuses({"closed"}) == ["rejected", "resolved"]
    assert set(canonical_statuses({"open", "closed"})) == {s.value for s in Status}
    assert open311_status("something new") == "open"
