"""A confidential complaint's reporter on the console, over a real loopback server:
nothing of it shows (no initial, no phone digits) to a read-only auditor, in the
complaint page, its raw input or the list's search; the role that may reveal still can."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.integration.test_ops_pages import file_complaint
from tests.ops_support import csrf_of, serve_console, signed_in

REPORTER = {
    "name": "Dewi Lestari",
    "phone": "0812-3456-7855",
    "email": "dewi@example.id",
    "nik": "1871010101900055",
}
#: every fragment a mask would leave of REPORTER
FRAGMENTS = ("D***", "L***", "+62******55", "******55", "d***@", "example.id", "7855", "Dewi")
WITHHELD = "dirahasiakan"


@pytest.fixture
def base_url(engine, database_url: str) -> Iterator[str]:
    with serve_console(database_url) as base:
        yield base


def test_an_auditor_sees_no_fragment_of_a_confidential_reporter(
    base_url: str, factory: sessionmaker[Session]
) -> None:
    secret = file_complaint(base_url, "CC-R1", confidential=True, reporter=REPORTER)
    plain = file_complaint(base_url, "CC-R2", reporter={**REPORTER, "name": "Siti Aminah"})
    with signed_in(base_url, factory, "lihat", "read_only") as auditor:
        page = auditor.get(f"/ops/complaints/{secret}")
        assert page.status_code == 200 and "Jalan berlubang CC-R1" in page.text
        for fragment in FRAGMENTS:
            assert fragment not in page.text, fragment
        assert page.text.count(WITHHELD) >= 5  # name, phone, e-mail, NIK, raw input
        assert "Tampilkan data pribadi" not in page.text
        # a complaint that is not confidential is masked as before
        other = auditor.get(f"/ops/complaints/{plain}")
        assert "S*** A***" in other.text and "+62******55" in other.text
        # the phone number does not find the confidential one (it would confirm who)
        found = auditor.get("/ops/complaints", params={"q": "081234567855"})
        assert "CC-R2" in found.text and "CC-R1" not in found.text
        assert "CC-R1" in auditor.get("/ops/complaints", params={"q": "CC-R1"}).text


def test_the_role_that_may_reveal_a_confidential_reporter_still_can(
    base_url: str, factory: sessionmaker[Session]
) -> None:
    secret = file_complaint(base_url, "CC-R3", confidential=True, reporter=REPORTER)
    path = f"/ops/complaints/{secret}"
    with signed_in(base_url, factory, "budi", "national") as national:
        page = national.get(path)
        for fragment in FRAGMENTS:  # not even masked until revealed
            assert fragment not in page.text, fragment
        assert "Tampilkan data pribadi" in page.text
        answer = national.post(f"{path}/reveal", data={"csrf_token": csrf_of(page)})
        assert answer.status_code == 303
        shown = national.get(answer.headers["location"])
        for value in ("Dewi Lestari", "+6281234567855", "dewi@example.id", "1871010101900055"):
            assert value in shown.text
        assert WITHHELD not in shown.text
