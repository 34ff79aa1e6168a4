"""The console's words in English where they used to stay Indonesian, and the oversight
figures' texts under a tenant's own SLA: the period labels (shared by the page and the
reports), the channel names, the 7-day chart, the repair form's errors, the sign-in
messages and the definitions and headings that name the working-day limits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from gateway.mappings.catalog import Catalogue
from gateway.mappings.spec import Sla
from gateway.ops import auth, oversight_rows, repair_form, week_chart
from gateway.ops.labels import ENGLISH
from gateway.oversight import names, periods, report_tables
from tests.reports_sample import sample

#: a tenant whose mapping says 2, 4 and 7 working days
OWN = Sla(verify_days=2, follow_up_days=4, auto_close_days=7)


def test_definitions_name_the_tenants_own_limits() -> None:
    indonesian, english = names.definitions(OWN)
    assert "(2 hari kerja setelah terkirim" in indonesian["over_sla_verify"]
    assert "(4 hari kerja setelah disposisi" in indonesian["over_sla_follow_up"]
    assert "(7 hari kerja setelah tindak lanjut" in indonesian["over_sla_finish"]
    assert "(2 working days after submission" in english["over_sla_verify"]
    assert "(4 working days after the first disposition" in english["over_sla_follow_up"]
    assert "(7 working days after the first follow-up" in english["over_sla_finish"]
    for text in (*indonesian.values(), *english.values()):
        assert not re.search(r"\b(3|5|10) (hari|working)", text), text
        assert "{" not in text, text
    assert list(indonesian) == list(english) == list(names.DEFINITIONS)


def test_the_default_definitions_are_the_default_slas() -> None:
    assert names.definitions(Sla()) == (names.DEFINITIONS, names.DEFINITIONS_EN)
    assert "(3 hari kerja setelah terkirim" in names.DEFINITIONS["over_sla_verify"]
    assert "(10 working days after the first follow-up" in names.DEFINITIONS_EN["over_sla_finish"]


def test_the_pages_headings_name_the_tenants_own_limits() -> None:
    for en, words in ((False, "hari kerja"), (True, "working days")):
        columns = {c.field: c for c in oversight_rows.columns(en, OWN)}
        assert f"2 {words}" in columns["over_sla_verify"].label
        assert f"4 {words}" in columns["over_sla_follow_up"].label
        assert f"7 {words}" in columns["over_sla_finish"].label
        shorts = [columns[f].short for f in ("over_sla_verify", "over_sla_follow_up")]
        assert [s.split()[0] for s in shorts] == ["2", "4"]
        assert columns["over_sla_finish"].short.startswith("7 ")
        assert oversight_rows.terms(en, OWN)["over_sla_finish"] == columns["over_sla_finish"].label
    assert oversight_rows.step_words(OWN)["over_sla_verify"] == (
        "Lewat 2 hari kerja (verifikasi)",
        "Over 2 working days (verify)",
    )
    default = {c.field: c.short for c in oversight_rows.columns(False, Sla())}
    assert default["over_sla_finish"] == "10 (selesai)"


@pytest.mark.parametrize(
    ("key", "indonesian", "english"),
    [
        ("2026-11", "November 2026", "November 2026"),
        ("2026-Q4", "Triwulan IV 2026", "Q4 2026"),
        ("2026", "2026", "2026"),
        ("2026-11-01..2026-11-15", "1-15 November 2026", "1 November 2026 - 15 November 2026"),
        ("2026-02-01..2026-02-01", "1 Februari 2026", "1 February 2026 - 1 February 2026"),
    ],
)
def test_a_period_in_english_is_the_reports_own(key: str, indonesian: str, english: str) -> None:
    period = periods.parse_period(key, date(2026, 12, 2))
    assert periods.period_label(period, "id") == period.label == indonesian
    assert periods.period_label(period, "en") == english
    # the reports say it the same way: one function
    o = replace(sample(), period=period)
    assert report_tables.period_label(o, "en") == english
    assert report_tables.period_label(o, "id") == indonesian


def test_months_of_the_trend_in_english() -> None:
    assert periods.month_label("2026-12", "Des 2026", "en") == "Dec 2026"
    assert periods.month_label("2026-08", "Agu 2026", "en") == "Aug 2026"
    assert periods.month_label("2026-12", "Des 2026", "id") == "Des 2026"
    assert report_tables.month_label("2026-05", "Mei 2026", "en") == "May 2026"


def test_the_trend_chart_names_its_months_in_the_pages_language() -> None:
    o = sample()
    links = oversight_rows.Links("sumbar", o.period.key, en=True)
    english = oversight_rows.trend(o, links, en=True)
    indonesian = oversight_rows.trend(o, oversight_rows.Links("sumbar", "2026-11", False), False)
    assert [label.text for label in indonesian.labels] == [m.label for m in o.monthly]
    assert [label.text for label in english.labels][-2:] == ["Oct 2026", "Nov 2026"]
    assert english.labels[0].text == "Dec 2025" and indonesian.labels[0].text == "Des 2025"
    assert english.bars[0].title == f"Dec 2025: {o.monthly[0].counts.received} received"
    assert "Dec 2025 - Nov 2026" in english.summary and "Des 2025" not in english.summary


def test_channel_and_empty_rows_in_english() -> None:
    assert names.english_name("channel", "webform", "Formulir web") == "Web form"
    assert names.english_name("channel", "api", "API / aplikasi") == "API / app"
    assert names.english_name("channel", "sms", "SMS") == "SMS"
    assert names.english_name("agency", "", names.NO_AGENCY) == "Not yet assigned"
    assert names.english_name("topic", "", names.NO_TOPIC) == "No topic"
    # the catalogue's and the mappings' names have no English: as they are
    assert names.english_name("topic", "11", "Jalan dan Jembatan") == "Jalan dan Jembatan"
    assert names.english_name("agency", "X", "Dinas PU") == "Dinas PU"
    row = sample().by_region[0]
    webform = replace(row, key="webform", name="Formulir web")
    assert oversight_rows.row_names(True)("channel", webform) == "Web form"
    assert oversight_rows.row_names(False)("channel", webform) == "Formulir web"


def test_the_week_chart_speaks_english_when_asked() -> None:
    days = [week_chart.DayCount(date(2026, 11, 23) + timedelta(days=i), i, 0) for i in range(7)]
    indonesian = week_chart.chart("Lampung", days)
    english = week_chart.chart("Lampung", days, "en")
    assert indonesian.bars[0].title == "Senin 2026-11-23: 0 masuk"
    assert english.bars[0].title == "Monday 2026-11-23: 0 received"
    assert english.bars[-1].title == "Sunday 2026-11-29: 0 sent"
    titles = " ".join(b.title for b in english.bars) + english.summary
    for word in (*week_chart.WEEKDAYS, "masuk", "terkirim", "hari", "s.d."):
        assert word not in titles, word
    assert english.summary == (
        "Lampung, last 7 days (2026-11-23 to 2026-11-29): 21 complaints received, "
        "0 sent to SP4N-LAPOR!"
    )
    assert indonesian.summary.startswith("Lampung, 7 hari terakhir (2026-11-23 s.d. 2026-11-29)")


def test_the_repair_forms_errors_in_english() -> None:
    catalogue = Catalogue({1: "Jalan"}, {"KEMENPU": "Kementerian PU"}, source="bundled")
    form = {"topic_id": "99", "agency_code": "TIDAK-ADA", "region_code": "18.7"}
    today = date(2026, 12, 2)
    english = repair_form.check({**form, "incident_date": "2027-01-01"}, catalogue, today, "en")
    assert english.errors == {
        "topic_id": "topic 99 is not in the national catalogue",
        "agency_code": "agency TIDAK-ADA is not in the national catalogue",
        "region_code": "must be a Kemendagri region code, e.g. 18 or 18.71",
        "incident_date": "cannot be in the future",
    }
    indonesian = repair_form.check(form, catalogue, today)
    assert indonesian.errors["agency_code"] == "instansi TIDAK-ADA tidak ada di katalog nasional"
    wrong = {"topic_id": "x", "agency_code": "A" * 65, "region_code": "18", "incident_date": "y"}
    assert set(repair_form.check(wrong, catalogue, today, "en").errors.values()) == {
        "must be a national topic number",
        "at most 64 characters",
        "must be a date written YYYY-MM-DD",
    }


def test_every_sign_in_sentence_has_its_english() -> None:
    source = Path(auth.__file__).read_text(encoding="utf-8")
    said = set(re.findall(r'words\(\s*"([^"]+)"', source))
    said |= set(re.findall(r'_page\(\s*ctx\.words,\s*"([^"]+)",\s*"([^"]+)"', source)[0])
    assert len(said) >= 6
    assert sorted(said - ENGLISH.keys()) == []
    login = (Path(auth.__file__).parent / "templates" / "login.html").read_text(encoding="utf-8")
    assert "(Username)" not in login and "Sign in" not in login
