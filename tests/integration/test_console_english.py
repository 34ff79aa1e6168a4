"""The console's pages that stayed Indonesian in English mode, over a real loopback
server on SQLite and PostgreSQL: the sign-in page and its messages, the repair form's
errors, the 7-day chart, and the oversight page's periods, channels, trend months and
its lateness headings under the tenant's own SLA. Indonesian stays the default, English
comes with ``?lang=en`` and is remembered (the ``lapor_ops_lang`` cookie)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from gateway.mappings.spec import Sla
from tests import oversight_fixture as fx
from tests.integration.test_ops_pages import fail_job, file_complaint
from tests.ops_support import console_app, csrf_of, login, operator, signed_in
from tests.support import scaled, serve_in_thread

WRONG = "tebakan-yang-salah"
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: the sign-in throttle's clock, frozen: a wait it asks for has not passed
FROZEN = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def text_of(page: httpx.Response) -> str:
    """What a person reads on ``page``: its text without tags and their attributes."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


@pytest.fixture
def base_url(engine: Any, database_url: str) -> Iterator[str]:
    _container, app = console_app(database_url)
    app.state.ops_clock = lambda: FROZEN
    with serve_in_thread(app) as base:
        yield base


def test_the_sign_in_page_follows_the_language(
    base_url: str, factory: sessionmaker[Session]
) -> None:
    operator(factory, "budi", "national", None)
    with httpx.Client(base_url=base_url, timeout=scaled(10)) as browser:
        page = browser.get("/ops/login")
        said = text_of(page)
        assert '<html lang="id">' in page.text
        assert "Nama pengguna" in said and "Kata sandi" in said and "Masuk" in said
        for english in ("Username", "Password", "Sign in", "(", ")"):
            assert english not in said, english
        assert 'href="/ops/login?lang=en"' in page.text and "English" in said
        wrong = login(browser, "budi", WRONG)
        assert wrong.status_code == 401
        assert "Nama pengguna atau kata sandi salah." in text_of(wrong)
        assert "Wrong" not in wrong.text

        chosen = browser.get("/ops/login?lang=en")
        assert chosen.cookies.get("lapor_ops_lang") == "en"
        said = text_of(chosen)
        assert '<html lang="en">' in chosen.text
        assert "Username" in said and "Password" in said and "Sign in" in said
        assert "Nama pengguna" not in said and "Kata sandi" not in said
        assert 'href="/ops/login?lang=id"' in chosen.text and "Bahasa Indonesia" in said
        # the choice is remembered: the answers to the form speak English too
        wrong = login(browser, "budi", WRONG)
        assert wrong.status_code == 401 and '<html lang="en">' in wrong.text
        assert "Wrong username or password." in text_of(wrong)
        assert "salah" not in wrong.text and "Nama pengguna" not in wrong.text
        assert login(browser, "budi", WRONG).status_code == 401  # a third mistake
        slowed = login(browser, "budi", WRONG)
        assert slowed.status_code == 429
        assert "Too many sign-in attempts; try again in 5 s." in text_of(slowed)
        assert "Terlalu banyak" not in slowed.text
        expired = browser.post(
            "/ops/login", data={"username": "budi", "password": WRONG, "csrf_token": "x"}
        )
        assert expired.status_code == 403
        assert "The form expired; try again." in text_of(expired)
        assert "kedaluwarsa" not in expired.text


def test_a_refused_csrf_token_follows_the_language(
    base_url: str, factory: sessionmaker[Session]
) -> None:
    with signed_in(base_url, factory, "budi", "national") as client:
        refused = client.post("/ops/logout?lang=en", data={"csrf_token": "not-the-token"})
        assert refused.status_code == 403
        assert "CSRF token mismatch." in text_of(refused) and "tidak cocok" not in refused.text
        refused = client.post("/ops/logout?lang=id", data={"csrf_token": "not-the-token"})
        assert "Token CSRF tidak cocok." in text_of(refused) and "mismatch" not in refused.text


def test_the_repair_forms_errors_follow_the_language(
    base_url: str, factory: sessionmaker[Session]
) -> None:
    job_id = fail_job(factory, file_complaint(base_url, "EN-FIX-1"))
    values = {"topic_id": "1", "agency_code": "TIDAK-ADA", "region_code": "18.7"}
    with signed_in(base_url, factory, "budi", "national") as client:
        form = client.get(f"/ops/jobs/{job_id}/fix?lang=en")
        assert form.status_code == 200
        wrong = client.post(f"/ops/jobs/{job_id}/fix", data={"csrf_token": csrf_of(form), **values})
        assert wrong.status_code == 400
        errors = re.findall(r'<span class="error">([^<]+)</span>', html.unescape(wrong.text))
        assert errors == [
            "agency TIDAK-ADA is not in the national catalogue",
            "must be a Kemendagri region code, e.g. 18 or 18.71",
        ]
        form = client.get(f"/ops/jobs/{job_id}/fix?lang=id")
        wrong = client.post(f"/ops/jobs/{job_id}/fix", data={"csrf_token": csrf_of(form), **values})
        errors = re.findall(r'<span class="error">([^<]+)</span>', html.unescape(wrong.text))
        assert errors == [
            "instansi TIDAK-ADA tidak ada di katalog nasional",
            "harus kode wilayah Kemendagri, mis. 18 atau 18.71",
        ]


