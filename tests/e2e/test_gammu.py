"""Gammu SMSD: its database made from Gammu's own SQL schema (Debian's gammu-smsd), on
SQLite and on PostgreSQL; SMS read from its inbox, replies queued in its outbox."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from gateway.api.app import create_app
from tests.e2e.gammu_support import CITIZEN, METRO_KEY, metro_gateway, metro_mappings
from tests.support import fresh_postgres_database, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
SCHEMAS = Path("/usr/share/doc/gammu-smsd/examples")
if not (SCHEMAS / "sqlite.sql").exists():
    pytest.skip("Debian's gammu-smsd is not installed (make installs it)", allow_module_level=True)


@contextmanager
def gammu_database(kind: str, tmp: Path) -> Iterator[str]:
    """A Gammu SMSD database created from the schema file Gammu ships."""
    if kind == "sqlite":
        path = tmp / "smsd.db"
        with sqlite3.connect(path) as conn:
            conn.executescript((SCHEMAS / "sqlite.sql").read_text())
        yield f"sqlite:///{path}"
        return
    with fresh_postgres_database() as url:
        schema = (SCHEMAS / "pgsql.sql").read_text()
        # PostgreSQL has had plpgsql built in since 9.0: the file's CREATE LANGUAGE fails
        schema = schema.replace("CREATE LANGUAGE plpgsql;", "")
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(schema)  # type: ignore[arg-type]
        yield url


def inbox(url: str, sender: str, text_: str, udh: str = "") -> None:
    """What gammu-smsd writes when the modem receives an SMS (one row per part)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO inbox ("SenderNumber", "TextDecoded", "Text", "UDH", "RecipientID",'
                " \"Coding\") VALUES (:s, :t, '', :u, 'modem1', 'Default_No_Compression')"
            ),
            {"s": sender, "t": text_, "u": udh},
        )
    engine.dispose()


def rows(url: str, query: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(text(query)))
    engine.dispose()
    return found


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_gammu_inbox_to_registry_and_replies_to_its_outbox(kind: str, tmp_path: Path) -> None:
    metro_mappings(tmp_path)
    with gammu_database(kind, tmp_path) as gammu_url:
        container = metro_gateway(tmp_path, gammu_url, sandbox_step_seconds=0.3, pull_interval=0.2)
        key = METRO_KEY
        inbox(gammu_url, "081234567890", "LAPOR jalan berlubang di depan pasar Cendrawasih, bahaya")
        # a long SMS in two parts, the second written first (modems do that)
        long_1 = "Lapor: lampu jalan di Jl. Ahmad Yani mati semua dari simpang pasar sampai "
        long_2 = "masjid raya, sudah dua minggu gelap dan rawan begal."
        inbox(gammu_url, "+62 812-3456-7890", long_2, udh="050003A70202")
        inbox(gammu_url, "+62 812-3456-7890", long_1, udh="050003A70201")
        inbox(gammu_url, "081234567890", "info")
        with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:

            def complaints() -> list[dict]:
                return http.get("/complaints", params={"channel": "sms"}, headers=key).json()[
                    "items"
                ]

            found = wait_until(
                lambda: len(c := complaints()) == 2 and c, timeout=15, what="2 complaints"
            )
            contents = sorted(c["content"] for c in found)
            assert contents[0].startswith("jalan berlubang di depan pasar")
            assert contents[1] == (long_1 + long_2).removeprefix("Lapor: ").strip()
            assert {c["reporter"]["phone"] for c in found} == {CITIZEN}
            processed = rows(gammu_url, 'SELECT "Processed" FROM inbox')
            wait_until(
                lambda: all(
                    str(r[0]).lower() in ("true", "1")
                    for r in rows(gammu_url, 'SELECT "Processed" FROM inbox')
                ),
                timeout=10,
                what="inbox rows marked processed",
            )
            assert len(processed) == 4

            # Gammu re-reads a row (a crash between our commit and its mark): nothing twice
            flag = "'false'" if kind == "sqlite" else "FALSE"  # Gammu's SQLite keeps text
            engine = create_engine(gammu_url)
            with engine.begin() as conn:
                conn.execute(text(f'UPDATE inbox SET "Processed" = {flag} WHERE "ID" = 1'))
            engine.dispose()
            wait_until(
                lambda: (
                    str(
                        rows(gammu_url, 'SELECT "Processed" FROM inbox WHERE "ID" = 1')[0][0]
                    ).lower()
                    in ("true", "1")
                ),
                timeout=10,
                what="the re-read row processed again",
            )
            assert len(complaints()) == 2

            # replies: the INFO answer, then each complaint's tracking ID, in Gammu's outbox
            def all_tracked() -> list[dict] | None:
                found = complaints()
                return found if all(c["tracking_id"] for c in found) else None

            tracked = wait_until(
                all_tracked,
                timeout=15,
                what="tracking IDs",
            )

            def outbox_texts() -> list[str]:
                return [
                    r[0] for r in rows(gammu_url, 'SELECT "TextDecoded" FROM outbox ORDER BY "ID"')
                ]

            for complaint in tracked:
                wait_until(
                    lambda c=complaint: any(c["tracking_id"] in t for t in outbox_texts()),
                    timeout=15,
                    what=f"the SMS with {complaint['tracking_id']}",
                )
            texts = outbox_texts()
            assert any(t.startswith("Layanan pengaduan Pemerintah Kota Metro") for t in texts)
            numbers = {r[0] for r in rows(gammu_url, 'SELECT "DestinationNumber" FROM outbox')}
            assert numbers == {CITIZEN}
            # a reply longer than one SMS: its other part in outbox_multipart, same ID
            multi = rows(
                gammu_url,
                'SELECT o."ID", o."UDH", m."UDH", m."SequencePosition" FROM outbox o '
                'JOIN outbox_multipart m ON m."ID" = o."ID"',
            )
            for _id, first_udh, second_udh, position in multi:
                assert (
                    position == 2 and first_udh[:8] == second_udh[:8] and first_udh.endswith("01")
                )


