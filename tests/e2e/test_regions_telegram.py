"""A Telegram location in Padang: the complaint gets Kota Padang's code and the city's
agency (it got the province's before)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.telegram_support import (
    CITIZEN,
    SHAPES,
    SUMBAR,
    button_update,
    buttons,
    telegram_gateway,
    text_update,
)
from tests.support import wait_until

pytestmark = pytest.mark.e2e
WHAT = "Lampu penerangan jalan mati sejak kemarin, gelap sekali pada malam hari di kompleks"
#: the button to press for each question the bot may ask, by its callback prefix
ANSWERS = {"when": "skip", "photo": "skip", "anon": "no"}


def test_a_shared_location_in_padang_goes_to_the_city_agency(tmp_path: Path) -> None:
    with telegram_gateway(tmp_path) as gw:
        location = copy.deepcopy(SHAPES["location"])
        location["message"]["location"] = {"latitude": -0.9471, "longitude": 100.4172}
        assert gw.post(location).status_code == 200
        gw.wait_said("Apa yang terjadi?")
        gw.post(text_update(WHAT, 201))
        # answer whatever the bot asks (when, photo, name) until it shows the summary
        seen = 2
        for _ in range(6):
            last = wait_until(
                lambda: len(m := gw.telegram.sent(CITIZEN)) >= seen and m,
                timeout=10,
                what="the bot's next question",
            )[-1]
            seen = len(gw.telegram.sent(CITIZEN)) + 1
            data = buttons(last)
            if "Periksa laporan Anda" in last.get("text", ""):
                gw.post(button_update(next(d for d in data if d.startswith("send:"))))
                break
            prefix = data[0].split(":", 1)[0] if data else ""
            if prefix == "cat":
                gw.post(button_update(data[0]))
            else:
                gw.post(button_update(f"{prefix}:1:{ANSWERS[prefix]}"))
        gw.wait_said("Terima kasih. Laporan Anda sudah kami terima")

        def complaint() -> dict[str, Any] | None:
            items = gw.http.get(
                "/complaints", params={"channel": "telegram"}, headers=SUMBAR
            ).json()["items"]
            return items[0] if items else None

        found = wait_until(complaint, timeout=10, what="the complaint")
        assert found["region_code"] == "13.71"
        assert found["location"]["latitude"] == -0.9471
        assert found["topic_id"] == 4 and found["agency_code"] == "1371-DISHUB"
