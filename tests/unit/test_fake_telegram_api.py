"""The fake Telegram Bot API, driven by a real python-telegram-bot ``Bot`` over loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import FakeTelegram, Upload, serve_fake_telegram
from tests.support import scaled, wait_until

TOKEN = "123456:test-bot-token-sumbar"
CHAT = 5012345678
UPDATES = json.loads((Path(__file__).parent.parent / "data/telegram_updates.json").read_text())
T = TypeVar("T")


@pytest.fixture
def served() -> Iterator[tuple[FakeTelegram, str]]:
    with serve_fake_telegram(TOKEN) as served:
        yield served


def plain_http() -> HTTPXRequest:
    """PTB's own transport, minus loading CA certificates (0.05 s a client) it never uses here."""
    return HTTPXRequest(httpx_kwargs={"verify": False})


def with_bot(url: str, use: Callable[[telegram.Bot], Awaitable[T]], token: str = TOKEN) -> T:
    """Run ``use`` with an initialised PTB bot pointed at the fake."""

    async def main() -> T:
        bot = telegram.Bot(
            token,
            base_url=f"{url}/bot",
            base_file_url=f"{url}/file/bot",
            request=plain_http(),
            get_updates_request=plain_http(),
        )
        async with bot:
            return await use(bot)

    return asyncio.run(main())


def test_get_me_describes_the_bot(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served
    me = with_bot(url, lambda bot: bot.get_me())
    assert (me.id, me.username, me.is_bot) == (123456, "lapor_test_bot", True)
    assert [c.method for c in fake.calls] == ["getMe", "getMe"]  # initialize() asks too


def test_send_message_returns_a_message_and_is_recorded(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("English", callback_data="lang:en")]])

    async def send(bot: telegram.Bot) -> list[telegram.Message]:
        first = await bot.send_message(CHAT, "Laporan diterima", reply_markup=keyboard)
        return [first, await bot.send_message(CHAT, "123", disable_notification=True)]

    first, second = with_bot(url, send)
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == CHAT and first.from_user is not None and first.from_user.is_bot
    assert first.reply_markup == keyboard and unknown_fields(first) == []
    sent = fake.sent(CHAT)
    assert [s["message_id"] for s in sent] == [1, 2]
    assert sent[0]["reply_markup"] == keyboard.to_dict()
    assert sent[1] == {
        "chat_id": CHAT, "text": "123", "disable_notification": True, "message_id": 2
    }  # fmt: skip
    assert fake.sent(999) == []
    call = fake.calls[-1]
    assert (call.method, call.failed, call.params["chat_id"]) == ("sendMessage", False, CHAT)