def _week_titles(page: httpx.Response) -> list[str]:
    """The 7-day charts' bar titles (``Monday 2026-11-23: 0 received``)."""
    assert page.status_code == 200, page.text
    return re.findall(r"<rect [^>]*><title>([^<]+)</title>", page.text)


def test_the_week_chart_follows_the_language(base_url: str, factory: sessionmaker[Session]) -> None:
    with signed_in(base_url, factory, "budi", "national") as client:
        english = client.get("/ops?lang=en")
        titles = _week_titles(english)
        assert len(titles) >= 14  # 7 days of 2 bars, per tenant
        assert {t.split()[0] for t in titles} == set(WEEKDAYS_EN)
        assert all(t.endswith((" received", " sent")) for t in titles), titles
        for day in WEEKDAYS:
            assert day not in english.text, day
        assert "last 7 days (" in english.text and "hari terakhir" not in english.text
        indonesian = _week_titles(client.get("/ops?lang=id"))
        assert {t.split()[0] for t in indonesian} == set(WEEKDAYS)
        assert all(t.endswith((" masuk", " terkirim")) for t in indonesian), indonesian


@dataclass
class Oversight:
    base: str
    container: Any


@pytest.fixture
def oversight(engine: Any, database_url: str, factory: sessionmaker[Session]) -> Iterator[Any]:
    """The gateway with the oversight fixture's complaints on its clock (as
    tests/integration/test_oversight_page.py serves it)."""
    container, app = console_app(database_url)
    fx.build(factory)
    app.state.ops_clock = lambda: fx.NOW
    with serve_in_thread(app) as base:
        container.tenants["padang"] = fx.TENANTS["padang"]
        yield Oversight(base, container)


def test_the_oversight_page_says_periods_channels_and_months_in_english(
    oversight: Oversight, factory: sessionmaker[Session]
) -> None:
    with signed_in(oversight.base, factory, "sari", "tenant", "sumbar") as sari:
        page = sari.get("/ops/pengawasan", params={"period": fx.PERIOD, "lang": "en"})
        said = text_of(page)
        assert "December 2026 (2026-12-01 to 2026-12-31, WIB)" in said
        for english, indonesian in (
            ("Web form", "Formulir web"),
            ("API / app", "API / aplikasi"),
            ("Not yet assigned", "Belum ditentukan"),
            ("Dec 2026", "Des 2026"),
            ("Oct 2026", "Okt 2026"),
            ("Aug 2026", "Agu 2026"),
        ):
            assert english in said, english
            assert indonesian not in page.text, indonesian
        assert re.search(r'<tr id="channel-webform">\s*<td[^>]*class="name">Web form<', page.text)
        quarter = sari.get("/ops/pengawasan", params={"period": "2026-Q4", "lang": "en"})
        assert "Q4 2026 (2026-10-01 to 2026-12-31" in text_of(quarter)
        assert "Triwulan" not in text_of(quarter)
        dates = {"period": "2026-12-01..2026-12-15", "lang": "en"}
        said = text_of(sari.get("/ops/pengawasan", params=dates))
        assert "1 December 2026 - 15 December 2026 (2026-12-01 to 2026-12-15" in said
        drill = {"tenant": "sumbar", "period": "2026-Q4", "step": "received", "lang": "en"}
        said = text_of(sari.get("/ops/pengawasan/pengaduan", params=drill))
        assert "Q4 2026 (2026-10-01 to 2026-12-31" in said and "Triwulan" not in said

        # remembered: without ?lang= the oversight page stays in English
        remembered = sari.get("/ops/pengawasan", params={"period": fx.PERIOD})
        assert "<h1>Oversight</h1>" in remembered.text
        assert "December 2026 (2026-12-01 to" in text_of(remembered)
        # and back: Indonesian as before
        back = sari.get("/ops/pengawasan", params={"period": fx.PERIOD, "lang": "id"})
        said = text_of(back)
        assert "Desember 2026 (2026-12-01 s.d. 2026-12-31, WIB)" in said
        assert "Formulir web" in said and "Des 2026" in said and "Belum ditentukan" in said


def test_the_lateness_headings_name_the_tenants_own_sla(
    oversight: Oversight, factory: sessionmaker[Session]
) -> None:
    sumbar = oversight.container.tenants["sumbar"]
    own = Sla(verify_days=2, follow_up_days=4, auto_close_days=7)
    oversight.container.tenants["sumbar"] = replace(
        sumbar, spec=sumbar.spec.model_copy(update={"sla": own})
    )
    with signed_in(oversight.base, factory, "sari", "tenant", "sumbar") as sari:
        for lang, words in (("id", "hari kerja"), ("en", "working days")):
            page = sari.get("/ops/pengawasan", params={"period": fx.PERIOD, "lang": lang})
            heads = re.findall(r'<th title="([^"]+)">([^<]+)</th>', page.text)
            # once per table: the same three in each
            late = list(dict.fromkeys((t, short) for t, short in heads if words in t))
            assert [short.split()[0] for _title, short in late] == ["2", "4", "7"], late
            assert [title.split()[1] for title, _short in late] == ["2", "4", "7"], late
        drill = {"tenant": "sumbar", "period": fx.PERIOD, "step": "over_sla_finish"}
        said = text_of(sari.get("/ops/pengawasan/pengaduan", params=drill))
        assert "Over 7 working days (finish)" in said
