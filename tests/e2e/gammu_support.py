"""Metro, a city whose SMS number runs on Gammu SMSD: its mapping and a gateway built
on a Gammu database (the tests of :mod:`tests.e2e.test_gammu` and
:mod:`tests.e2e.test_sms_gammu_smsd`)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from gateway.bootstrap import Container, build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV

METRO = """\
tenant: metro
name: Pemerintah Kota Metro
region_code: "18.72"
secrets:
  national_token: GATEWAY_METRO_NATIONAL_TOKEN
  api_key: GATEWAY_METRO_API_KEY
  gammu_database_url: GATEWAY_METRO_GAMMU_URL
channels:
  - id: sms
    type: sms
    settings:
      gateway: gammu
      number: "08117201708"
      poll_seconds: 0.2
      multipart_wait_seconds: 1
      max_parts: 2
routing:
  2: {agency: 18-DPUPR}
default_topic_id: 46
default_agency_code: 18-SETDA
"""
CITIZEN = "+6281234567890"
METRO_KEY = {"X-API-Key": "key-metro-0123456789"}


def metro_mappings(tmp_path: Path) -> Path:
    """The sample tenants and Metro, in a folder of the test's own."""
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    (mappings / "metro.yaml").write_text(METRO, encoding="utf-8")
    return mappings


def metro_gateway(tmp_path: Path, gammu_url: str, **settings: Any) -> Container:
    """A gateway (SQLite, the in-process sandbox) whose Metro line reads ``gammu_url``;
    migrated, not started."""
    env = {
        **TENANT_ENV,
        "GATEWAY_METRO_NATIONAL_TOKEN": "test-token-metro-0001",
        "GATEWAY_METRO_API_KEY": METRO_KEY["X-API-Key"],
        "GATEWAY_METRO_GAMMU_URL": gammu_url,
    }
    config = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(tmp_path / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        **{"sandbox_archive_rate": 0, "dispatch_interval": 0.1, **settings},
    )
    container = build_container(config, environ=env)
    upgrade(container.engine)
    return container
