"""What the bot says: the conversation's texts (:mod:`gateway.chat.texts`) and the
few only Telegram needs, in Bahasa Indonesia and English."""

from __future__ import annotations

from gateway.chat.texts import KINDS, kind_name
from gateway.chat.texts import TEXTS as CHAT_TEXTS
from gateway.chat.texts import say as chat_say

__all__ = ["KINDS", "TELEGRAM_TEXTS", "TEXTS", "kind_name", "say"]

TELEGRAM_TEXTS: dict[str, tuple[str, str]] = {
    "reason_download": ("gagal diunduh dari Telegram", "it could not be fetched from Telegram"),
    "group": (
        "Demi menjaga data pribadi, laporan hanya diterima lewat chat pribadi: "
        "buka @{bot} dan tekan Mulai.",
        "To protect personal data, reports are only taken in a private chat: open @{bot} "
        "and press Start.",
    ),
}

TEXTS: dict[str, tuple[str, str]] = {**CHAT_TEXTS, **TELEGRAM_TEXTS}


def say(key: str, language: str, **values: object) -> str:
    return chat_say(key, language, TEXTS, **values)
