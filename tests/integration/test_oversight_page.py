"""The oversight page (/ops/pengawasan) and its drill-down over a real loopback server,
on SQLite and PostgreSQL, with the hand-computed fixture (tests/oversight_fixture.py):
the page shows the fixture's figures, every figure links to exactly as many complaints,
and only operators who can see the tenant get the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests import oversight_fixture as fx
from tests.ops_support import Clients, console_app, signed_in_clients
from tests.support import serve_in_thread


@dataclass
class Built:
    base: str
    #: the fixture's complaint ids by case key (S1, J2, P5...)
    ids: dict[str, str]


@pytest.fixture
def base_url(engine, database_url: str, factory: sessionmaker[Session]) -> Iterator[Built]:
    """The gateway (sync off) with the fixture's complaints, on the fixture's clock; Kota
    Padang, the fixture's second city, joins the sample tenants under Sumatera Barat."""
    container, app = console_app(database_url)
    ids = fx.build(factory)
    app.state.ops_clock = lambda: fx.NOW
    with serve_in_thread(app) as base:
        # once started: start-up reads every tenant's channels, which the fixture's lack
        container.tenants["padang"] = fx.TENANTS["padang"]
        yield Built(base, ids)


@pytest.fixture
def clients(base_url: Built, factory: sessionmaker[Session]) -> Iterator[Clients]:
    """A signed-in client per operator: national, Sumatera Barat's, Sijunjung's, Kalsel's."""
    operators = (
        ("budi", "national", None),
        ("sari", "tenant", "sumbar"),
        ("joni", "tenant", "sijunjung"),
        ("rina", "tenant", "kalsel"),
    )
    with signed_in_clients(base_url.base, factory, operators) as made:
        yield made


ROWS = {
    "total-row": fx.EXPECTED_TOTAL,
    **{f"region-{key}": counts for key, (counts, _active) in fx.EXPECTED_REGIONS.items()},
    **{f"agency-{key}": counts for key, counts in fx.EXPECTED_AGENCIES.items()},
    **{f"channel-{key}": counts for key, counts in fx.EXPECTED_CHANNELS.items()},
    **{f"topic-{key}": counts for key, counts in fx.EXPECTED_TOPICS.items()},
}
CELL = re.compile(r'<td class="(\w+)" data-label="[^"]*"><a href="([^"]+)">([^<]*)</a></td>')


