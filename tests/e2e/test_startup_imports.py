"""``gateway serve`` starts without importing what it does not need to answer.

On a busy machine the processes' slow start made end-to-end tests miss their
deadlines (issue 19, point 9); every library imported at start-up is paid by every
process, every test and every restart. scikit-learn (training only) must never be
imported by the server; the Excel reader (``gateway import`` of an XLSX export) and
the holiday tables (the first due date computes them) are imported when first used.
The server's own ``-X importtime`` report says what it imported.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import gateway_process

pytestmark = pytest.mark.e2e

#: not imported by ``gateway serve`` before it answers
NOT_AT_START = ("sklearn", "scipy", "openpyxl", "holidays", "reportlab", "pypdf")


def test_serve_answers_without_importing_training_excel_or_holidays(tmp_path: Path) -> None:
    env = {"PYTHONPROFILEIMPORTTIME": "1"}
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    with gateway_process(tmp_path, url, "http://127.0.0.1:9", env) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        report = (tmp_path / "gateway.log").read_text()
    imported = set(re.findall(r"^import time:.*\|\s*([\w.]+)\s*$", report, re.M))
    assert "gateway.api.app" in imported  # the report is there
    tops = {name.split(".")[0] for name in imported}
    assert not tops & set(NOT_AT_START), sorted(tops & set(NOT_AT_START))
