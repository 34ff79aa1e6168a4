"""The approved templates a whatsapp channel names (``settings.templates``), checked
for ``gateway mappings check``; what the replier fills them with, when it deems the
24-hour window open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from adapters.whatsapp.account import SECRETS, WhatsAppSettings, check_channel
from adapters.whatsapp.reply import Chat, chat_of, template_key, template_values
from gateway.mappings.spec import Channel, TenantSpec
from gateway.ports import Notification
from gateway.storage.models import Complaint
from tests.support import ROOT

ALL = {key: f"GW_PADANG_{key.upper()}" for key in SECRETS}
STATUS = {"name": "lapor_status", "language": {"id": "id", "en": "en"}, "parameters": ["status"]}


def spec(settings: dict[str, Any]) -> tuple[Channel, TenantSpec]:
    data: dict[str, Any] = {
        "tenant": "padang",
        "name": "Kota Padang",
        "region_code": "13.71",
        "secrets": {"national_token": "GW_PADANG_NATIONAL", "api_key": "GW_PADANG_KEY", **ALL},
        "channels": [{"id": "wa", "type": "whatsapp", "settings": settings}],
    }
    parsed = TenantSpec.model_validate(data)
    return parsed.channels[0], parsed


def problems(settings: dict[str, Any]) -> list[str]:
    return [f"{'.'.join(map(str, at))}: {what}" for at, what in check_channel(*spec(settings))]


def test_sumbar_names_both_templates_with_their_languages_and_parameters() -> None:
    mapping = yaml.safe_load((ROOT / "mappings" / "sumbar.yaml").read_text(encoding="utf-8"))
    [channel] = [c for c in mapping["channels"] if c["type"] == "whatsapp"]
    templates = WhatsAppSettings.model_validate(channel["settings"]).templates
    assert templates is not None
    assert templates.status.name == "lapor_status"
    assert templates.status.parameters == ("tracking_id", "status")
    assert templates.response.parameters == ("tracking_id", "agency", "response")
    assert templates.response.language.code("en") == "en"
    assert templates.response.language.code("id") == "id"


def test_complete_templates_have_no_problem() -> None:
    assert problems({"templates": {"status": STATUS, "response": STATUS}}) == []


def test_a_missing_template_and_a_malformed_one_are_named() -> None:
    found = problems(
        {
            "templates": {
                "status": {
                    "name": "Lapor Status",
                    "language": {"id": "indonesia"},
                    "parameters": ["tracking", "status"],
                }
            }
        }
    )
    assert any(p.startswith("settings.templates.response: Field required") for p in found), found
    assert any(p.startswith("settings.templates.status.name") for p in found), found
    assert any(p.startswith("settings.templates.status.language.id") for p in found), found
    assert any(p.startswith("settings.templates.status.language.en") for p in found), found
    assert any(
        p.startswith("settings.templates.status.parameters.0") and "tracking_id" in p for p in found
    ), found
    assert len(found) == 5, found


def test_a_mistyped_template_key_is_named() -> None:
    typo = {**STATUS, "parameter": ["status"]}
    found = problems({"templates": {"status": typo, "response": STATUS}})
    assert found == ["settings.templates.status.parameter: unknown whatsapp setting (a typo?)"]


def test_the_window_is_open_for_24_hours_after_the_last_message() -> None:
    now = datetime(2026, 3, 21, 12, 0, tzinfo=UTC)
    assert Chat("id", False, now - timedelta(hours=23, minutes=59)).open_at(now)
    assert not Chat("id", False, now - timedelta(hours=24)).open_at(now)
    assert not Chat(None, False, None).open_at(now)


def test_a_complaint_names_its_chat_by_the_head_of_its_source_ref() -> None:
    assert chat_of("6281234567890:3") == "6281234567890"
    assert chat_of("message:wamid.X") is None


def notification(status: str, response: str | None) -> Notification:
    return Notification("sumbar", "whatsapp", "c1", "628:1", "LAPOR-1", status, response, "id")


def test_a_response_goes_as_the_response_template_anything_else_as_the_status_one() -> None:
    assert template_key(notification("in_progress", "Sudah ditambal")) == "response"
    assert template_key(notification("in_progress", None)) == "status"
    assert template_key(notification("resolved", "Sudah ditambal")) == "status"


def test_template_values_are_one_line_each_and_a_dash_when_not_known() -> None:
    complaint = Complaint(
        id="c1",
        tenant="sumbar",
        channel="whatsapp",
        source_ref="628:1",
        external_ref="x",
        title="Jalan\nrusak",
        content="-",
        classification="pengaduan",
        region_code="13.71",
        language="id",
        status="in_progress",
        created_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
    )
    values = template_values(
        notification("in_progress", "Baris satu\n\nbaris  dua"), complaint, "id"
    )
    assert values["response"] == "Baris satu baris dua"
    assert values["title"] == "Jalan rusak"
    assert values["agency"] == "-" and values["due_date"] == "-"
    assert values["tracking_id"] == "LAPOR-1" and values["status"] != "in_progress"
    long = template_values(notification("in_progress", "kata " * 500), complaint, "id")
    assert len(long["response"]) <= 600 and long["response"].endswith("…")
