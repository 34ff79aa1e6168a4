"""complaint.incident_at on SQLite and PostgreSQL: migration 0013 and the intake."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from alembic import command
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.cli import app as cli_app
from gateway.domain.complaint import ComplaintDraft
from gateway.migrations import alembic_config, current_revision, upgrade
from gateway.ops import repairs
from gateway.ops.models import Operator
from gateway.storage.engine import make_engine
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, OutboxJob
from tests.support import ROOT, TENANT_ENV


def as_utc(moment: datetime) -> datetime:
    # PostgreSQL gives timestamptz back aware, SQLite naive in UTC
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_the_intake_stores_the_incidents_instant(factory: sessionmaker[Session]) -> None:
    at = datetime.fromisoformat("2026-03-21T14:05:00+08:00")  # 14.05 WITA
    draft = ComplaintDraft(
        tenant="kalsel",
        channel="api",
        source_ref="T-1",
        title="Jalan rusak",
        content="Jalan berlubang di depan pasar Lama, Banjarmasin.",
        region_code="63.71",
        incident_date=date(2026, 3, 21),
        incident_at=at,
    )
    stored = record_complaint(factory, draft, "{}", "application/json")
    with factory() as session:
        complaint = session.get(Complaint, stored.complaint_id)
        assert complaint is not None
        assert complaint.incident_date == date(2026, 3, 21)
        assert complaint.incident_at is not None
        assert as_utc(complaint.incident_at) == datetime(2026, 3, 21, 6, 5, tzinfo=UTC)


def test_migration_0013_keeps_dates_and_states_no_time(database_url: str) -> None:
    engine: Engine = make_engine(database_url)
    try:
        upgrade(engine, "0012")
        now = datetime(2026, 3, 22, 1, 0, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO complaint (id, tenant, channel, source_ref, external_ref, title,"
                    " content, classification, region_code, incident_date, anonymous,"
                    " confidential, attachments, language, status, created_at, updated_at)"
                    " VALUES ('c1', 'kalsel', 'api', 'T-1', 'lpg-1', 'Judul', 'Isi pengaduan',"
                    " 'pengaduan', '63.71', :day, false, false, '[]', 'id', 'received',"
                    " :now, :now)"
                ),
                {"day": date(2026, 3, 21), "now": now},
            )
        upgrade(engine, "0013")
        assert current_revision(engine) == "0013"
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT incident_date, incident_at FROM complaint WHERE id = 'c1'")
            ).one()
        assert str(row[0])[:10] == "2026-03-21"
        assert row[1] is None
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0012")
        columns = {c["name"] for c in inspect(engine).get_columns("complaint")}
        assert "incident_at" not in columns and "incident_date" in columns
    finally:
        engine.dispose()


def test_users_list_shows_last_logins_in_the_tenants_zone(
    factory: sessionmaker[Session], database_url: str
) -> None:
    login = datetime(2026, 3, 21, 1, 42, tzinfo=UTC)
    with factory() as session, session.begin():
        for username, tenant in (("rina", "kalsel"), ("budi", None)):
            session.add(
                Operator(
                    id=username,
                    username=username,
                    password_hash="-",
                    role="tenant" if tenant else "national",
                    tenant=tenant,
                    display_name=username,
                    created_at=login,
                    last_login_at=login,
                )
            )
    env = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_NATIONAL_URL": "http://127.0.0.1:9",
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "COLUMNS": "200",
    }
    listed = CliRunner().invoke(cli_app, ["users", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[1]: line for line in listed.output.splitlines() if "│" in line[:3]}
    assert "2026-03-21 09:42 WITA" in lines["rina"]
    assert "2026-03-21 08:42 WIB" in lines["budi"]


def test_a_corrected_date_or_region_keeps_the_incidents_local_time(
    factory: sessionmaker[Session],
) -> None:
    draft = ComplaintDraft(
        tenant="kalsel",
        channel="api",
        source_ref="FIX-1",
        title="Jalan rusak",
        content="Jalan berlubang di depan pasar Lama, Banjarmasin.",
        region_code="63.71",
        incident_date=date(2026, 3, 21),
        incident_at=datetime.fromisoformat("2026-03-21T14:05:00+08:00"),
    )
    complaint_id = record_complaint(factory, draft, "{}", "application/json").complaint_id
    operator = Operator(
        id="budi",
        username="budi",
        password_hash="-",
        role="national",
        display_name="Budi",
        created_at=datetime.now(UTC),
    )
    with factory() as session, session.begin():
        session.add(operator)
        job = session.scalars(select(OutboxJob).where(OutboxJob.complaint_id == complaint_id)).one()  # type: ignore[arg-type]
        job.state = "failed"
        job_id = job.id

    def fix(**values: Any) -> datetime | None:
        with factory() as session:
            c = session.get(Complaint, complaint_id)
            assert c is not None
            current = {name: getattr(c, name) for name in repairs.EDITABLE}
        repairs.fix_and_replay(factory, operator, job_id, {**current, **values})
        with factory() as session, session.begin():
            c = session.get(Complaint, complaint_id)
            assert c is not None
            session.get(OutboxJob, job_id).state = "failed"  # type: ignore[union-attr]
            return as_utc(c.incident_at) if c.incident_at else None

    # another day: 14.05 WITA that day
    assert fix(incident_date=date(2026, 3, 20)) == datetime(2026, 3, 20, 6, 5, tzinfo=UTC)
    # a region in WIT: 14.05 WIT
    assert fix(region_code="91.71") == datetime(2026, 3, 20, 5, 5, tzinfo=UTC)
    # no date: no time either
    assert fix(incident_date=None) is None
