"""Recorded Telegram updates turned into what the bot does (adapters.telegram.updates):
a document is fetched with its caption as the text, a venue is a place with its name
and address, an animation (which Telegram also sends as a document) is not taken."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import telegram
from telegram import Update

from adapters.telegram.state import Text, Unsupported, Venue
from adapters.telegram.updates import describe
from tests.support import ROOT

SHAPES: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "tests" / "data" / "telegram_updates.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def bot() -> telegram.Bot:
    return telegram.Bot("123456:TEST-not-a-real-token")  # de_json needs one, never the network


def test_a_document_is_fetched_first_with_its_caption(bot: telegram.Bot) -> None:
    inc = describe(Update.de_json(SHAPES["document_pdf"], bot))
    assert inc.event is None and inc.document is not None
    assert inc.document.mime_type == "application/pdf"
    assert inc.caption is not None and "\n\nSurat keterangan" in inc.caption


def test_a_venue_is_a_named_place(bot: telegram.Bot) -> None:
    inc = describe(Update.de_json(SHAPES["venue"], bot))
    assert inc.event == Venue(
        "Pasar Raya Padang", "Jl. Pasar Raya, Kampung Jao, Padang Barat", -0.9492, 100.3543, 120
    )


def test_an_animation_is_not_a_document(bot: telegram.Bot) -> None:
    update = copy.deepcopy(SHAPES["document_other"])
    document = update["message"]["document"]
    update["message"]["animation"] = {
        **document,
        "mime_type": "video/mp4",
        "width": 320,
        "height": 240,
        "duration": 3,
    }
    inc = describe(Update.de_json(update, bot))
    assert inc.document is None and inc.event == Unsupported("animation", 119)


def test_a_text_keeps_its_lines(bot: telegram.Bot) -> None:
    update = copy.deepcopy(SHAPES["text"])
    update["message"]["text"] = "Jalan rusak.\n\nSudah dua minggu."
    assert describe(Update.de_json(update, bot)).event == Text(
        "Jalan rusak.\n\nSudah dua minggu.", 101
    )
