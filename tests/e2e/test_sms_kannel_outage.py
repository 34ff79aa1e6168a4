"""An SMS that comes while the gateway is down, through a real Kannel (issue 16, finding 6).

smsbox hands each MO to the gateway's get-url and, when that fails, tries again
``http-request-retry`` times, ``http-queue-delay`` seconds apart, then drops it for good
(gw/smsbox.c: url_result_thread, http_queue_thread). The settings the README had in mind
(5 retries, 10 s apart) cover about 50 s. The README's settings cover an hour (360 retries,
10 s apart); this test runs them scaled down ten times (1 s apart), with an outage longer
than the old settings' scaled window (5 retries, 1 s apart), and shows the SMS arrives
once the gateway is back, exactly once.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from gateway.api.app import create_app
from tests.support import TENANT_ENV, free_port, serve_in_thread, wait_until
from tests.support_kannel import kannel, missing, sumbar_gateway

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.kannel,
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]
KEY = TENANT_ENV["GATEWAY_SUMBAR_KANNEL_KEY"]
SUMBAR = {"X-API-Key": TENANT_ENV["GATEWAY_SUMBAR_API_KEY"]}
#: the README's smsbox settings, 10 times faster: 360 retries 1 s apart (an hour: 10 s)
SMSBOX = {"http-request-retry": "360", "http-queue-delay": "1"}
#: attempts the old settings made (1 + 5 retries): the outage lasts longer than that
OLD_ATTEMPTS = 6


def test_an_sms_sent_while_the_gateway_is_down_arrives_once(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    core = {"store-type": "file", "store-location": str(tmp_path / "kannel.store")}
    with kannel(
        tmp_path, f"{base}/channels/sms/kannel/sumbar?key={KEY}", core=core, smsbox=SMSBOX
    ) as k:
        container = sumbar_gateway(tmp_path, k)

        assert "Using HTTP request queueing with 360 retries, 1s delay." in k.log("smsbox")
        # the gateway is down (nothing listens on its port) when the citizen writes
        report = "LAPOR lampu lalu lintas simpang Jl. Sudirman mati sejak pagi, rawan tabrakan"
        k.send_mo("081234567890", "1708", report)

        def failed_attempts() -> int:
            return k.log("smsbox").count("HTTP: Retrying request")

        # longer than the old settings' whole window: they would have dropped it by now
        wait_until(
            lambda: failed_attempts() > OLD_ATTEMPTS,
            timeout=30,
            what=f"more than {OLD_ATTEMPTS} failed attempts",
        )
        with (
            serve_in_thread(create_app(container), port=port),
            httpx.Client(base_url=base) as http,
        ):

            def complaints() -> list[dict]:
                answer = http.get("/complaints", params={"channel": "sms"}, headers=SUMBAR)
                return answer.json()["items"]

            [complaint] = wait_until(complaints, timeout=20, what="the SMS, once back")
            assert complaint["content"] == report.removeprefix("LAPOR ")
            ref = complaint["source_ref"]
            # a retry that reached the gateway twice (its answer lost) is stored once
            with container.engine.connect() as conn:
                stored = conn.execute(
                    text("SELECT count(*) FROM complaint WHERE source_ref = :r"), {"r": ref}
                ).scalar_one()
            assert stored == 1 and len(complaints()) == 1
        assert (tmp_path / "kannel.store").exists()  # bearerbox keeps what smsbox has not taken