def figures(page: httpx.Response) -> dict[str, dict[str, tuple[str, str]]]:
    """Per table row id: each figure's field -> (its drill-down link, its text)."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for row_id, body in re.findall(r'<tr id="([^"]+)">(.*?)</tr>', page.text, re.S):
        cells = {f: (link.replace("&amp;", "&"), text) for f, link, text in CELL.findall(body)}
        if cells:
            found[row_id] = cells
    return found


def read(text: str) -> float | None:
    """A figure as the Indonesian page writes it (``1.294``, ``47,6%``, ``7,5``, ``-``)."""
    if text == "-":
        return None
    number = float(text.rstrip("%").replace(".", "").replace(",", "."))
    return number / 100 if text.endswith("%") else number


def drilled(client: httpx.Client, link: str) -> tuple[int, list[str]]:
    page = client.get(link)
    assert page.status_code == 200, (link, page.text)
    total = re.search(r'<span class="total">(\d+)</span>', page.text)
    assert total is not None
    return int(total.group(1)), re.findall(
        r'<tr class="complaint" id="complaint-([^"]+)">', page.text
    )


def test_the_page_shows_the_fixtures_figures_and_each_links_to_its_complaints(
    base_url: Built, clients: Clients
) -> None:
    sari = clients["sari"]
    page = sari.get("/ops/pengawasan", params={"period": fx.PERIOD})
    assert page.status_code == 200, page.text
    assert "Desember 2026 (2026-12-01 s.d. 2026-12-31, WIB)" in page.text
    assert "Dihitung 2027-01-15 10:00 WIB" in page.text
    shown = figures(page)
    assert set(shown) == set(ROWS)
    for row_id, expected in ROWS.items():
        for field, value in expected.items():
            text = shown[row_id][field][1]
            # a rate is written to a tenth of a percent, a median to a tenth of a day
            wanted = pytest.approx(value, abs=0.00051) if isinstance(value, float) else value
            assert read(text) == wanted, (row_id, field, text)
    for key, (_counts, active) in fx.EXPECTED_REGIONS.items():
        state = 'yes">aktif' if active else 'no">tidak aktif'
        assert re.search(rf'<tr id="region-{key}">.*?class="active {state}<', page.text, re.S)
    agencies = re.findall(r'<tr id="agency-([^"]*)">\s*<td[^>]*class="rank">(\d+)</td>', page.text)
    assert agencies == [(key, str(n)) for n, key in enumerate(fx.EXPECTED_AGENCY_ORDER, 1)]

    # every count links to exactly as many complaints; a rate to its numerator
    for row_id, cells in shown.items():
        for field, (link, text) in cells.items():
            if field.endswith("_rate") or field.startswith("median"):
                continue
            assert drilled(sari, link)[0] == read(text), (row_id, field, link)
    link, _text = shown["region-sumbar"]["follow_up_rate"]
    assert drilled(sari, link)[0] == 8  # 8 of sumbar's 12 followed up by 31 December

    # Sijunjung's two complaints past their finish date: J2 and J5
    total, listed = drilled(sari, shown["region-sijunjung"]["over_sla_finish"][0])
    assert total == 2 and set(listed) == {base_url.ids["J2"], base_url.ids["J5"]}
    assert (
        f'href="/ops/complaints/{base_url.ids["J2"]}"'
        in sari.get(shown["region-sijunjung"]["over_sla_finish"][0]).text
    )


def test_the_period_chooser_and_english(clients: Clients) -> None:
    sari = clients["sari"]
    quarter = sari.get(
        "/ops/pengawasan", params={"kind": "quarter", "quarter": "4", "year": "2026"}
    )
    assert "Triwulan IV 2026" in quarter.text
    total = figures(quarter)["total-row"]
    assert read(total["received"][1]) == fx.EXPECTED_Q4_RECEIVED
    assert "period=2026-Q4" in total["received"][0]
    english = sari.get("/ops/pengawasan", params={"period": fx.PERIOD, "lang": "en"})
    assert "Follow-up rate: complaints received in the period" in english.text
    rate = figures(english)["total-row"]["follow_up_rate"][1]
    assert rate == "47.6%"  # 10 of 21
    assert sari.get("/ops/pengawasan", params={"period": "2026-13"}).status_code == 400


def test_only_operators_who_see_the_tenant_get_its_page_and_its_complaints(
    clients: Clients,
) -> None:
    period = {"period": fx.PERIOD}
    sari = clients["sari"].get("/ops/pengawasan", params=period)
    choices = re.findall(
        r'<option value="([^"]+)"', sari.text.split('name="tenant"')[1].split("</select>")[0]
    )
    assert sorted(choices) == ["padang", "sijunjung", "sumbar"]  # not kalsel's
    drill = {**period, "tenant": "sumbar", "step": "received"}
    for name, params, status in (
        ("joni", {**period, "tenant": "sumbar"}, 404),  # a regency: not its province
        ("joni", drill, 404),
        ("joni", {**period, "tenant": "padang"}, 404),  # nor a sibling
        ("rina", {**period, "tenant": "sumbar"}, 404),  # another province
        ("rina", {**drill, "tenant": "kalsel", "region": "sijunjung"}, 404),
        ("sari", {**drill, "region": "kalsel"}, 404),  # not below sumbar
        ("sari", {**drill, "step": "everything"}, 404),
        ("joni", {**period, "tenant": "sijunjung"}, 200),
        ("budi", {**period, "tenant": "sumbar"}, 200),
    ):
        path = "/ops/pengawasan/pengaduan" if "step" in params else "/ops/pengawasan"
        answer = clients[name].get(path, params=params)
        assert answer.status_code == status, (name, params)
    joni = clients["joni"].get("/ops/pengawasan", params=period)
    assert read(figures(joni)["total-row"]["received"][1]) == 4  # Sijunjung's own
    assert "Kota Padang" not in joni.text