def test_a_wrong_token_raises_invalid_token(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served
    with pytest.raises(InvalidToken):
        with_bot(url, lambda bot: bot.get_me(), token="999:not-this-bot")
    assert fake.calls[0].status == 401


def test_injected_429_raises_retry_after_with_the_server_back_off(
    served: tuple[FakeTelegram, str],
) -> None:
    fake, url = served
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        with_bot(url, lambda bot: bot.send_message(CHAT, "Halo"))
    assert raised.value.retry_after == timedelta(seconds=3)
    message = with_bot(url, lambda bot: bot.send_message(CHAT, "Halo"))
    assert message.message_id == 1  # the failed call assigned nothing
    sends = [c for c in fake.calls if c.method == "sendMessage"]
    assert [(c.failed, c.status) for c in sends] == [(True, 429), (False, 200)]


def test_a_blocked_chat_raises_forbidden(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served
    fake.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        with_bot(url, lambda bot: bot.send_message(CHAT, "Halo"))
    assert fake.sent() == []
    assert with_bot(url, lambda bot: bot.send_message(CHAT + 1, "Halo")).chat.id == CHAT + 1


def test_get_file_and_download_return_the_bytes(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served
    content = bytes(range(256)) * 40 + b"\r\n--\r\n\n\r"
    fake.add_file("AgACAgUAAxkB-photo", content, file_path="photos/file_7.jpg")

    async def fetch(bot: telegram.Bot) -> tuple[telegram.File, bytearray]:
        file = await bot.get_file("AgACAgUAAxkB-photo")
        return file, await file.download_as_bytearray()

    file, downloaded = with_bot(url, fetch)
    assert bytes(downloaded) == content
    assert (file.file_size, file.file_path) == (
        len(content),
        f"{url}/file/bot{TOKEN}/photos/file_7.jpg",
    )
    with pytest.raises(BadRequest, match="Invalid file_id"):
        with_bot(url, lambda bot: bot.get_file("unknown"))


def test_send_photo_uploads_multipart_and_the_photo_can_be_fetched_back(
    served: tuple[FakeTelegram, str],
) -> None:
    fake, url = served
    content = b"\xff\xd8\xff\xe0 not really a jpeg \r\n\x00"

    async def send(bot: telegram.Bot) -> bytearray:
        message = await bot.send_photo(CHAT, content, caption="Bukti foto")
        file = await bot.get_file(message.photo[-1].file_id)
        return await file.download_as_bytearray()

    assert bytes(with_bot(url, send)) == content
    [sent] = fake.sent(CHAT)
    assert sent["caption"] == "Bukti foto" and sent["chat_id"] == CHAT
    assert isinstance(sent["photo"], Upload) and sent["photo"].content == content


def test_get_updates_returns_pushed_updates_and_honours_offset(
    served: tuple[FakeTelegram, str],
) -> None:
    fake, url = served
    fake.push_update(UPDATES["text"])
    fake.push_update(UPDATES["command_start"])

    async def poll(bot: telegram.Bot) -> list[list[int]]:
        first = await bot.get_updates(timeout=0)
        again = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)
        done = await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
        return [[u.update_id for u in batch] for batch in (first, again, done)]

    ids = [UPDATES["text"]["update_id"], UPDATES["command_start"]["update_id"]]
    assert with_bot(url, poll) == [ids, ids[1:], []]


def test_a_long_poll_wakes_when_an_update_is_pushed(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served

    async def poll(bot: telegram.Bot) -> tuple[tuple[Update, ...], float]:
        started = time.monotonic()
        # unscaled: Telegram's long-poll parameter (the fake caps it), not a deadline
        waiting = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.to_thread(wait_until, lambda: fake.polls_waiting, 5, 0.01, "a long poll")
        fake.push_update(UPDATES["location"])
        return await waiting, time.monotonic() - started

    updates, took = with_bot(url, poll)
    assert [u.message.location.latitude for u in updates if u.message and u.message.location] == [
        -0.9471
    ]
    assert took < fake.long_poll_cap


def test_a_long_poll_with_nothing_to_return_ends_at_the_cap(
    served: tuple[FakeTelegram, str],
) -> None:
    fake, url = served
    fake.long_poll_cap = 0.2
    started = time.monotonic()
    # unscaled: the long poll ends at the fake's cap, which the test sets
    assert with_bot(url, lambda bot: bot.get_updates(timeout=30)) == ()
    assert 0.2 <= time.monotonic() - started < scaled(5)


def test_set_webhook_records_url_and_secret_until_deleted(
    served: tuple[FakeTelegram, str],
) -> None:
    fake, url = served
    hook = "https://gateway.example/telegram/sumbar"

    async def set_hook(bot: telegram.Bot) -> telegram.WebhookInfo:
        await bot.set_webhook(
            hook, secret_token="hook-sumbar-0123456789", allowed_updates=["message"]
        )
        return await bot.get_webhook_info()

    info = with_bot(url, set_hook)
    assert fake.webhook is not None
    assert fake.webhook["url"] == hook and fake.webhook["secret_token"] == "hook-sumbar-0123456789"
    assert fake.webhook["allowed_updates"] == ["message"] and info.url == hook
    with pytest.raises(Conflict):
        with_bot(url, lambda bot: bot.get_updates(timeout=0))
    assert with_bot(url, lambda bot: bot.delete_webhook()) is True
    assert fake.webhook is None


def test_edits_callback_answers_and_chat_actions(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("English", callback_data="lang:en")]])

    async def talk(bot: telegram.Bot) -> Any:
        sent = await bot.send_message(CHAT, "Pilih bahasa", reply_markup=keyboard)
        assert await bot.send_chat_action(CHAT, "typing")
        assert await bot.answer_callback_query("2153125982374612345", text="OK")
        edited = await bot.edit_message_text("Language: English", CHAT, sent.message_id)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("Language: English", CHAT, sent.message_id)
        return edited

    edited = with_bot(url, talk)
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Language: English" and edited.reply_markup is None
    assert edited.edit_date is not None
    assert [c.method for c in fake.calls if c.failed] == ["editMessageText"]


def test_unknown_methods_answer_404(served: tuple[FakeTelegram, str]) -> None:
    fake, url = served
    with pytest.raises(telegram.error.EndPointNotFound):
        with_bot(url, lambda bot: bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1}))
    assert fake.calls[-1].status == 404


