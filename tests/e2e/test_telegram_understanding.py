"""Telegram reads what citizens write (issue 18): a complete text files after one
confirmation, /lapor keeps its text, a new report never silently replaces an open one,
documents and venues fill the report, thanks and chatter file nothing, the same text
twice is one complaint, and an unsure topic is chosen by button. Over the fake Bot API
and the in-process sandbox registry, as the citizen and the registry see it."""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gateway.mappings.classify import Classification
from tests.e2e.telegram_support import (
    CITIZEN,
    SHAPES,
    Gateway,
    button_update,
    buttons,
    complaints,
    document_update,
    labels,
    registry_payload,
    said_after,
    telegram_gateway,
    text_update,
    until_summary,
)
from tests.support import wait_until

pytestmark = pytest.mark.e2e
TOKEN = {"Authorization": "Bearer test-token-sumbar-0001"}


def _tracked(gw: Gateway, count: int = 1) -> list[dict[str, Any]]:
    """The chat's complaints once ``count`` of them have their tracking ID."""
    return wait_until(
        lambda: len(c := complaints(gw)) == count and all(x["tracking_id"] for x in c) and c,
        timeout=15,
        what=f"{count} tracked complaint(s)",
    )


def _detail(gw: Gateway, tracking: str) -> dict[str, Any]:
    answer = gw.http.get(f"/sandbox/api/v1/complaints/{tracking}", headers=TOKEN)
    return dict(answer.json())


def _yesterday() -> str:
    return (datetime.now(ZoneInfo("Asia/Jakarta")).date() - timedelta(days=1)).isoformat()


def test_a_text_with_what_where_and_when_files_after_one_confirmation(tmp_path: Path) -> None:
    typed = (
        "Jalan di Jl. Hasanuddin berlubang besar, kemarin sore jam 5 ada motor jatuh.\n\n"
        "Mohon segera   diperbaiki sebelum ada korban lagi."
    )
    with telegram_gateway(tmp_path) as gw:
        gw.post(text_update(typed, 11))
        summary = said_after(gw, 0)
        # the first answer is the summary: nothing the text says is asked again
        assert "Periksa laporan Anda" in summary["text"], summary["text"]
        assert "Jl. Hasanuddin" in summary["text"]
        assert buttons(summary) == ["send:1", "send:1:anon", "cancel:1"]
        gw.post(button_update("send:1"))
        gw.wait_said("Laporan Anda sudah kami terima")
        [complaint] = _tracked(gw)
        assert len(gw.said()) >= 2 and not [m for m in gw.said() if m.startswith("Di mana")]
        sent = registry_payload(gw, complaint["tracking_id"])
        # the paragraphs reach the registry; the spacing inside a line is tidied
        assert sent["content"] == (
            "Jalan di Jl. Hasanuddin berlubang besar, kemarin sore jam 5 ada motor jatuh.\n\n"
            "Mohon segera diperbaiki sebelum ada korban lagi."
        )
        assert "Jl. Hasanuddin" in sent["location"]
        assert sent["incident_date"] == _yesterday()
        assert sent["incident_at"].startswith(f"{_yesterday()}T17:00")  # WIB, as told
        assert complaint["topic_id"] == 2


