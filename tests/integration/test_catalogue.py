"""The national catalogue: synced from the registry, withdrawn topics reported, not dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.mappings.catalog import Catalogue
from gateway.migrations import upgrade
from gateway.ports import Agency, Topic
from gateway.storage.catalogue import store_catalogue, synced_catalogue
from gateway.storage.engine import make_engine
from gateway.tenants import MappingError, load_shared, read_spec
from tests.support import TENANT_ENV
from tests.unit.test_mappings import BASE, line_of

ROOT = Path(__file__).resolve().parents[2]
TOPICS = [Topic(2, 1, "Jalan Rusak"), Topic(20, 19, "Sampah"), Topic(46, None, "Lainnya")]
AGENCIES = [
    Agency("18-DPUPR", "Dinas PUPR Provinsi Lampung", "provinsi", "18"),
    Agency("1871-DPU", "Dinas PU Kota Bandar Lampung", "kota", "18.71"),
    Agency("18-SETDA", "Sekretariat Daerah Provinsi Lampung", "provinsi", "18"),
]


def test_a_topic_that_disappears_nationally_is_kept_withdrawn_and_reported(
    factory, tmp_path: Path
) -> None:
    assert synced_catalogue(factory) is None  # never synced: the bundled one is used
    first = store_catalogue(factory, TOPICS, AGENCIES, datetime.now(UTC))
    assert sorted(first.topics_added) == [2, 20, 46] and len(first.agencies_added) == 3

    # the registry no longer lists "Sampah"
    second = store_catalogue(factory, [TOPICS[0], TOPICS[2]], AGENCIES, datetime.now(UTC))
    assert second.topics_withdrawn == [20] and not second.topics_added
    catalogue = synced_catalogue(factory)
    assert catalogue is not None
    assert 20 not in catalogue.topics and catalogue.withdrawn_topics == {20: "Sampah"}

    # a mapping that still uses it is reported with its file and line
    path = tmp_path / "kota.yaml"
    path.write_text(BASE, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        read_spec(path, catalogue, load_shared(tmp_path))
    assert caught.value.problems == [
        f"{path}:{line_of(BASE, 'topic: 20')}: categories.SAMPAH.topic: national topic 20 "
        "(Sampah) has been withdrawn from the national catalogue: map it to another topic"
    ]

    # and it comes back if the registry lists it again
    third = store_catalogue(factory, TOPICS, AGENCIES, datetime.now(UTC))
    assert third.topics_restored == [20]
    restored = synced_catalogue(factory)
    assert restored is not None and 20 in restored.topics and not restored.withdrawn_topics


def test_catalog_sync_pulls_from_the_registry_and_checks_the_mappings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "GATEWAY_SANDBOX_DB": str(tmp_path / "sandbox.db"),
        "GATEWAY_LOG_FORMAT": "json",
    }
    result = CliRunner().invoke(app, ["catalog", "sync"], env=env)
    assert result.exit_code == 0, result.output
    bundled = Catalogue.bundled()
    assert f"{len(bundled.topics)} topics, {len(bundled.agencies)} agencies" in result.output
    assert "every mapping matches the national catalogue" in result.output
