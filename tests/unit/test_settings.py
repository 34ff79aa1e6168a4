from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.settings import Settings, is_placeholder
from gateway.tenants import MappingError, load_tenants
from tests.support import ROOT, TENANT_ENV


def test_environment_variables_configure_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", "postgresql://gw@db/gw")
    monkeypatch.setenv("GATEWAY_MAX_BODY_BYTES", "2048")
    settings = Settings(_env_file=None)
    assert settings.database_url == "postgresql://gw@db/gw" and settings.max_body_bytes == 2048


def test_production_needs_a_national_url_and_sane_leases() -> None:
    with pytest.raises(ValidationError, match="GATEWAY_NATIONAL_URL"):
        Settings(_env_file=None, env="production")
    with pytest.raises(ValidationError, match="GATEWAY_LEASE_SECONDS"):
        Settings(_env_file=None, lease_seconds=10, national_timeout=10)


def test_tenant_secrets_come_from_the_environment() -> None:
    tenants = load_tenants(ROOT / "mappings", TENANT_ENV)
    assert {"lampung", "kalsel"} <= set(tenants)
    lampung = tenants["lampung"]
    assert lampung.api_key.get_secret_value() == TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]
    assert TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"] not in repr(lampung)


def test_a_missing_secret_names_the_file_and_the_variable() -> None:
    env = {k: v for k, v in TENANT_ENV.items() if k != "GATEWAY_KALSEL_API_KEY"}
    with pytest.raises(MappingError, match=r"kalsel\.yaml.*GATEWAY_KALSEL_API_KEY"):
        load_tenants(ROOT / "mappings", env)


def test_production_refuses_placeholder_secrets() -> None:
    env = {**TENANT_ENV, "GATEWAY_LAMPUNG_API_KEY": "demo-lampung-api-key"}
    with pytest.raises(MappingError, match="placeholder"):
        load_tenants(ROOT / "mappings", env, production=True)
    assert is_placeholder("changeme") and not is_placeholder("v8Jq2w9LxP4tR7zK")


def test_a_secret_written_inline_is_refused(tmp_path) -> None:
    (tmp_path / "x.yaml").write_text(
        "tenant: x\nname: X\nregion_code: '76'\n"
        "secrets: {national_token: 'eyJhbGciOi.secret', api_key: GATEWAY_X_KEY}\n"
    )
    with pytest.raises(MappingError, match=r"x\.yaml.*secrets\.national_token.*NAME"):
        load_tenants(tmp_path, {"GATEWAY_X_KEY": "k" * 20})
