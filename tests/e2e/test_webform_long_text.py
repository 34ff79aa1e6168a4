"""A portal complaint longer than the registry takes (10,240 characters, issue 16
finding 8b), pushed by LAPORPAMAN: accepted, cut to the national limit with a note,
the whole text kept as a text/plain attachment, and taken by the registry (sandbox)."""

from __future__ import annotations

import httpx
import pytest

from gateway.domain.complaint import MAX_CONTENT
from tests.e2e import test_webform as base
from tests.e2e.test_webform import FORM, post_json
from tests.support import TENANT_ENV, wait_until

pytestmark = pytest.mark.e2e
gateway = base.gateway  # the gateway serving kalsel, the sandbox, LAPORPAMAN's side
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}


def test_a_10240_character_submission_is_cut_and_its_full_text_attached(gateway) -> None:
    http: httpx.Client = gateway[0]
    words = "Banjir rob merendam rumah warga di Kelurahan Alalak Selatan setiap pasang. "
    text = (words * 140)[:10_239] + "."
    assert len(text) == 10_240
    answer = post_json(http, {**FORM, "id_laporan": "LP-2026-LONG-1", "isi_laporan": text})
    assert answer.status_code == 202, answer.text
    submitted = answer.json()

    def tracked() -> dict | None:
        found = http.get(f"/complaints/{submitted['id']}", headers=KEY).json()
        return found if found.get("tracking_id") else None

    complaint = wait_until(tracked, timeout=20, what="the registry's tracking ID")
    assert len(complaint["content"]) <= MAX_CONTENT
    assert complaint["content"].startswith(text[:9_000])
    assert (
        "isi lengkap (10240 karakter) ada di lampiran isi-laporan-lengkap.txt"
        in (complaint["content"])
    )
    [whole] = complaint["attachments"]
    assert (whole["content_type"], whole["size"]) == ("text/plain", len(text.encode()))
    served = http.get(whole["url"])
    assert served.status_code == 200 and served.text == text
