"""The domain: schema validation, status machine, and its import rule."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.domain.complaint import ComplaintDraft, Location, Reporter, title_from_content
from gateway.domain.status import (
    NATIONAL_TO_CANONICAL,
    InvalidTransition,
    Status,
    can_transition,
    from_national,
    transition,
)

DOMAIN = Path(__file__).resolve().parents[2] / "gateway" / "domain"


def test_domain_imports_only_stdlib_and_pydantic() -> None:
    import sys

    allowed = set(sys.stdlib_module_names) | {"pydantic", "gateway", "__future__"}
    for path in DOMAIN.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                roots = [(node.module or "").split(".")[0]]
                if (
                    node.module
                    and node.module.startswith("gateway.")
                    and not node.module.startswith("gateway.domain")
                ):
                    pytest.fail(f"{path.name} imports {node.module} from outside the domain")
            else:
                continue
            for root in roots:
                assert root in allowed, f"{path.name} imports {root}"


VALID = {
    "tenant": "lampung",
    "channel": "api",
    "source_ref": "T-1",
    "title": "Lampu jalan mati",
    "content": "Lampu penerangan jalan di Jl. Pagar Alam mati sejak seminggu.",
    "region_code": "18.71",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"content": "pendek"}, "content"),
        ({"region_code": "Lampung"}, "region_code"),
        ({"region_code": "18.7"}, "region_code"),
        ({"tenant": "Lampung Prov"}, "tenant"),
        ({"classification": "keluhan"}, "classification"),
        ({"incident_date": date.today() + timedelta(days=7)}, "incident_date"),
        ({"reporter": {"phone": "081234567890"}}, "reporter.phone"),
        ({"reporter": {"nik": "12345"}}, "reporter.nik"),
        ({"reporter": {"email": "bukan-email"}}, "reporter.email"),
        ({"location": {"latitude": -5.4}}, "location"),
        ({"location": {"latitude": 95, "longitude": 105}}, "location.latitude"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_drafts_name_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        ComplaintDraft.model_validate({**VALID, **change})
    locations = {".".join(str(p) for p in e["loc"]) for e in info.value.errors()}
    assert field in locations


def test_valid_draft_keeps_its_fields() -> None:
    draft = ComplaintDraft.model_validate(
        {
            **VALID,
            "reporter": {"name": "Budi", "phone": "+6281234567890", "nik": "1871010101010001"},
            "location": {"text": "Jl. Pagar Alam", "latitude": -5.38, "longitude": 105.26},
            "anonymous": True,
        }
    )
    assert draft.reporter == Reporter(name="Budi", phone="+6281234567890", nik="1871010101010001")
    assert draft.location == Location(text="Jl. Pagar Alam", latitude=-5.38, longitude=105.26)
    assert draft.classification == "pengaduan" and draft.anonymous and not draft.confidential


def test_title_from_content_never_cuts_mid_word() -> None:
    text = "Jalan di depan sekolah dasar negeri satu rusak parah dan berbahaya bagi anak yang lewat"
    title = title_from_content(text, limit=40)
    assert title.endswith("…") and len(title) <= 40
    assert text.startswith(title[:-1]) and text[len(title) - 1] == " "
    assert title_from_content("  Jalan   rusak  ") == "Jalan rusak"


def test_every_national_status_maps_and_unknown_fails_loudly() -> None:
    assert set(NATIONAL_TO_CANONICAL.values()) == set(Status) - {Status.RECEIVED, Status.FAILED}
    assert from_national("terdisposisi") == Status.DISPATCHED
    with pytest.raises(ValueError, match="unknown national status"):
        from_national("dibatalkan")


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("received", "submitted", True),
        ("received", "failed", True),
        ("failed", "received", True),
        ("failed", "submitted", True),
        ("submitted", "verified", True),
        ("submitted", "in_progress", True),  # forward skips are allowed
        ("verified", "rejected", True),
        ("in_progress", "dispatched", True),  # re-disposition to another agency
        ("in_progress", "resolved", True),
        ("verified", "submitted", False),
        ("resolved", "in_progress", False),
        ("rejected", "verified", False),
        ("submitted", "failed", False),
        ("submitted", "received", False),
    ],
)
def test_status_transitions(current: str, new: str, allowed: bool) -> None:
    assert can_transition(Status(current), Status(new)) is allowed
    if not allowed:
        with pytest.raises(InvalidTransition):
            transition(Status(current), Status(new))
