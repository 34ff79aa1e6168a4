"""Files the registry can read: a photo kept by a gateway with no public address
(Telegram polling, a web form, without GATEWAY_PUBLIC_URL) is linked relatively, which
nothing outside can fetch, so the submission carries the file itself; a public address
gives an absolute link. Against the sandbox registry over loopback, which refuses
relative links as the real registry would fail to fetch them."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway import attachments
from gateway.bootstrap import Container, build_container
from gateway.domain.complaint import ComplaintDraft
from gateway.settings import Settings
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, OutboxJob
from tests.support import ROOT, TENANT_ENV, sandbox_process, scaled

PHOTO = b"\xff\xd8\xff\xe0" + b"lubang-jalan" * 300
TOKEN = TENANT_ENV["GATEWAY_LAMPUNG_NATIONAL_TOKEN"]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    with sandbox_process(tmp_path, "--step-seconds", "0") as url:
        yield url


@pytest.fixture
def made() -> Iterator[list[Container]]:
    containers: list[Container] = []
    yield containers
    for container in containers:
        container.engine.dispose()


def gateway(
    made: list[Container], database_url: str, sandbox: str, tmp: Path, **settings: object
) -> Container:
    config = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        national_url=sandbox,
        national_timeout=5,
        attachments_dir=str(tmp / "attachments"),
        **settings,  # type: ignore[arg-type]
    )
    made.append(build_container(config, environ=TENANT_ENV))
    return made[-1]


def file_with_photo(container: Container, public_url: str | None) -> str:
    kept = attachments.store(
        container.settings.attachments_dir,
        PHOTO,
        "image/jpeg",
        filename="jalan.jpg",
        public_url=public_url,
    )
    draft = ComplaintDraft.model_validate(
        {
            "tenant": "lampung",
            "channel": "api",
            "source_ref": f"ATT-{public_url is None}",
            "title": "Jalan berlubang",
            "content": "Jalan berlubang besar di Jl. Ratu Dibalau, sudah dua motor jatuh.",
            "region_code": "18.71",
            "attachments": [kept],
        }
    )
    return record_complaint(container.factory, draft, "{}", "application/json").complaint_id


def dispatch(container: Container) -> None:
    async def once() -> None:
        try:
            await container.dispatcher().run_once()
        finally:
            await container.aclose()

    asyncio.run(once())


def sent_attachments(container: Container, sandbox: str, complaint_id: str) -> list[dict]:
    with container.factory() as session:
        tracking_id = session.get(Complaint, complaint_id).tracking_id  # type: ignore[union-attr]
    assert tracking_id, "the submission did not reach the registry"
    answer = httpx.get(
        f"{sandbox}/api/v1/complaints/{tracking_id}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=scaled(5),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["attachments"]


def test_without_a_public_address_the_file_itself_reaches_the_registry(
    engine, made: list[Container], database_url: str, sandbox: str, tmp_path: Path
) -> None:
    container = gateway(made, database_url, sandbox, tmp_path)
    complaint_id = file_with_photo(container, public_url=None)
    dispatch(container)
    [sent] = sent_attachments(container, sandbox, complaint_id)
    assert "url" not in sent  # no link the registry could not fetch
    assert sent["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    assert (sent["size"], sent["content_type"], sent["filename"]) == (
        len(PHOTO),
        "image/jpeg",
        "jalan.jpg",
    )


def test_with_a_public_address_the_registry_gets_an_absolute_link(
    engine, made: list[Container], database_url: str, sandbox: str, tmp_path: Path
) -> None:
    public = "https://lapor.lampungprov.go.id"
    container = gateway(made, database_url, sandbox, tmp_path, public_url=public)
    complaint_id = file_with_photo(container, public_url=public)
    dispatch(container)
    [sent] = sent_attachments(container, sandbox, complaint_id)
    assert sent["url"].startswith(f"{public}/attachments/") and "sha256" not in sent


def test_a_file_the_worker_cannot_read_fails_the_job_with_its_name(
    engine, made: list[Container], database_url: str, sandbox: str, tmp_path: Path
) -> None:
    container = gateway(made, database_url, sandbox, tmp_path)
    complaint_id = file_with_photo(container, public_url=None)
    for kept in (tmp_path / "attachments").iterdir():
        kept.unlink()  # a worker on another machine without the serving process's folder
    dispatch(container)
    with container.factory() as session:
        job = session.scalars(select(OutboxJob).where(OutboxJob.complaint_id == complaint_id)).one()
        complaint = session.get(Complaint, complaint_id)
    assert job.state == "failed" and job.last_error_kind == "permanent"
    name = hashlib.sha256(PHOTO).hexdigest() + ".jpg"
    assert name in (job.last_error or "") and "GATEWAY_ATTACHMENTS_DIR" in (job.last_error or "")
    assert complaint is not None and complaint.tracking_id is None and complaint.status == "failed"
