"""Mapping files: each kind of mistake gives one error naming the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.domain.status import Status
from gateway.tenants import MappingError, load_tenants
from tests.support import ROOT

ENV = {
    "GATEWAY_KOTA_NATIONAL_TOKEN": "t" * 24,
    "GATEWAY_KOTA_API_KEY": "k" * 24,
    "GATEWAY_KOTA_BOT_TOKEN": "123456:" + "b" * 30,
    "GATEWAY_KOTA_BOT_SECRET": "s" * 24,
    "GATEWAY_KOTA_SMS_SECRET": "m" * 24,
}

REPLIES = "\n".join(
    f'  {status.value}:\n    id: "Laporan {{tracking_id}}: {status.value}"\n'
    f'    en: "Report {{tracking_id}}: {status.value}"'
    for status in Status
)

BASE = f"""\
tenant: kota
name: Pemerintah Kota Contoh
region_code: "18.71"
secrets:
  national_token: GATEWAY_KOTA_NATIONAL_TOKEN
  api_key: GATEWAY_KOTA_API_KEY
  telegram_bot_token: GATEWAY_KOTA_BOT_TOKEN
  telegram_webhook_secret: GATEWAY_KOTA_BOT_SECRET
  sms_http_secret: GATEWAY_KOTA_SMS_SECRET
channels:
  - id: api
    type: api
  - id: sms
    type: sms
    settings:
      gateway: http
      number: "1708"
      send:
        url: http://127.0.0.1:9/send
categories:
  JALAN:
    topic: 2
  SAMPAH:
    topic: 20
routing:
  2:
    agency: 18-DPUPR
    regions:
      "18.71": 1871-DPU
