"""The Telegram channel end to end: a real python-telegram-bot talking to a fake Bot API
over loopback, the gateway's webhook, the in-process sandbox registry."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.telegram_support import (
    CITIZEN,
    SHAPES,
    SUMBAR,
    Gateway,
    button_update,
    buttons,
    said_after,
    telegram_gateway,
    text_update,
    until_summary,
)
from tests.support import wait_until

pytestmark = pytest.mark.e2e


def _complaints(gw: Gateway) -> list[dict[str, Any]]:
    answer = gw.http.get("/complaints", params={"channel": "telegram"}, headers=SUMBAR)
    return answer.json()["items"]


def test_a_typed_complaint_reaches_the_registry_and_its_status_reaches_the_chat(
    tmp_path: Path,
) -> None:
    with telegram_gateway(tmp_path) as gw:
        typed = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin, gelap sekali malam hari"
        assert gw.post(text_update(typed, 101)).json() == {"ok": True, "duplicate": False}
        # what is missing is asked (test_telegram_understanding: nothing, for this text)
        summary = until_summary(gw, where="depan SDN 3 Padang")
        assert "SDN 3 Padang" in summary["text"] and "Rahmat Hidayat" in summary["text"]
        assert buttons(summary) == ["send:1", "send:1:anon", "cancel:1"]
        gw.post(button_update("send:1"))
        gw.wait_said("Terima kasih. Laporan Anda sudah kami terima")

        complaint = wait_until(
            lambda: (c := _complaints(gw)) and c[0]["tracking_id"] and c[0],
            timeout=15,
            what="a tracking ID",
        )
        tracking = complaint["tracking_id"]
        assert complaint["source_ref"] == f"{CITIZEN}:1"
        assert complaint["reporter"]["name"] == "Rahmat Hidayat"
        assert "SDN 3 Padang" in complaint["location"]["text"]
        assert complaint["topic_id"] == 4
        # the tracking ID, then a status change, told in Indonesian in the chat; the
        # sandbox moves faster than the chat's send rate, so a status overtaken before
        # it went out is dropped: the chat reads the statuses in order, some skipped
        gw.wait_said(tracking)
        changed = wait_until(
            lambda: _status_messages(gw, tracking)[1:2], timeout=20, what="a status change"
        )[0][0]
        told = [step for _, step in _status_messages(gw, tracking)]
        assert told == sorted(told) and len(set(told)) == len(told), told

        # the citizen answers a notification: a comment on the national complaint
        reply = text_update(
            "Terima kasih, mohon segera diperbaiki",
            140,
            reply_to_message={
                "message_id": changed["message_id"],
                "from": {"id": 123456, "is_bot": True, "first_name": "LAPOR! Sumbar"},
                "chat": {"id": CITIZEN, "type": "private"},
                "date": 1767753300,
                "text": changed["text"],
            },
        )
        gw.post(reply)
        gw.wait_said(f"Tanggapan Anda diteruskan ke SP4N-LAPOR! untuk laporan {tracking}")
        token = {"Authorization": "Bearer test-token-sumbar-0001"}

        def commented() -> list[dict[str, Any]] | None:
            detail = gw.http.get(f"/sandbox/api/v1/complaints/{tracking}", headers=token).json()
            return detail.get("comments") or None

        comments = wait_until(commented, timeout=15, what="the comment in the registry")
        assert comments[0]["text"] == "Terima kasih, mohon segera diperbaiki"

        gw.post(text_update("/status", 141))
        listing = gw.wait_said("Laporan Anda:")
        assert tracking in listing["text"]
        gw.post(text_update(f"/status {tracking}", 142))
        gw.wait_said(f"Nomor: {tracking}")
        gw.post(text_update("/status 99999999", 143))
        gw.wait_said("Laporan 99999999 tidak ditemukan di chat ini.")


def test_webhook_refuses_wrong_secrets_unknown_tenants_and_bad_bodies(tmp_path: Path) -> None:
    with telegram_gateway(tmp_path, run_sync=False) as gw:
        update = text_update("/start", 1)
        assert gw.post(update, secret=None).status_code == 401
        assert gw.post(update, secret="wrong").status_code == 401
        other = gw.http.post(
            "/channels/telegram/lampung",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "x"},
        )
        assert other.status_code == 404  # Lampung has no Telegram channel
        assert gw.http.post("/channels/telegram/nowhere", json=update).status_code == 404
        bad = gw.post({"message": {}})
        assert bad.status_code == 422 or bad.status_code == 400
        assert bad.json()["error"]["fields"][0]["field"] == "update_id"
        assert gw.inbound_states() == {}  # nothing refused was stored
        assert gw.telegram.calls == []  # and the bot was not touched


#: a report begun: its next question (what the text lacks) or its summary
REPORT = ("Di mana kejadiannya?", "Kapan terjadinya?", "Periksa laporan Anda")
# what each real update shape makes the bot do: (case, what it says or None, inbound state)
TABLE: list[tuple[str, str | tuple[str, ...] | None, str]] = [
    ("text", REPORT, "parsed"),
    ("command_start", "Selamat datang", "parsed"),
    ("command_lapor", "Apa yang terjadi?", "parsed"),
    ("command_status", "Belum ada laporan", "parsed"),
    ("command_status_with_id", "tidak ditemukan", "parsed"),
    ("photo_with_caption", REPORT, "parsed"),
    ("document_pdf", REPORT, "parsed"),  # the caption is the text, the PDF kept
    ("document_other", "jenisnya tidak didukung", "parsed"),  # a zip: not kept, told
    ("venue", "Apa yang terjadi?", "parsed"),  # the place is known: what happened?
    ("photo", "Apa yang terjadi?", "parsed"),
    ("location", "Apa yang terjadi?", "parsed"),
    ("contact", None, "parsed"),  # no report being written: kept quiet
    ("edited_message", None, "ignored"),
    ("callback_query", "Language set to English.", "parsed"),
    ("group_message", "chat pribadi", "ignored"),
    ("sticker", "stiker", "parsed"),
    ("voice", "pesan suara", "parsed"),
    ("channel_post", None, "ignored"),
    ("my_chat_member", None, "ignored"),
    # a reply to a bot message that is no notification: read as any text
    ("reply_to_bot", ("Laporan ini tentang apa?", *REPORT, "Belum ada laporan"), "parsed"),
]


def test_each_update_shape_gets_its_answer(tmp_path: Path) -> None:
    with telegram_gateway(tmp_path) as gw:
        photo = b"\xff\xd8\xff\xe0" + b"jpeg" * 100
        pdf = b"%PDF-1.4\n" + b"surat keterangan " * 50
        for shape in SHAPES.values():
            for size in (shape.get("message") or {}).get("photo", []):
                gw.telegram.add_file(size["file_id"], photo)
        document = SHAPES["document_pdf"]["message"]["document"]
        gw.telegram.add_file(document["file_id"], pdf, "documents/file_1.pdf")
        quiet: list[int] = []
        for index, (case, expect, state) in enumerate(TABLE):
            update = copy.deepcopy(SHAPES[case])
            chat = _rechat(update, 6_000_000_000 + index)  # each case in its own chat
            assert gw.post(update).status_code == 200, case
            ref = f"update:{update['update_id']}"
            wait_until(
                lambda: gw.inbound_states().get(ref) in ("parsed", "ignored", "quarantined"),
                timeout=10,
                what=case,
            )
            assert gw.inbound_states()[ref] == state, case
            if expect is None:
                quiet.append(chat)
            else:  # the bot speaks after its commit: wait for it
                needles = (expect,) if isinstance(expect, str) else expect
                wait_until(
                    lambda: any(n in t for t in gw.said(chat) for n in needles),
                    timeout=10,
                    what=f"{case}: the bot saying one of {needles}",
                )
        # the quiet cases wrote no reply job: once every reply is out, they got nothing
        wait_until(lambda: not _unsent_replies(gw), timeout=10, what="every reply sent")
        assert {chat: gw.said(chat) for chat in quiet} == {chat: [] for chat in quiet}
        calls = [c.method for c in gw.telegram.calls]
        assert "answerCallbackQuery" in calls
        assert not [c for c in gw.telegram.calls if c.failed]
        # the photo and the PDF were fetched and kept under their content hash; the zip
        # was not even fetched
        kept = list((tmp_path / "attachments").glob("*.jpg"))
        assert len(kept) == 1 and kept[0].read_bytes() == photo
        assert [p.read_bytes() for p in (tmp_path / "attachments").glob("*.pdf")] == [pdf]
        fetched = [c.params.get("file_id") for c in gw.telegram.calls if c.method == "getFile"]
        assert SHAPES["document_other"]["message"]["document"]["file_id"] not in fetched

        # a redelivered update: acknowledged, processed once
        again = copy.deepcopy(SHAPES["command_start"])
        _rechat(again, 6_000_000_000 + 1)
        assert gw.post(again).json() == {"ok": True, "duplicate": True}
        wait_until(lambda: not _pending(gw), timeout=5, what="nothing pending")
        assert len(gw.said(6_000_000_001)) == 1


#: the sumbar reply texts of each status, in workflow order
_STEPS = ("dengan nomor", "sudah diverifikasi", "sudah diteruskan ke", "sedang ditindaklanjuti")
_STEPS += ("telah selesai",)


def _status_messages(gw: Gateway, tracking: str) -> list[tuple[dict[str, Any], int]]:
    """The chat's notifications about ``tracking`` with their step in the workflow."""
    found = []
    for message in gw.telegram.sent(CITIZEN):
        text = message.get("text", "")
        steps = [n for n, words in enumerate(_STEPS) if words in text]
        if tracking in text and steps:
            found.append((message, steps[0]))
    return found