@pytest.fixture(scope="module")
def offline_bot() -> telegram.Bot:
    return telegram.Bot(TOKEN)  # de_json needs a bot, never the network


def unknown_fields(obj: object, path: str = "") -> list[str]:
    """Fields PTB did not recognise (it keeps them in ``api_kwargs``), anywhere in ``obj``."""
    if isinstance(obj, list | tuple):
        return [f for i, item in enumerate(obj) for f in unknown_fields(item, f"{path}[{i}]")]
    if not isinstance(obj, TelegramObject):
        return []
    found = [f"{path}.{key}" for key in obj.api_kwargs]
    slots = {s for cls in type(obj).__mro__ for s in getattr(cls, "__slots__", ())}
    for name in sorted(s for s in slots if not s.startswith("_") and s != "api_kwargs"):
        found += unknown_fields(getattr(obj, name, None), f"{path}.{name}")
    return found


@pytest.mark.parametrize("name", sorted(UPDATES))
def test_recorded_update_payloads_parse_with_every_field_known(
    name: str, offline_bot: telegram.Bot
) -> None:
    update = Update.de_json(UPDATES[name], offline_bot)
    assert update.update_id == UPDATES[name]["update_id"]
    assert unknown_fields(update, name) == []


def test_recorded_update_payloads_mean_what_their_names_say(offline_bot: telegram.Bot) -> None:
    u: dict[str, Any] = {n: Update.de_json(d, offline_bot) for n, d in UPDATES.items()}
    status = u["command_status_with_id"].message
    assert list(status.parse_entities(["bot_command"]).values()) == ["/status"]
    assert status.text.split()[1].isdigit()  # the sandbox's tracking IDs are 8 digits
    assert len(u["photo_with_caption"].message.photo) == 3 and u["photo"].message.caption is None
    contact = u["contact"].message.contact
    assert contact.user_id == u["contact"].message.from_user.id  # the user's own number
    assert u["edited_message"].edited_message.edit_date is not None
    assert u["callback_query"].callback_query.data == "lang:en"
    assert u["callback_query"].callback_query.message.reply_markup is not None
    group = u["group_message"].effective_chat
    assert group.type == "group" and group.id < 0
    assert u["channel_post"].channel_post.chat.type == "channel"
    assert u["my_chat_member"].my_chat_member.new_chat_member.status == "kicked"
    assert u["reply_to_bot"].message.reply_to_message.from_user.is_bot
    assert u["sticker"].message.sticker.type == "regular"
    assert u["voice"].message.voice.duration == timedelta(seconds=7)
    assert u["document_pdf"].message.document.mime_type == "application/pdf"
    assert "\n\n" in u["document_pdf"].message.caption  # a caption with paragraphs
    assert u["document_other"].message.document.mime_type == "application/zip"
    venue = u["venue"].message
    assert venue.venue.title and venue.venue.address and venue.location is not None


def test_every_named_case_is_recorded() -> None:
    assert set(UPDATES) == {
        "text", "command_start", "command_lapor", "command_status", "command_status_with_id",
        "photo_with_caption", "photo", "location", "contact", "edited_message",
        "callback_query", "group_message", "sticker", "voice", "channel_post",
        "my_chat_member", "reply_to_bot", "document_pdf", "document_other", "venue",
    }  # fmt: skip
    assert len({u["update_id"] for u in UPDATES.values()}) == len(UPDATES)