default_topic_id: 46
default_agency_code: 18-SETDA
shared_replies: false
replies:
{REPLIES}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kota.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle`` (``^needle``: starting it)."""
    lines = enumerate(text.splitlines(), 1)
    if needle.startswith("^"):
        return next(i for i, line in lines if line.startswith(needle[1:]))
    return next(i for i, line in lines if needle in line)


def only_error(tmp_path: Path, text: str) -> str:
    write(tmp_path, text)
    with pytest.raises(MappingError) as caught:
        load_tenants(tmp_path, ENV)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def test_the_base_file_loads_with_routing_and_replies(tmp_path: Path) -> None:
    write(tmp_path, BASE)
    tenant = load_tenants(tmp_path, ENV)["kota"]
    assert tenant.agency_for(2, "18.71") == "1871-DPU"
    assert tenant.agency_for(2, "18.72") == "18-DPUPR"
    assert tenant.agency_for(20, "18.71") == "18-SETDA"  # no route: the default agency
    text = tenant.reply(Status.SUBMITTED, "id", tracking_id="LPR-1")
    assert text == "Laporan LPR-1: submitted"
    assert tenant.reply(Status.RESOLVED, "en") == "Report -: resolved"


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        pytest.param(
            ("    topic: 20", "    topic: 999"),
            "topic: 999",
            r"categories\.SAMPAH\.topic: unknown national topic 999",
            id="unknown-topic",
        ),
        pytest.param(
            (
                '  resolved:\n    id: "Laporan {tracking_id}: resolved"\n'
                '    en: "Report {tracking_id}: resolved"\n',
                "",
            ),
            "^replies:",
            r"replies: no reply text for status resolved",
            id="missing-status-template",
        ),
        pytest.param(
            ("  - id: sms\n", "  - id: api\n"),
            "  - id: api\n    type: sms",
            r"channels\.1\.id: channel id 'api' is used twice",
            id="duplicate-channel-id",
        ),
        pytest.param(
            ('region_code: "18.71"', 'region_code: "18-71"'),
            "region_code",
            r"region_code: must be a Kemendagri region code",
            id="bad-region-code",
        ),
        pytest.param(
            ("api_key: GATEWAY_KOTA_API_KEY", "api_key: s3cr3t-key-0123456789"),
            "api_key:",
            r"secrets\.api_key: must be the NAME of an environment variable",
            id="inline-secret",
        ),
        pytest.param(
            ('      "18.71": 1871-DPU', '      "63.71": 6371-DPUPR'),
            '"63.71"',
            r"region 63\.71 is outside this tenant's region 18\.71",
            id="region-outside-tenant",
        ),
        pytest.param(
            ("    agency: 18-DPUPR", "    agency: DINAS-ENTAH"),
            "DINAS-ENTAH",
            r"routing\.2\.agency: unknown agency 'DINAS-ENTAH'",
            id="unknown-agency",
        ),
        pytest.param(
            ("shared_replies: false", "shared_replies: false\ncolour: blue"),
            "colour",
            r"colour: unknown key",
            id="typo-key",
        ),
        pytest.param(
            (
                '    type: sms\n    settings:\n      gateway: http\n      number: "1708"\n'
                "      send:\n        url: http://127.0.0.1:9/send\n",
                "    type: telegram\n    settings:\n      mode: pigeon\n",
            ),
            "mode: pigeon",
            r"channels\.1\.settings\.mode: Input should be 'webhook' or 'polling'",
            id="bad-telegram-setting",
        ),
        pytest.param(
            ("    type: sms", "    type: sms\n    id: sms2"),
            "id: sms2",
            r"channels\.1\.id: given twice \(first on line 13\)",
            id="key-given-twice",
        ),
    ],
)
def test_each_mistake_names_file_line_and_value(
    tmp_path: Path, change: tuple[str, str], needle: str, message: str
) -> None:
    old, new = change
    assert old in BASE
    text = BASE.replace(old, new, 1)
    error = only_error(tmp_path, text)
    line = (
        line_of(text, needle)
        if needle != "  - id: api\n    type: sms"
        else line_of(text, "type: sms") - 1
    )
    assert error.startswith(f"{tmp_path / 'kota.yaml'}:{line}: "), error
    assert re.search(message, error), error
    assert "s3cr3t" not in error  # an inline secret is never repeated


def test_an_unset_secret_names_the_variable_and_its_line(tmp_path: Path) -> None:
    write(tmp_path, BASE)
    with pytest.raises(MappingError) as caught:
        load_tenants(tmp_path, {k: v for k, v in ENV.items() if k != "GATEWAY_KOTA_API_KEY"})
    assert caught.value.problems == [
        f"{tmp_path / 'kota.yaml'}:{line_of(BASE, 'api_key:')}: secrets.api_key: "
        "environment variable GATEWAY_KOTA_API_KEY is not set"
    ]


def test_mappings_check_prints_a_summary_and_fails_on_a_mistake(tmp_path: Path) -> None:
    write(tmp_path, BASE)
    runner = CliRunner()
    ok = runner.invoke(app, ["mappings", "check", str(tmp_path)], env=ENV)
    assert ok.exit_code == 0, ok.output
    assert "kota: Pemerintah Kota Contoh (region 18.71)" in ok.output
    assert "channels: api (api), sms (sms)" in ok.output
    write(tmp_path, BASE.replace("    topic: 20", "    topic: 999"))
    bad = runner.invoke(app, ["mappings", "check", str(tmp_path)], env=ENV)
    assert bad.exit_code == 1
    assert f"kota.yaml:{line_of(BASE, 'topic: 20')}: categories.SAMPAH.topic" in bad.output


def test_mappings_explain_says_what_decided_the_topic_and_flags_an_unsure_one() -> None:
    runner = CliRunner()
    folder = str(ROOT / "mappings")
    sure = runner.invoke(
        app,
        ["mappings", "explain", "lampung", "kabel PLN putus melintang di jalan depan pasar"],
        env={**ENV, "GATEWAY_MAPPINGS_DIR": folder},
    )
    assert sure.exit_code == 0, sure.output
    assert "topic: 26 Listrik dan Energi" in sure.output
    assert "decided by: model" in sure.output
    assert "flagged for review" not in sure.output
    rule = runner.invoke(
        app,
        ["mappings", "explain", "lampung", "antrean kapal di Bakauheni mengular"],
        env={**ENV, "GATEWAY_MAPPINGS_DIR": folder},
    )
    assert "decided by: keywords" in rule.output, rule.output  # Lampung's own rule
    assert "matched 'antrean kapal' -> 29" in rule.output
    unsure = runner.invoke(
        app,
        ["mappings", "explain", "lampung", "halo min"],
        env={**ENV, "GATEWAY_MAPPINGS_DIR": folder},
    )
    assert "flagged for review: unsure topic" in unsure.output
    assert unsure.output.count("  likely: ") == 3
