"""An :class:`Oversight` built by hand for the report tests: Sumatera Barat with
Sijunjung below it, November 2026 (the figures are made up but consistent)."""

from __future__ import annotations

from datetime import date

from gateway.oversight.figures import Counts, Month, Oversight, Period, Row

PROVINCE = Counts(
    received=1294,
    verified=1270,
    dispatched=1262,
    followed_up=1268,
    finished=1216,
    archived=12,
    follow_up_rate=0.98,
    finish_rate=0.94,
    median_days_to_verify=1.5,
    median_days_to_follow_up=3.0,
    median_days_to_finish=7.5,
    over_sla_verify=14,
    over_sla_follow_up=31,
    over_sla_finish=40,
)
SIJUNJUNG = Counts(
    received=120,
    verified=118,
    dispatched=117,
    followed_up=110,
    finished=101,
    archived=2,
    follow_up_rate=0.9167,
    finish_rate=0.8417,
    median_days_to_verify=2.0,
    median_days_to_follow_up=4.5,
    median_days_to_finish=9.0,
    over_sla_verify=3,
    over_sla_follow_up=7,
    over_sla_finish=11,
)
QUIET = Counts()  # received nothing: rates have no figure, and it counts as active


def sample(months: int = 12) -> Oversight:
    total = Counts(
        received=PROVINCE.received + SIJUNJUNG.received,
        verified=PROVINCE.verified + SIJUNJUNG.verified,
        dispatched=PROVINCE.dispatched + SIJUNJUNG.dispatched,
        followed_up=PROVINCE.followed_up + SIJUNJUNG.followed_up,
        finished=PROVINCE.finished + SIJUNJUNG.finished,
        archived=PROVINCE.archived + SIJUNJUNG.archived,
        follow_up_rate=0.9745,
        finish_rate=0.9321,
        median_days_to_verify=1.5,
        median_days_to_follow_up=3.0,
        median_days_to_finish=8.0,
        over_sla_verify=17,
        over_sla_follow_up=38,
        over_sla_finish=51,
    )
    # the twelve months ending with November 2026
    keys = [f"{2025 + (m + 11) // 12}-{(m + 11) % 12 + 1:02d}" for m in range(12)][-months:]
    short = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
    monthly = [
        Month(
            key,
            f"{short[int(key[5:]) - 1]} {key[:4]}",
            Counts(
                received=100 + 10 * i,
                followed_up=90 + 9 * i,
                finished=80 + 8 * i,
                follow_up_rate=0.9,
                finish_rate=0.8,
            ),
        )
        for i, key in enumerate(keys)
    ]
    return Oversight(
        tenant="sumbar",
        tenant_name="Pemerintah Provinsi Sumatera Barat",
        tenants=("sumbar", "sijunjung", "tanahdatar"),
        period=Period(date(2026, 11, 1), date(2026, 11, 30), "November 2026", "2026-11"),
        zone="WIB",
        total=total,
        by_region=[
            Row("sumbar", "Pemerintah Provinsi Sumatera Barat", PROVINCE),
            Row("sijunjung", "Pemerintah Kabupaten Sijunjung", SIJUNJUNG),
            Row("tanahdatar", "Pemerintah Kabupaten Tanah Datar", QUIET, active=True),
        ],
        by_agency=[
            Row("13.01.KOMINFO", "Dinas Komunikasi dan Informatika", PROVINCE),
            Row("13.09.PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang Sijunjung", SIJUNJUNG),
        ],
        by_channel=[Row("telegram", "Telegram", PROVINCE), Row("sms", "SMS", SIJUNJUNG)],
        by_topic=[Row("12", "Infrastruktur", PROVINCE), Row("7", "Kesehatan", SIJUNJUNG)],
        monthly=monthly,
        definitions={
            "received": "Disimpan gateway dalam periode.",
            "follow_up_rate": "Ditindaklanjuti atau selesai / diterima dalam periode.",
        },
        definitions_en={
            "received": "Stored by the gateway in the period.",
            "follow_up_rate": "Followed up or finished / received in the period.",
        },
    )
