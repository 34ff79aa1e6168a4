"""Real gammu-smsd 1.42 (Debian's) on PostgreSQL, its phone Gammu's own ``dummy`` driver:
SMS put in the dummy phone's inbox folder as Gammu SMS backup files are read, linked and
written into ``inbox`` by gammu-smsd itself (a long SMS: the whole text in part 1's
TextDecoded, "" in part 2's, each part's own text hex in ``Text``), and the replies the
gateway queues in ``outbox`` are sent by it and moved to ``sentitems``.

Issue 16: two long SMS with one concatenation reference are two complaints (finding 2), a
part that comes after its SMS was filed is a comment on its complaint (finding 2), and a
reply is ``sent`` only once ``sentitems`` says so, then ``delivered`` or ``failed``
(finding 8a).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from gateway.api.app import create_app
from gateway.bootstrap import Container
from tests.e2e.gammu_support import CITIZEN, METRO_KEY, metro_gateway, metro_mappings
from tests.support import fresh_postgres_database, scaled, serve_in_thread, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
SMSD = shutil.which("gammu-smsd")
SCHEMA = Path("/usr/share/doc/gammu-smsd/examples/pgsql.sql")
if SMSD is None or not SCHEMA.exists():
    pytest.skip("Debian's gammu-smsd is not installed (make installs it)", allow_module_level=True)

SMSDRC = """\
[gammu]
model = dummy
connection = none
device = {phone}/