def gammu_rows(url: str, sender: str, ref: int, parts: list[str]) -> None:
    """A long SMS as gammu-smsd 1.42 writes it once it has linked its parts (checked
    against real gammu-smsd in test_sms_gammu_smsd.py): one row per part, each part's own
    text as hex of UCS-2 in ``Text``, the whole text in the first row's ``TextDecoded``
    and an empty string in the others'."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for seq, part in enumerate(parts, start=1):
            conn.execute(
                text(
                    'INSERT INTO inbox ("SenderNumber", "TextDecoded", "Text", "UDH", '
                    '"RecipientID", "Coding") VALUES (:s, :t, :x, :u, \'modem1\', '
                    "'Default_No_Compression')"
                ),
                {
                    "s": sender,
                    "t": "".join(parts) if seq == 1 else "",
                    "x": part.encode("utf-16-be").hex().upper(),
                    "u": f"050003{ref:02X}{len(parts):02X}{seq:02X}",
                },
            )
    engine.dispose()


def test_two_long_sms_with_one_reference_are_two_complaints(tmp_path: Path) -> None:
    """Issue 16, finding 2, on Gammu's SQLite schema: one sender, two 2-part SMS, the
    same concatenation reference; each is its own complaint, with its whole text."""
    metro_mappings(tmp_path)
    with gammu_database("sqlite", tmp_path) as gammu_url:
        container = metro_gateway(tmp_path, gammu_url)
        first = ["LAPOR lampu jalan di Jl. Ahmad Yani mati ", "dari simpang pasar sampai masjid."]
        second = ["LAPOR got tersumbat di Gang Mawar, ", "air masuk rumah warga RT 04."]
        gammu_rows(gammu_url, "081234567890", 0xA7, first)
        gammu_rows(gammu_url, "081234567890", 0xA7, second)
        key = METRO_KEY
        with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:

            def complaints() -> list[dict]:
                answer = http.get("/complaints", params={"channel": "sms"}, headers=key)
                return answer.json()["items"]

            found = wait_until(lambda: len(c := complaints()) >= 2 and c, timeout=15, what="2")
            assert sorted(c["content"] for c in found) == sorted(
                ["".join(first).removeprefix("LAPOR "), "".join(second).removeprefix("LAPOR ")]
            )
            wait_until(
                lambda: all(
                    r[0] == "true" for r in rows(gammu_url, 'SELECT "Processed" FROM inbox')
                ),
                timeout=10,
                what="the four rows processed",
            )
            assert len(complaints()) == 2