def _unsent_replies(gw: Gateway) -> int:
    from sqlalchemy import text

    with gw.container.engine.connect() as conn:
        query = "SELECT COUNT(*) FROM outbox_job WHERE kind = 'reply' AND state <> 'done'"
        return int(conn.execute(text(query)).scalar_one())


def _pending(gw: Gateway) -> list[str]:
    return [ref for ref, state in gw.inbound_states().items() if state == "accepted"]


def _rechat(update: dict[str, Any], chat: int) -> int:
    """Move a private-chat update to ``chat`` (group and channel updates keep theirs)."""
    for key in ("message", "edited_message", "callback_query", "my_chat_member"):
        body = update.get(key)
        if body is None:
            continue
        holder = body["message"] if key == "callback_query" else body
        if holder["chat"]["type"] == "private":
            holder["chat"]["id"] = chat
            body["from"]["id"] = chat
            return chat
        return int(holder["chat"]["id"])
    return 0


def test_polling_blocked_chats_and_flood_control(tmp_path: Path) -> None:
    with telegram_gateway(tmp_path, polling=True) as gw:
        fake = gw.telegram
        wait_until(lambda: fake.polls_waiting > 0, timeout=10, what="the bot polling")
        assert any(c.method == "deleteWebhook" for c in fake.calls)
        fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        photo = b"\xff\xd8\xff\xe0" + b"lubang" * 200
        first = copy.deepcopy(SHAPES["photo_with_caption"])
        for size in first["message"]["photo"]:
            fake.add_file(size["file_id"], photo)
        fake.push_update(first)  # a photo with a caption starts a report
        asked = said_after(gw, 0)  # sent after waiting out the 429
        sends = [c.status for c in fake.calls if c.method == "sendMessage"]
        assert sends[:2] == [429, 200]
        assert asked["text"].startswith(("Di mana", "Kapan", "Periksa"))
        until_summary(gw, where="Jl. Sudirman dekat Pasar Raya", send=fake.push_update)
        fake.block(CITIZEN)  # the citizen blocks the bot before the tracking ID comes
        fake.push_update(button_update("send:1:anon"))
        complaint = wait_until(
            lambda: (c := _complaints(gw)) and c[0]["tracking_id"] and c[0],
            timeout=15,
            what="a tracking ID",
        )
        assert complaint["anonymous"] is True and complaint["reporter"] is None
        assert "Jl. Sudirman" in complaint["location"]["text"]
        [attached] = complaint["attachments"]
        assert attached["content_type"] == "image/jpeg" and attached["size"] == len(photo)
        assert gw.http.get(attached["url"]).content == photo  # the registry can fetch it
        assert gw.http.get("/attachments/../gateway.db").status_code == 404
        # the notify job is done, not failed, and nothing more goes to the chat
        from sqlalchemy import text

        def notify_states() -> list[str]:
            with gw.container.engine.connect() as conn:
                rows = conn.execute(text("SELECT state FROM outbox_job WHERE kind = 'notify'"))
                return [r.state for r in rows]

        wait_until(
            lambda: (s := notify_states()) and all(x == "done" for x in s),
            timeout=15,
            what="notify jobs done",
        )
        assert "failed" not in notify_states()
        # the answer to send:1 met the block too: its reply job is done, not failed
        wait_until(lambda: not _unsent_replies(gw), timeout=10, what="reply jobs done")
        assert [c.status for c in fake.calls if c.method == "sendMessage"][-1] == 403
        with gw.container.engine.connect() as conn:
            blocked = conn.execute(text("SELECT blocked_at FROM chat_session")).scalar_one()
        assert blocked is not None


