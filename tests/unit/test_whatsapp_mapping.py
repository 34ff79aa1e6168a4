"""A whatsapp channel in a mapping: the secrets it needs and its settings, checked."""

from __future__ import annotations

from typing import Any

from adapters.whatsapp.account import SECRETS, check_channel
from gateway.mappings.spec import Channel, TenantSpec


def spec(secrets: dict[str, str], settings: dict[str, Any]) -> tuple[Channel, TenantSpec]:
    data: dict[str, Any] = {
        "tenant": "padang",
        "name": "Kota Padang",
        "region_code": "13.71",
        "secrets": {"national_token": "GW_PADANG_NATIONAL", "api_key": "GW_PADANG_KEY", **secrets},
        "channels": [{"id": "wa", "type": "whatsapp", "settings": settings}],
    }
    parsed = TenantSpec.model_validate(data)
    return parsed.channels[0], parsed


ALL = {key: f"GW_PADANG_{key.upper()}" for key in SECRETS}


def test_a_complete_channel_has_no_problem() -> None:
    assert check_channel(*spec(ALL, {"api_version": "v21.0"})) == []


def test_each_missing_secret_and_a_mistyped_setting_are_named() -> None:
    partial = {k: v for k, v in ALL.items() if k != "whatsapp_app_secret"}
    problems = check_channel(*spec(partial, {"api_verison": "v21.0", "api_version": "21"}))
    texts = [f"{'.'.join(map(str, where))}: {what}" for where, what in problems]
    assert any("secrets.whatsapp_app_secret" in t for t in texts), texts
    assert any(t.startswith("settings.api_verison: unknown whatsapp setting") for t in texts)
    assert any(t.startswith("settings.api_version") for t in texts)
    assert len(problems) == 3