def test_lapor_keeps_its_text_and_a_new_report_asks_before_replacing(tmp_path: Path) -> None:
    first = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin, gelap sekali malam hari"
    second = (
        "Sampah menumpuk di Pasar Raya Padang\nsudah tiga hari tidak diangkut, baunya menyengat"
    )
    with telegram_gateway(tmp_path) as gw:
        gw.post(text_update(f"/lapor {first}", 21))
        summary = until_summary(gw, where="depan SDN 3 Padang")
        assert first in summary["text"]  # the text given with /lapor is the report's

        seen = len(gw.said())
        gw.post(text_update("/lapor", 22))
        asked = said_after(gw, seen)
        assert "belum dikirim" in asked["text"]
        assert labels(asked) == {
            "keep:1": "↩️ Lanjutkan laporan sebelumnya",
            "fresh:1": "🆕 Mulai laporan baru",
        }
        seen = len(gw.said())
        gw.post(button_update("keep:1"))
        again = said_after(gw, seen)  # the open report, as it was
        assert first in again["text"] and "send:1" in buttons(again)

        seen = len(gw.said())
        detail = "Tambahan: sudah dua motor jatuh di situ karena gelap"
        gw.post(text_update(detail, 24))  # more about it, typed over the summary
        asked = said_after(gw, seen)
        assert buttons(asked) == ["add:1", "fresh:1"]
        seen = len(gw.said())
        gw.post(button_update("add:1"))
        added = said_after(gw, seen)
        assert f"{first}\n\n{detail}" in added["text"] and "send:1" in buttons(added)

        seen = len(gw.said())
        gw.post(text_update(second, 23))  # a new complaint typed over the summary
        asked = said_after(gw, seen)
        assert buttons(asked) == ["add:1", "fresh:1"]
        gw.post(button_update("fresh:1"))
        summary = until_summary(gw, where="Pasar Raya Padang", seen=seen + 1)
        assert "Sampah menumpuk" in summary["text"] and "send:2" in buttons(summary)
        gw.post(button_update("send:1"))  # the replaced report's old button: stale
        gw.post(button_update("send:2"))
        [complaint] = _tracked(gw)
        assert complaint["source_ref"] == f"{CITIZEN}:2"
        assert registry_payload(gw, complaint["tracking_id"])["content"] == second


def test_a_document_is_kept_and_its_caption_is_the_text(tmp_path: Path) -> None:
    pdf = b"%PDF-1.7\n" + b"surat keterangan antrean puskesmas\n" * 400
    caption = (
        "Pelayanan di Puskesmas Andalas Padang sangat lambat, kemarin saya menunggu 5 jam.\n\n"
        "Surat keterangan antrean terlampir."
    )
    with telegram_gateway(tmp_path, max_attachment_bytes=100_000) as gw:
        gw.telegram.add_file("doc-ok-0001", pdf, "documents/file_1.pdf")
        gw.post(document_update("doc-ok-0001", 31, caption=caption, size=len(pdf)))
        summary = until_summary(gw, where="Puskesmas Andalas")
        assert "📎 1 lampiran" in summary["text"]
        gw.post(button_update("send:1"))
        [complaint] = _tracked(gw)
        sent = registry_payload(gw, complaint["tracking_id"])
        assert sent["content"] == caption
        [attached] = _detail(gw, complaint["tracking_id"])["attachments"]
        assert attached["content_type"] == "application/pdf"
        assert attached["filename"] == "lampiran.pdf"
        assert attached["sha256"] == hashlib.sha256(pdf).hexdigest()

        # too large, or a type not kept: told politely; the caption still makes the report
        big = b"%PDF-1.7\n" + b"x" * 200_000
        gw.telegram.add_file("doc-big-0002", big, "documents/file_2.pdf")
        seen = len(gw.said())
        text = "Jembatan di Jorong Koto Baru retak besar, kemarin sore kendaraan dilarang lewat"
        gw.post(document_update("doc-big-0002", 32, caption=text, size=len(big)))
        told = gw.wait_said("Maaf, lampiran itu tidak dapat kami terima")["text"]
        assert "(ukurannya lebih dari 97 KB)" in told
        summary = until_summary(gw, where="Jorong Koto Baru", seen=seen + 1)
        assert "Jembatan di Jorong Koto Baru retak" in summary["text"]
        assert "📎 0 lampiran" in summary["text"]

        gw.post(button_update("cancel:2"))
        gw.post(text_update("/english", 33))
        gw.wait_said("Language set to English.")
        seen = len(gw.said())
        zipped = copy.deepcopy(SHAPES["document_other"])
        zipped["message"]["chat"]["id"] = zipped["message"]["from"]["id"] = CITIZEN
        gw.post(zipped)
        told = gw.wait_said("Sorry, that attachment could not be received")["text"]
        assert "send a PDF or a JPG, PNG or WEBP image" in told
        assert not [c for c in gw.telegram.calls if c.params.get("file_id") == "doc-big-0002"]


