"""The oversight page's pure parts: how figures are written, which period the chooser
asks for, how regions are ranked, and the trend chart's bars."""

from __future__ import annotations

from gateway.ops import oversight_chart
from gateway.ops.oversight_page import Column, Links, Numbers, period_key, region_ranks
from gateway.oversight.figures import Counts, Month, Row


def test_figures_are_written_in_the_pages_language() -> None:
    counts = Counts(received=1294, follow_up_rate=0.98, median_days_to_verify=2.5)
    received = Column("received", "Diterima", "count", "received")
    rate = Column("follow_up_rate", "Tingkat", "rate", "followed_up_by_end")
    days = Column("median_days_to_verify", "Median", "days", "verified")
    never = Column("median_days_to_finish", "Median", "days", "finished")
    indonesian, english = Numbers(en=False), Numbers(en=True)
    assert [indonesian.figure(counts, c) for c in (received, rate, days, never)] == [
        "1.294",
        "98,0%",
        "2,5",
        "-",
    ]
    assert [english.figure(counts, c) for c in (received, rate, days, never)] == [
        "1,294",
        "98.0%",
        "2.5",
        "-",
    ]


def test_the_chooser_asks_for_a_month_a_quarter_a_year_or_dates() -> None:
    assert period_key({}, "2026-12") == "2026-12"
    assert period_key({"period": "2026-Q4", "kind": "month", "month": "2026-01"}, "x") == "2026-Q4"
    assert period_key({"kind": "month", "month": "2026-11"}, "x") == "2026-11"
    assert period_key({"kind": "quarter", "quarter": "3", "year": "2026"}, "x") == "2026-Q3"
    assert period_key({"kind": "year", "year": "2025"}, "x") == "2025"
    dates = {"kind": "dates", "from": "2026-11-01", "to": "2026-11-15"}
    assert period_key(dates, "x") == "2026-11-01..2026-11-15"


def test_regions_rank_by_follow_up_then_finish_then_received_and_empty_ones_last() -> None:
    rows = [
        Row("sumbar", "Sumbar", Counts(received=10, follow_up_rate=0.5, finish_rate=0.5)),
        Row("a", "A", Counts(received=0)),
        Row("z", "Z", Counts(received=2, follow_up_rate=0.0, finish_rate=0.0)),
        Row("b", "B", Counts(received=3, follow_up_rate=0.9, finish_rate=0.1)),
        Row("c", "C", Counts(received=4, follow_up_rate=0.9, finish_rate=0.1)),
    ]
    assert region_ranks(rows) == {"c": 1, "b": 2, "sumbar": 3, "z": 4, "a": 5}


def test_links_keep_the_tenant_the_period_and_an_empty_agency() -> None:
    links = Links("sumbar", "2026-11", en=False)
    assert links.drill("received", {"agency": ""}) == (
        "/ops/pengawasan/pengaduan?tenant=sumbar&period=2026-11&step=received&agency="
    )
    assert Links("sumbar", "2026-11", en=True).page(en=False).endswith("&lang=id")
    assert links.download("pdf") == "/ops/pengawasan/unduh?tenant=sumbar&period=2026-11&format=pdf"


def test_the_trend_has_three_bars_a_month_scaled_to_the_busiest_each_a_link() -> None:
    months = [
        Month("2026-10", "Okt 2026", Counts(received=10, followed_up=5, finished=0)),
        Month("2026-11", "Nov 2026", Counts(received=20, followed_up=10, finished=1)),
    ]
    made = oversight_chart.chart(
        months,
        ("diterima", "ditindaklanjuti", "selesai"),
        lambda month, step: f"/drill?period={month}&step={step}",
        lambda r, f, s: f"{r}/{f}/{s}",
    )
    assert [b.height for b in made.bars] == [75, 38, 0, 150, 75, 8]
    assert made.bars[3].title == "Nov 2026: 20 diterima"
    assert made.bars[5].href == "/drill?period=2026-11&step=finished"
    assert made.top == 20 and made.summary == "30/15/1"
    assert [label.text for label in made.labels] == ["Okt 2026", "Nov 2026"]