[smsd]
service = sql
driver = native_pgsql
host = {host}
user = {user}
password =
database = {database}
logfile = {log}
debuglevel = 1
phoneid = modem1
loopsleep = 1
# after finding its outbox empty it looks again only after commtimeout seconds
commtimeout = 1
receivefrequency = 1
statusfrequency = 0
checksecurity = 0
checkbattery = 0
checksignal = 0
checknetwork = 0
multiparttimeout = 2
"""


@dataclass
class Line:
    gammu_url: str
    phone: Path
    container: Container
    http: httpx.Client
    n: int = 0

    def modem_receives(self, text_: str, *, ref: int, seq: int, total: int = 2) -> None:
        """One part of a long SMS arrives on the (dummy) modem: a Gammu SMS backup file
        in its inbox folder, moved in whole."""
        self.n += 1
        body = (
            "[SMSBackup000]\n"
            'SMSC = "+6281100000"\n'
            "PDU = Deliver\n"
            "DateTime = 20261202T033000\n"
            "State = UnRead\n"
            f'Number = "{CITIZEN}"\n'
            f"UDH = 050003{ref:02X}{total:02X}{seq:02X}\n"
            f"Text00 = {text_.encode('utf-16-be').hex().upper()}\n"
            "Coding = Default\n"
            "Folder = 1\n"
            f"Length = {len(text_)}\n"
            "Class = -1\n"
        )
        staged = self.phone / f"staged-{self.n}"
        staged.write_text(body, encoding="utf-8")
        os.replace(staged, self.phone / "sms" / "1" / str(self.n))

    def gammu(self, query: str) -> list:
        """Rows of a SELECT on Gammu's database, or run a statement there."""
        engine = create_engine(self.gammu_url)
        with engine.begin() as conn:
            result = conn.execute(text(query))
            found = list(result) if result.returns_rows else []
        engine.dispose()
        return found

    def ours(self, query: str) -> list:
        with self.container.engine.connect() as conn:
            return list(conn.execute(text(query)))

    def complaints(self) -> list[dict]:
        answer = self.http.get("/complaints", params={"channel": "sms"}, headers=METRO_KEY)
        return answer.json()["items"]


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Line]:
    metro_mappings(tmp_path)
    phone = tmp_path / "phone"
    for folder in range(1, 6):
        (phone / "sms" / str(folder)).mkdir(parents=True)
    with fresh_postgres_database() as gammu_url:
        import psycopg

        with psycopg.connect(gammu_url.replace("+psycopg", ""), autocommit=True) as conn:
            # plpgsql is built in since PostgreSQL 9.0: the file's CREATE LANGUAGE fails
            conn.execute(SCHEMA.read_text().replace("CREATE LANGUAGE plpgsql;", ""))  # type: ignore[arg-type]
        url = make_url(gammu_url)
        smsdrc = tmp_path / "smsdrc"
        log = tmp_path / "smsd.log"
        smsdrc.write_text(
            SMSDRC.format(
                phone=phone, host=url.host, user=url.username, database=url.database, log=log
            )
        )
        assert SMSD is not None
        smsd = subprocess.Popen(
            [SMSD, "-c", str(smsdrc)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        try:
            wait_until(
                lambda: log.exists() and "Starting phone communication" in log.read_text(),
                timeout=15,
                what="gammu-smsd talking to its (dummy) phone",
            )
            container = metro_gateway(
                tmp_path, gammu_url, sandbox_step_seconds=0.3, pull_interval=0.2
            )
            app = create_app(container)
            with serve_in_thread(app) as base, httpx.Client(base_url=base) as http:
                yield Line(gammu_url, phone, container, http)
        finally:
            smsd.terminate()
            try:
                smsd.wait(timeout=scaled(10))
            except subprocess.TimeoutExpired:
                smsd.kill()
                smsd.wait()


def test_two_long_sms_with_one_reference_and_a_late_part(line: Line) -> None:
    a1 = "LAPOR lampu jalan di Jl. Ahmad Yani mati semua dari simpang "
    a2 = "pasar sampai masjid raya, sudah dua minggu gelap."
    b1 = "LAPOR got tersumbat di Gang Mawar sejak hujan kemarin sore, "
    b2 = "air masuk ke rumah warga RT 04."
    # the citizen's phone chose reference 0xA7 for both (an 8-bit reference repeats)
    line.modem_receives(a1, ref=0xA7, seq=1)
    line.modem_receives(a2, ref=0xA7, seq=2)
    line.modem_receives(b1, ref=0xA7, seq=1)
    line.modem_receives(b2, ref=0xA7, seq=2)
    found = wait_until(lambda: len(c := line.complaints()) >= 2 and c, timeout=20, what="2")
    assert sorted(c["content"] for c in found) == sorted(
        [(a1 + a2).removeprefix("LAPOR "), (b1 + b2).removeprefix("LAPOR ")]
    )
    # gammu-smsd's own rows: whole text in part 1, nothing in part 2, each part's Text
    rows = line.gammu('SELECT "ID", "TextDecoded" FROM inbox ORDER BY "ID"')
    assert [r[1] for r in rows] == [a1 + a2, "", b1 + b2, ""]
    wait_until(
        lambda: all(r[0] for r in line.gammu('SELECT "Processed" FROM inbox')),
        timeout=10,
        what="the four inbox rows processed",
    )

    # a long SMS whose part 2 comes late: gammu-smsd gives up waiting (MultipartTimeout)
    # and writes part 1 alone; the gateway waits multipart_wait_seconds and files it
    c1 = "LAPOR pohon tumbang menutup Jl. Jenderal Sudirman depan kantor pos, "
    c2 = "mohon segera dipotong sebelum malam."
    line.modem_receives(c1, ref=0x33, seq=1)
    filed = wait_until(
        lambda: next((c for c in line.complaints() if "pohon" in c["content"]), None),
        timeout=20,
        what="the SMS filed without its part 2",
    )
    assert filed["content"] == c1.removeprefix("LAPOR ").strip()
    line.modem_receives(c2, ref=0x33, seq=2)

    def comment() -> list:
        return line.ours("SELECT complaint_id, payload, state FROM outbox_job WHERE kind='comment'")

    [(complaint_id, payload, _state)] = wait_until(comment, timeout=20, what="the comment")
    assert complaint_id == filed["id"] and c2 in payload
    [(state, linked)] = line.ours(
        "SELECT state, complaint_id FROM inbound_message WHERE error LIKE 'late part%'"
    )
    assert (state, linked) == ("parsed", filed["id"])
    assert len(line.complaints()) == 3  # not a complaint of its own
    wait_until(
        lambda: comment()[0][2] == "done", timeout=30, what="the comment sent to the registry"
    )


def test_replies_are_sent_only_when_gammu_says_so(line: Line) -> None:
    line.modem_receives("LAPOR jalan berlubang di depan pasar Cendrawasih ", ref=0x10, seq=1)
    line.modem_receives("sudah tiga minggu, bahaya untuk motor.", ref=0x10, seq=2)
    wait_until(line.complaints, timeout=20, what="the complaint")

    # the acknowledgement with the tracking ID: queued in Gammu's outbox, then sent by
    # gammu-smsd through the modem, and only then "sent"
    def states() -> list:
        return line.ours("SELECT status, transport_ref FROM sms_outbound ORDER BY created_at")

    ref = wait_until(lambda: states() and states()[0][1], timeout=30, what="queued in outbox")
    wait_until(lambda: states()[0][0] == "sent", timeout=20, what="sent per sentitems")
    [(status,)] = line.gammu(f'SELECT "Status" FROM sentitems WHERE "ID" = {int(ref)}')
    assert status == "SendingOK"

    # the delivery report: gammu-smsd's update_delivered query sets DeliveryOK
    line.gammu(
        'UPDATE sentitems SET "Status" = \'DeliveryOK\', "DeliveryDateTime" = now() '
        f'WHERE "ID" = {int(ref)}'
    )
    wait_until(lambda: states()[0][0] == "delivered", timeout=10, what="delivered")

    # replies Gammu could not send: the rows gammu-smsd's add_sent_info writes after its
    # own retries (Status SendingError), the outbox rows gone
    def unsent(outbox_id: int, out_id: str, attempts: int) -> None:
        line.gammu(
            'INSERT INTO sentitems ("CreatorID", "ID", "SequencePosition", "Status", '
            '"SendingDateTime", "SMSCNumber", "TPMR", "SenderID", "Text", '
            '"DestinationNumber", "Coding", "UDH", "Class", "TextDecoded", "InsertIntoDB", '
            f'"RelativeValidity", "StatusCode") VALUES (\'lapor-gateway\', {outbox_id}, 1, '
            "'SendingError', now(), '123456', -1, 'modem1', '', '+6281234567890', "
            "'Default_No_Compression', '', -1, 'Mohon maaf', now(), -1, -1)"
        )
        with line.container.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sms_outbound (id, tenant, channel, to_number, text, encoding, "
                    "parts, transport, transport_ref, status, attempts, created_at, "
                    "updated_at) VALUES (:id, 'metro', 'sms', '+6281234567890', 'Mohon maaf', "
                    "'gsm7', 1, 'gammu', :ref, 'queued', :n, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"id": out_id, "ref": str(outbox_id), "n": attempts},
            )

    def record(out_id: str) -> tuple:
        query = (
            f"SELECT status, attempts, transport_ref, detail FROM sms_outbound WHERE id='{out_id}'"
        )
        return tuple(line.ours(query)[0])

    # the first time: queued again in Gammu's outbox, which sends it this time
    unsent(990001, "out-retried", 1)
    wait_until(lambda: record("out-retried")[0] == "sent", timeout=20, what="sent again")
    _state, attempts, again, _detail = record("out-retried")
    assert attempts == 2 and again != "990001"
    [(status,)] = line.gammu(f'SELECT "Status" FROM sentitems WHERE "ID" = {int(again)}')
    assert status == "SendingOK"
    # the last attempt: failed, for the operator to see
    unsent(990002, "out-given-up", 3)
    wait_until(lambda: record("out-given-up")[0] == "failed", timeout=10, what="failed")
    assert record("out-given-up")[1:] == (3, "990002", "gammu SendingError")
