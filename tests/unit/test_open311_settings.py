"""An open311 channel's entry in a mapping file: its settings, checked at start-up."""

from __future__ import annotations

from adapters.open311.settings import check_channel
from gateway.mappings.spec import Channel, TenantSpec

SPEC = {
    "tenant": "metro",
    "name": "Kota Metro",
    "region_code": "18.72",
    "secrets": {"national_token": "GATEWAY_METRO_TOKEN", "api_key": "GATEWAY_METRO_KEY"},
    "categories": {"JALAN": {"topic": 2}},
}


def problems(settings: dict[str, object], **spec: object) -> list[str]:
    channel = Channel(id="open311", type="open311", settings=settings)
    tenant = TenantSpec.model_validate({**SPEC, "channels": [channel.model_dump()], **spec})
    return [f"{'.'.join(map(str, loc))}: {text}" for loc, text in check_channel(channel, tenant)]


def test_a_good_channel_has_no_problems() -> None:
    assert problems({"timezone": "Asia/Jakarta", "media_domains": ["Metrokota.go.id."]}) == []


def test_mistakes_are_named() -> None:
    assert problems({"timezon": "Asia/Jakarta"}) == [
        "settings.timezon: unknown open311 setting (a typo?)"
    ]
    assert "unknown time zone" in problems({"timezone": "Asia/Banjarmasin"})[0]
    assert "outside 18.72" in problems({"region_code": "63.71"})[0]
    assert "region code" in problems({"region_code": "18-72"})[0]
    assert problems({}) == []  # defaults, and one category
    assert "offers the tenant's categories: none" in problems({}, categories={})[0]
    second = {"id": "open311_b", "type": "open311"}
    found = problems({}, channels=[{"id": "open311", "type": "open311"}, second])
    assert found == ["type: one open311 channel per tenant (also: open311_b)"]
