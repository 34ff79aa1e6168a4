"""A local fake of the Telegram Bot API, served over loopback for end-to-end tests.

It answers at the paths python-telegram-bot uses (``POST {base}/bot{token}/{method}``,
``GET {base}/file/bot{token}/{file_path}``) and records every call. The app runs in the
server's thread and tests read from theirs, so all state sits behind one lock.

What it does not model: parse_mode markup is not turned into entities, ``allowed_updates``
filters what ``getUpdates`` returns rather than what is queued, and a set webhook is only
recorded (pushed updates are not delivered to it; ``getUpdates`` answers 409 meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support import serve_in_thread

# PTB reads this at call time; without it RetryAfter.retry_after and durations warn.
os.environ.setdefault("PTB_TIMEDELTA", "true")

#: parameters Telegram documents as strings: PTB sends them unencoded, so "123" stays "123"
# fmt: off
_STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token", "file_id",
    "action", "photo", "emoji", "inline_message_id", "ip_address", "business_connection_id",
    "message_effect_id",
})
# fmt: on
#: methods refused with 403 when their chat_id is a blocked chat
_CHAT_METHODS = frozenset(
    {"sendmessage", "sendphoto", "sendchataction", "editmessagetext", "editmessagereplymarkup"}
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@dataclass
class Call:
    """One request the bot made; ``status`` is the HTTP status the fake answered."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived
    status: int = 200

    @property
    def failed(self) -> bool:
        return self.status != 200


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request (e.g. ``sendPhoto`` with bytes)."""

    filename: str
    content_type: str
    content: bytes


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": self.status}
        body["description"] = self.description
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return JSONResponse(body, status_code=self.status)


class FakeTelegram:
    """The Bot API of one bot: what it was asked, and what it will answer next."""

    #: getUpdates waits at most this long (seconds), whatever ``timeout`` the bot asks for
    long_poll_cap = 2.0
    #: getFile refuses larger files, as the real Bot API does for bots (20 MB)
    max_download = 20 * 1024 * 1024

    def __init__(self, token: str, bot_username: str = "lapor_test_bot") -> None:
        self.token = token
        bot_id = token.partition(":")[0]
        self.me: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 1_000_000_001,
            "is_bot": True,
            "first_name": "LAPOR! Test",
            "username": bot_username,
        }
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._sent: list[dict[str, Any]] = []
        self._messages: dict[tuple[Any, Any], dict[str, Any]] = {}  # (chat_id, message_id)
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 700_000_001
        self._files: dict[str, tuple[str, bytes]] = {}
        self._failures: dict[str, list[_ApiError]] = {}
        self._blocked: set[int] = set()
        self._webhook: dict[str, Any] | None = None
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._closing = False
        self._holding: set[str] = set()
        self._held = 0
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "editmessagetext": self._edit_text,
            "editmessagereplymarkup": self._edit_markup,
            "answercallbackquery": lambda _: True,
            "sendchataction": lambda _: True,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._webhook_info,
            "close": lambda _: True,
            "logout": lambda _: True,
        }
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
            ]
        )

    # -- what tests read and arrange ------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    @property
    def webhook(self) -> dict[str, Any] | None:
        with self._lock:
            return dict(self._webhook) if self._webhook is not None else None

    @property
    def polls_waiting(self) -> int:
        """How many getUpdates long polls are waiting for an update right now."""
        with self._lock:
            return len(self._waiters)

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(s) for s in self._sent if chat_id is None or s["chat_id"] == chat_id]

    def push_update(self, update: dict[str, Any]) -> None:
        update = json.loads(json.dumps(update))  # the caller's fixture stays untouched
        with self._lock:
            update.setdefault("update_id", self._next_update_id)
            self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
            self._updates.append(update)
        self._wake()

    def add_file(self, file_id: str, content: bytes, file_path: str = "photos/file_0.jpg") -> None:
        """Serve ``content`` for ``file_id`` (a photo size's or a document's) at ``file_path``."""
        with self._lock:
            self._files[file_id] = (file_path, content)

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        with self._lock:
            queue = self._failures.setdefault(method.lower(), [])
            queue.extend(_ApiError(status, description, retry_after) for _ in range(times))

    def hold(self, method: str) -> None:
        """Calls of ``method`` get no answer until :meth:`release`; then they fail (502)
        and are not delivered (their caller has usually died meanwhile)."""
        with self._lock:
            self._holding.add(method.lower())

    def release(self, method: str) -> None:
        with self._lock:
            self._holding.discard(method.lower())

    @property
    def held(self) -> int:
        """How many calls are waiting unanswered right now."""
        with self._lock:
            return self._held

    def block(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.add(chat_id)

    def shutdown(self) -> None:
        """Answer waiting and later long polls at once, so the server stops quickly."""
        with self._lock:
            self._closing = True
            self._holding.clear()
        self._wake()

    # -- the wire -------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        at, method = time.monotonic(), request.path_params["method"]
        params = await _read_params(request)
        try:
            if request.path_params["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            if method.lower() in self._holding:
                await self._wait_released(method.lower())
                raise _ApiError(502, "Bad Gateway")
            if method.lower() == "getupdates":
                result = await self._get_updates(params)
            else:
                with self._lock:
                    result = self._answer(method.lower(), params)
        except _ApiError as error:
            self._record(Call(method, params, at, error.status))
            return error.response()
        self._record(Call(method, params, at))
        return JSONResponse({"ok": True, "result": result})

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        handler = self._handlers.get(method)
        if handler is None:
            raise _ApiError(404, "Not Found")
        if self._failures.get(method):
            raise self._failures[method].pop(0)
        if method in _CHAT_METHODS and params.get("chat_id") in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return handler(params)

    async def _wait_released(self, method: str) -> None:
        with self._lock:
            self._held += 1
        try:
            while True:
                with self._lock:
                    if method not in self._holding:
                        return
                await asyncio.sleep(0.02)
        finally:
            with self._lock:
                self._held -= 1

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    async def _download(self, request: Request) -> Response:
        path, at = request.path_params["file_path"], time.monotonic()
        with self._lock:
            found = [c for p, c in self._files.values() if p == path]
        status = 401 if request.path_params["token"] != self.token else 200 if found else 404
        self._record(Call("download", {"file_path": path}, at, status))
        return Response(found[0] if status == 200 else b"", status_code=status)

    # -- getUpdates -----------------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        allowed = params.get("allowed_updates") or []
        deadline = time.monotonic() + min(float(params.get("timeout", 0)), self.long_poll_cap)
        loop = asyncio.get_running_loop()
        while True:
            event = asyncio.Event()
            with self._lock:
                if self._failures.get("getupdates"):
                    raise self._failures["getupdates"].pop(0)
                if self._webhook is not None:
                    raise _ApiError(409, _WEBHOOK_CONFLICT)
                if offset > 0:  # confirms every update below it
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                elif offset < 0:  # the last -offset updates; the rest are forgotten
                    self._updates = self._updates[offset:]
                ready = [u for u in self._updates if not allowed or _kind(u) in allowed]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._closing:
                    return ready[: max(1, min(limit, 100))]
                self._waiters.append((loop, event))
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return []
            finally:
                with self._lock:
                    self._waiters.remove((loop, event))

    def _wake(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(event.set)

    # -- methods (called with the lock held) ----------------------------------------------

    def _get_me(self, _: dict[str, Any]) -> dict[str, Any]:
        flags = ("can_join_groups", "can_read_all_group_messages", "supports_inline_queries")
        return {**self.me, **dict.fromkeys(flags, False)}

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return self._new_message(params, {"text": text})

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        photo, caption = params.get("photo"), params.get("caption")
        if isinstance(photo, Upload):
            file_id = f"AgACAgUAAxkBAAI{_digest(photo.content)}"
            self._files[file_id] = (f"photos/{file_id}.jpg", photo.content)
        elif isinstance(photo, str) and photo:
            file_id = photo
        else:
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        if caption is not None and len(caption) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        sizes = [(f"{file_id}-90", 90, 68), (f"{file_id}-320", 320, 240), (file_id, 1280, 960)]
        body: dict[str, Any] = {"photo": [_photo_size(*size) for size in sizes]}
        if caption:
            body["caption"] = caption
        return self._new_message(params, body)

    def _new_message(self, params: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        message_id = 1 + max((m for c, m in self._messages if c == chat_id), default=0)
        message = {
            "message_id": message_id,
            "from": self.me,
            "chat": _chat(chat_id),
            "date": int(time.time()),
            **body,
        }
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        if (chat_id, reply_to) in self._messages:
            message["reply_to_message"] = self._messages[(chat_id, reply_to)]
        if _inline(params.get("reply_markup")):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message_id)] = message
        self._sent.append({**params, "message_id": message_id})
        return dict(message)

    def _stored(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if "inline_message_id" in params:
            return None
        key = (params.get("chat_id"), params.get("message_id"))
        if key not in self._messages:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return self._messages[key]

    def _edit_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message, text = self._stored(params), str(params.get("text", ""))
        if not text.strip():
            raise _ApiError(400, "Bad Request: text must be non-empty")
        if message is None:
            return True
        if "text" not in message:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = params.get("reply_markup") if _inline(params.get("reply_markup")) else None
        if message["text"] == text and message.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        return _edit(message, {"text": text, "reply_markup": markup})

    def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._stored(params)
        if message is None:
            return True
        markup = params.get("reply_markup") if _inline(params.get("reply_markup")) else None
        if message.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        return _edit(message, {"reply_markup": markup})

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id", "")
        if file_id not in self._files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        path, content = self._files[file_id]
        if len(content) > self.max_download:
            raise _ApiError(400, "Bad Request: file is too big")
        unique = _digest(file_id.encode())
        return {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": len(content),
            "file_path": path,
        }

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = dict(params) if params.get("url") else None
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        return True

    def _webhook_info(self, _: dict[str, Any]) -> dict[str, Any]:
        hook = self._webhook or {}
        info = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        return info | {k: hook[k] for k in ("allowed_updates", "max_connections") if k in hook}


@contextmanager
def serve_fake_telegram(token: str) -> Iterator[tuple[FakeTelegram, str]]:
    """Run a :class:`FakeTelegram` on loopback; yields it and its base URL.

    Point PTB at it with ``Bot(token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")``.
    """
    fake = FakeTelegram(token)
    with serve_in_thread(fake.app) as url:
        try:
            yield fake, url
        finally:
            fake.shutdown()


# -- the wire format ---------------------------------------------------------------------


async def _read_params(request: Request) -> dict[str, Any]:
    """The call's parameters as plain values, from the query and a form, multipart or JSON body.

    PTB posts a form whose values are JSON-encoded unless they are strings, so a string
    parameter arrives bare and everything else (ints, bools, reply_markup) as JSON.
    """
    params = {k: _value(k, v) for k, v in request.query_params.multi_items()}
    body, content_type = await request.body(), request.headers.get("content-type", "")
    if content_type.startswith("application/json") and body:
        params.update(json.loads(body))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params.update((k, _value(k, v)) for k, v in parse_qsl(body.decode(), True))
    elif content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is None:
                params[name] = _value(name, content.decode())
            else:
                params[name] = Upload(filename, part.get_content_type(), content)
    return params


def _value(name: str, raw: str) -> Any:
    if name in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # a bare string, e.g. chat_id "@channelname"


def _chat(chat_id: Any) -> dict[str, Any]:
    if isinstance(chat_id, str):
        return {"id": -1_001_000_000_001, "type": "channel", "username": chat_id.lstrip("@")}
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Warga"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": "Grup Uji"}


def _inline(markup: Any) -> bool:
    """Telegram echoes only inline keyboards in the Message it returns."""
    return isinstance(markup, dict) and "inline_keyboard" in markup


def _edit(message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply an edit; an edit without an inline keyboard removes the one there was."""
    message.update({k: v for k, v in changes.items() if v is not None}, edit_date=int(time.time()))
    if changes["reply_markup"] is None:
        message.pop("reply_markup", None)
    return dict(message)


def _photo_size(file_id: str, width: int, height: int) -> dict[str, Any]:
    unique = _digest(file_id.encode())
    return {
        "file_id": file_id,
        "file_unique_id": unique,
        "width": width,
        "height": height,
        "file_size": width * height // 10,
    }


def _kind(update: dict[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]
