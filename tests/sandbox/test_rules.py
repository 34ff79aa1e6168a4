"""The workflow's rules, the catalogue's choices and the command line, without a server."""

from __future__ import annotations

import random

import pytest
import typer

from gateway.sandbox.catalog import load_catalog
from gateway.sandbox.cli import parse_tokens
from gateway.sandbox.config import FaultConfig
from gateway.sandbox.faults import FaultInjector
from gateway.sandbox.records import OpenComplaint
from gateway.sandbox.workflow import Workflow, WorkflowError

CATALOG = load_catalog()


def open_complaint(status: str = "belum_terverifikasi", **changes: object) -> OpenComplaint:
    fields: dict = {
        "id": 1,
        "tracking_id": "12345678",
        "status": status,
        "topic_id": 20,
        "region_code": "63.71",
        "requested_agency": None,
        "agency_code": None,
        "agency_name": None,
    }
    return OpenComplaint(**{**fields, **changes})


@pytest.mark.parametrize(
    ("topic_id", "region_code", "requested", "agency"),
    [
        (20, "63.71", None, "6371-DLH"),  # Sampah in Banjarmasin: the city's office
        (20, "63.03", None, "63-DLH"),  # a regency without its own office: the province's
        (20, "32.73", None, "KLH"),  # a province outside the samples: the ministry
        (16, "76.02.01", None, "7602-DISDUKCAPIL"),  # a district: its regency
        (9, "18", None, "18-RSUDAM"),  # Pelayanan Rumah Sakit
        (None, "13", None, "13-SETDA"),  # no topic: the province's general office
        (None, "11", None, "KEMENPANRB"),
        (20, "63.71", "KEMENKES", "KEMENKES"),  # what was asked for wins
    ],
)
def test_disposition_picks_the_nearest_agency_of_the_topic(
    topic_id: int | None, region_code: str, requested: str | None, agency: str
) -> None:
    assert CATALOG.assign_agency(requested, topic_id, region_code).code == agency


def test_responses_are_indonesian_and_name_the_agency() -> None:
    agency = CATALOG.agencies["1871-DPU"]
    text = CATALOG.response_for(agency, 2, random.Random(1))
    assert agency.name in text and text.startswith(("Terima kasih", "Laporan"))
    assert CATALOG.archive_reason(random.Random(1)).startswith("Laporan diarsipkan")


def test_the_catalogue_checks_references() -> None:
    assert CATALOG.check(2, "18-DPUPR", "18.71") == []
    fields = [f for f, _ in CATALOG.check(999, "NOPE", "18.7")]
    assert fields == ["topic_id", "agency_code", "region_code"]


def test_a_seed_makes_the_workflow_repeatable() -> None:
    def path(seed: int) -> list[tuple[str, str | None]]:
        workflow = Workflow(CATALOG, step_seconds=1, archive_rate=0.5, seed=seed)
        steps, c = [], open_complaint()
        while c.status not in ("selesai", "diarsipkan"):
            step = workflow.next_step(c, 0)
            steps.append((step.status, step.response))
            c = open_complaint(
                step.status, agency_code=step.agency_code, agency_name=step.agency_name
            )
        return steps

    assert path(4) == path(4)
    assert len({tuple(path(seed)) for seed in range(20)}) > 1


def test_steps_to_follows_the_national_rules() -> None:
    workflow = Workflow(CATALOG, step_seconds=10, archive_rate=1.0, seed=1)
    submitted = open_complaint()
    [one] = workflow.steps_to(submitted, None, 100)
    assert one.status == "terverifikasi" and one.next_step_at == 110  # an operator never archives
    done = workflow.steps_to(submitted, "selesai", 100, response="Selesai.")
    assert [s.status for s in done] == [
        "terverifikasi",
        "terdisposisi",
        "ditindaklanjuti",
        "selesai",
    ]
    assert done[-1].response == "Selesai." and done[-1].next_step_at is None
    assert done[2].response  # the agency's own response on the way
    with pytest.raises(WorkflowError):
        workflow.steps_to(open_complaint("selesai"), "diarsipkan", 100)
    with pytest.raises(WorkflowError):
        workflow.steps_to(open_complaint("terdisposisi"), "terverifikasi", 100)
    with pytest.raises(WorkflowError):
        workflow.steps_to(submitted, "belum_terverifikasi", 100)  # no response: nothing to do
    with pytest.raises(WorkflowError):
        workflow.steps_to(open_complaint("terverifikasi"), None, 100, agency_code="NOPE")


def test_fault_draws_respect_the_rates_and_the_seed() -> None:
    injector = FaultInjector(FaultConfig(error_rate=0.2, lost_response_rate=0.3, seed=9))
    posts = [injector.draw("POST", "/api/v1/complaints") for _ in range(2000)]
    gets = [injector.draw("GET", "/api/v1/complaints") for _ in range(2000)]
    assert 300 < posts.count("error") < 500 and 500 < posts.count("lost_response") < 700
    assert "lost_response" not in gets  # only a POST can lose its answer
    assert injector.draw("POST", "/api/v1/complaints/123/comments") in (
        None,
        "error",
        "lost_response",
    )
    again = FaultInjector(FaultConfig(error_rate=0.2, lost_response_rate=0.3, seed=9))
    assert [again.draw("POST", "/api/v1/complaints") for _ in range(2000)] == posts
    with pytest.raises(ValueError, match="add up"):
        FaultConfig(error_rate=0.7, reset_rate=0.7)


def test_tokens_from_the_command_line() -> None:
    assert parse_tokens(None) is None
    assert parse_tokens(["a=lampung", " b = kalsel "]) == {"a": "lampung", "b": "kalsel"}
    for bad in (["nope"], ["=lampung"], ["a="]):
        with pytest.raises(typer.BadParameter):
            parse_tokens(bad)