def test_a_conversation_and_unprocessed_updates_survive_a_restart(tmp_path: Path) -> None:
    with telegram_gateway(tmp_path) as gw:
        gw.post(text_update("/lapor", 1))
        gw.wait_said("Apa yang terjadi?")
        gw.post(text_update("Jembatan gantung di jorong Koto Baru putus", 2))
        asked = said_after(gw, 1)
        if asked["text"].startswith("Di mana"):  # the place was not read from the text
            gw.post(text_update("di jorong Koto Baru", 3))
        gw.wait_said("Kapan terjadinya?")
    # between the two runs, an update was committed and the process died before taking it
    from adapters.telegram import store
    from gateway.storage.engine import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    update = button_update("when:1:yesterday")
    store.store_update(
        make_session_factory(engine), "sumbar", update["update_id"], json.dumps(update)
    )
    engine.dispose()

    with telegram_gateway(tmp_path) as gw:
        # taken at start-up, in the conversation as it was before the restart
        asked = gw.wait_said("Ada foto?")
        assert buttons(asked) == ["photo:1:skip"]
        gw.post(button_update("photo:1:skip"))
        summary = gw.wait_said("Periksa laporan Anda")
        assert "Jembatan gantung" in summary["text"] and "jorong Koto Baru" in summary["text"]
        yesterday = datetime.now(ZoneInfo("Asia/Jakarta")).date() - timedelta(days=1)
        assert yesterday.strftime("%d/%m/%Y") in summary["text"]