def test_a_venue_is_the_place(tmp_path: Path) -> None:
    with telegram_gateway(tmp_path) as gw:
        venue = copy.deepcopy(SHAPES["venue"])
        gw.post(venue)
        gw.wait_said("Apa yang terjadi?")
        gw.post(text_update("Lampu penerangan jalan mati sejak kemarin, gelap sekali malam", 41))
        summary = until_summary(gw, where="-", seen=1)
        assert "Pasar Raya Padang, Jl. Pasar Raya, Kampung Jao, Padang Barat" in summary["text"]
        gw.post(button_update("send:1"))
        [complaint] = _tracked(gw)
        location = complaint["location"]
        assert location["text"] == "Pasar Raya Padang, Jl. Pasar Raya, Kampung Jao, Padang Barat"
        assert (location["latitude"], location["longitude"]) == (-0.9492, 100.3543)
        assert complaint["region_code"] == "13.71"  # the venue lies in Kota Padang


def test_thanks_chatter_status_and_more_file_nothing_new(tmp_path: Path) -> None:
    stranger = 5_099_000_001
    # the registry's workflow is slowed: the complaint stays open while the chat writes
    with telegram_gateway(tmp_path, sandbox_step_seconds=3600) as gw:
        # a chat that never reported: thanks and chatter are answered, nothing is filed
        gw.post(text_update("ok makasih pak", 51, chat=stranger))
        gw.wait_said("Sama-sama", chat=stranger)
        gw.post(text_update("halo, ini nomor pengaduan ya?", 52, chat=stranger))
        gw.wait_said("Untuk melapor, ketik keluhan Anda", chat=stranger)

        typed = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin, gelap sekali malam hari"
        gw.post(text_update(typed, 53))
        until_summary(gw, where="depan SDN 3 Padang")
        gw.post(button_update("send:1"))
        [complaint] = _tracked(gw)
        tracking = complaint["tracking_id"]
        gw.wait_said(f"dengan nomor {tracking}")  # the status message with its number

        gw.post(text_update("terima kasih pak, sudah saya terima nomornya", 54))
        gw.wait_said("Sama-sama")
        gw.post(text_update("kapan laporan saya diproses?", 55))
        listing = gw.wait_said("Laporan Anda:")
        assert tracking in listing["text"]
        more = "Lampunya masih mati sampai sekarang, tolong dicek lagi"
        gw.post(text_update(more, 56))
        gw.wait_said(f"Tanggapan Anda diteruskan ke SP4N-LAPOR! untuk laporan {tracking}")
        comments = wait_until(
            lambda: _detail(gw, tracking).get("comments"), timeout=15, what="the comment"
        )
        assert [(c["text"], c["author"]) for c in comments] == [(more, "Rahmat Hidayat")]
        assert len(complaints(gw)) == 1
        assert not [s for s in gw.said(stranger) if "Periksa laporan" in s]


def test_the_same_text_twice_is_one_complaint(tmp_path: Path) -> None:
    typed = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin, gelap sekali malam hari"
    with telegram_gateway(tmp_path) as gw:
        gw.post(text_update(typed, 61))
        until_summary(gw, where="depan SDN 3 Padang")
        gw.post(button_update("send:1"))
        [complaint] = _tracked(gw)
        tracking = complaint["tracking_id"]
        again = "  LAMPU jalan di depan SDN 3 Padang mati sejak kemarin!!  Gelap sekali malam hari"
        gw.post(text_update(again, 62))  # case, spacing and punctuation do not count
        gw.wait_said(f"sudah kami terima dengan nomor {tracking}")
        gw.post(text_update("/status", 63))
        gw.wait_said("Laporan Anda:")
        assert len(complaints(gw)) == 1
        state = (
            gw.container.engine.connect()
            .exec_driver_sql("SELECT state FROM chat_session")
            .scalar_one()
        )
        assert '"step": "idle"' in state  # no report was begun


def test_an_unsure_topic_is_chosen_by_button(tmp_path: Path) -> None:
    typed = "Tolong pak di Jl. Veteran Padang sudah dua hari begini terus, kemarin malam parah"
    with telegram_gateway(tmp_path) as gw:
        unsure = Classification(46, 0.3, False, (), candidates=((27, 0.41), (26, 0.33), (4, 0.1)))
        # the learned model's answer for an unclear text, fixed for this test
        object.__setattr__(gw.container.tenants["sumbar"], "classify", lambda text: unsure)
        gw.post(text_update(typed, 71))
        asked = until_summary_or_topics(gw)
        names = gw.container.catalogue.topics
        assert labels(asked) == {
            "topic:1:27": names[27],
            "topic:1:26": names[26],
            "topic:1:4": names[4],
            "topic:1:other": "Lainnya",
            "cancel:1": "❌ Batal",
        }
        seen = len(gw.said())
        gw.post(button_update("topic:1:27"))
        summary = said_after(gw, seen)
        assert f"🏷 {names[27]}" in summary["text"] and "send:1" in buttons(summary)
        gw.post(button_update("send:1"))
        [complaint] = _tracked(gw)
        assert complaint["topic_id"] == 27 and complaint["topic_source"] == "given"
        assert _detail(gw, complaint["tracking_id"])["topic_id"] == 27


def until_summary_or_topics(gw: Gateway) -> dict[str, Any]:
    """The summary offering topics, answering a where or when question before it."""
    seen = 0
    for _ in range(4):
        last = said_after(gw, seen)
        seen = len(gw.said())
        data = buttons(last)
        if any(d.startswith("topic:") for d in data):
            return last
        if last["text"].startswith("Di mana"):
            gw.post(text_update("Jl. Veteran Padang", 79))
        elif data and data[0].startswith("when:"):
            gw.post(button_update("when:1:skip"))
        else:
            raise AssertionError(f"unexpected: {last!r}")
    raise AssertionError("no topic buttons")


def test_a_reply_to_a_status_message_thanks_or_comments_without_a_name(tmp_path: Path) -> None:
    typed = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin, gelap sekali malam hari"
    with telegram_gateway(tmp_path, sandbox_step_seconds=3600) as gw:
        gw.post(text_update(typed, 81))
        until_summary(gw, where="depan SDN 3 Padang")
        gw.post(button_update("send:1:anon"))
        [complaint] = _tracked(gw)
        tracking = complaint["tracking_id"]
        status = gw.wait_said(f"dengan nomor {tracking}")

        def reply(text: str, message_id: int) -> dict[str, Any]:
            quoted = {
                "message_id": status["message_id"],
                "from": {"id": 123456, "is_bot": True, "first_name": "LAPOR! Sumbar"},
                "chat": {"id": CITIZEN, "type": "private"},
                "date": 1767753300,
                "text": status["text"],
            }
            return text_update(text, message_id, reply_to_message=quoted)

        gw.post(reply("terima kasih pak", 82))
        gw.wait_said("Sama-sama")
        more = "Lampunya masih mati sampai sekarang, tolong dicek lagi"
        gw.post(reply(more, 83))
        gw.wait_said(f"Tanggapan Anda diteruskan ke SP4N-LAPOR! untuk laporan {tracking}")
        comments = wait_until(
            lambda: _detail(gw, tracking).get("comments"), timeout=15, what="the comment"
        )
        # only the comment went to the registry, and an anonymous complaint's carries no name
        assert [(c["text"], c["author"]) for c in comments] == [(more, None)]
