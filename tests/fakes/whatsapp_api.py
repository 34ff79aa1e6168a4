"""A local fake of the WhatsApp Cloud API (Meta's Graph API), served over loopback.

It answers ``POST /{version}/{phone_number_id}/messages`` as the real API does
(``{"messaging_product": "whatsapp", "contacts": [...], "messages": [{"id": "wamid..."}]}``)
and records what was sent; ``GET /{version}/{media_id}`` gives a media's URL on this
server, which answers the bytes to the same bearer token. Failures are scripted with
the real error body (``{"error": {"message", "type", "code", "error_subcode",
"error_data": {"messaging_product", "details"}, "fbtrace_id"}}``). The module also
builds webhook deliveries of every message type and of statuses, and posts them
signed (or wrongly signed) to a gateway.

What it does not model: the 24-hour window (script a 131047 instead), per-number
throughput (script 130429), template approval beyond "known name and parameter count",
and uploads.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.whatsapp.signature import HEADER, sign
from tests.support import serve_in_thread

VERSION = "v21.0"
_ids = count(1)


@dataclass(frozen=True)
class Failure:
    code: int
    http_status: int = 400
    message: str = ""
    details: str = "scripted failure"
    type: str = "OAuthException"


class FakeWhatsApp:
    """One phone number's API: what was sent, and what it will answer next."""

    def __init__(self, token: str, phone_number_id: str) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self._lock = threading.Lock()
        self._sent: list[dict[str, Any]] = []
        self._failures: list[Failure] = []
        self._stalls = 0
        self._media: dict[str, tuple[bytes, str]] = {}
        self._templates: dict[str, int] = {}  # name -> body parameters
        self.media_fetches = 0
        self._release = threading.Event()
        self.app = Starlette(
            routes=[
                Route("/{version}/{phone}/messages", self._messages, methods=["POST"]),
                Route("/_media/{media_id}", self._download, methods=["GET"]),
                Route("/{version}/{media_id}", self._media_url, methods=["GET"]),
            ]
        )

    # --- scripting ----------------------------------------------------------------------

    def fail_next(
        self, code: int, http_status: int = 400, message: str = "", times: int = 1
    ) -> None:
        """The next ``times`` sends fail with Meta's ``code``."""
        with self._lock:
            self._failures.extend([Failure(code, http_status, message)] * times)

    def stall_next(self) -> None:
        """The next send never answers (until the fake stops): a client's timeout."""
        with self._lock:
            self._stalls += 1

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        with self._lock:
            self._media[media_id] = (content, mime_type)

    def add_template(self, name: str, parameters: int) -> None:
        with self._lock:
            self._templates[name] = parameters

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        """Messages accepted (each with its ``id``), oldest first; ``to``: to one wa_id."""
        with self._lock:
            return [m for m in self._sent if to is None or m["to"] == to]

    def shutdown(self) -> None:
        self._release.set()

    # --- the API ------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def _messages(self, request: Request) -> Response:
        if not self._authorized(request):
            return error(401, 190, "Error validating access token", "OAuthException")
        if request.path_params["phone"] != self.phone_number_id:
            return error(
                400, 100, "Unsupported post request. Object does not exist", "GraphMethodException"
            )
        try:
            body = json.loads(await request.body())
        except ValueError:
            return error(400, 100, "Invalid parameter")
        with self._lock:
            stall = self._stalls > 0
            self._stalls -= stall
            failure = self._failures.pop(0) if self._failures and not stall else None
        if stall:
            await asyncio.to_thread(self._release.wait, 60)
            return error(500, 2, "Service temporarily unavailable")
        if failure is not None:
            return error(
                failure.http_status,
                failure.code,
                failure.message or f"scripted {failure.code}",
                failure.type,
            )
        refused = self._refused(body)
        if refused is not None:
            return refused
        to = str(body["to"])
        wamid = f"wamid.FAKE{next(_ids):012d}"
        with self._lock:
            self._sent.append({**body, "id": wamid})
        message: dict[str, Any] = {"id": wamid}
        if body.get("type") == "template":
            message["message_status"] = "accepted"
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                "messages": [message],
            }
        )

    def _refused(self, body: Any) -> Response | None:
        """What the real API refuses of a message's shape (the checks we rely on)."""
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return error(400, 100, "The parameter messaging_product is required.")
        if not body.get("to"):
            return error(400, 100, "The parameter to is required.")
        kind = body.get("type", "text")
        if kind not in ("text", "interactive", "template", "image", "document", "reaction"):
            return error(400, 131051, "Unsupported message type")
        if kind == "interactive":
            inner = body.get("interactive") or {}
            action = inner.get("action") or {}
            if inner.get("type") == "button" and not 1 <= len(action.get("buttons") or []) <= 3:
                return error(400, 131009, "Parameter value is not valid", details="buttons: 1 to 3")
            rows = sum(len(s.get("rows") or []) for s in action.get("sections") or [])
            if inner.get("type") == "list" and not 1 <= rows <= 10:
                return error(400, 131009, "Parameter value is not valid", details="rows: 1 to 10")
        if kind == "template":
            template = body.get("template") or {}
            with self._lock:
                wanted = self._templates.get(template.get("name"))
            if wanted is None:
                return error(404, 132001, "Template name does not exist in the translation")
            given = sum(len(c.get("parameters") or []) for c in template.get("components") or [])
            if given != wanted:
                return error(
                    400, 132000, "Number of parameters does not match the expected number of params"
                )
        return None

    async def _media_url(self, request: Request) -> Response:
        if not self._authorized(request):
            return error(401, 190, "Error validating access token", "OAuthException")
        media_id = request.path_params["media_id"]
        with self._lock:
            found = self._media.get(media_id)
        if found is None:
            return error(
                400,
                100,
                f"Unsupported get request. Object with ID '{media_id}' does not exist",
                "GraphMethodException",
            )
        content, mime = found
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": f"{str(request.base_url).rstrip('/')}/_media/{media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": len(content),
                "id": media_id,
            }
        )

    async def _download(self, request: Request) -> Response:
        if not self._authorized(request):
            return Response(status_code=401)
        with self._lock:
            found = self._media.get(request.path_params["media_id"])
            self.media_fetches += 1
        if found is None:
            return Response(status_code=404)
        return Response(found[0], media_type=found[1])


def error(
    http_status: int,
    code: int,
    message: str,
    type: str = "OAuthException",
    details: str | None = None,
) -> JSONResponse:
    """The Graph API's error body."""
    body = {
        "error": {
            "message": f"(#{code}) {message}",
            "type": type,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": f"Afake{next(_ids):08d}",
        }
    }
    return JSONResponse(body, status_code=http_status)


@contextmanager
def serve_fake_whatsapp(token: str, phone_number_id: str) -> Iterator[tuple[FakeWhatsApp, str]]:
    """Run a :class:`FakeWhatsApp` on loopback; yields it and its base URL (the
    gateway's ``whatsapp_api_url``)."""
    fake = FakeWhatsApp(token, phone_number_id)
    with serve_in_thread(fake.app) as url:
        try:
            yield fake, url
        finally:
            fake.shutdown()


# -- webhook deliveries -------------------------------------------------------------------


def _message(
    kind: str, sender: str, body: dict[str, Any], message_id: str | None = None
) -> dict[str, Any]:
    return {
        "from": sender,
        "id": message_id or f"wamid.IN{next(_ids):012d}",
        "timestamp": "1774000000",
        "type": kind,
        **body,
    }


def text(sender: str, body: str, message_id: str | None = None) -> dict[str, Any]:
    return _message("text", sender, {"text": {"body": body}}, message_id)


def media(sender: str, kind: str, media_id: str, mime: str, **extra: Any) -> dict[str, Any]:
    """image, document, audio, video or sticker (``caption``, ``filename``, ``voice``)."""
    return _message(
        kind, sender, {kind: {"id": media_id, "mime_type": mime, "sha256": "x" * 44, **extra}}
    )


def location(
    sender: str, lat: float, lon: float, name: str | None = None, address: str | None = None
) -> dict[str, Any]:
    place: dict[str, Any] = {"latitude": lat, "longitude": lon}
    if name:
        place.update(name=name, address=address)
    return _message("location", sender, {"location": place})


def contacts(sender: str, name: str, phone: str) -> dict[str, Any]:
    card = {
        "name": {"formatted_name": name, "first_name": name},
        "phones": [{"phone": phone, "type": "CELL"}],
    }
    return _message("contacts", sender, {"contacts": [card]})


def button_reply(
    sender: str, reply_id: str, title: str, context: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    }
    if context:
        body["context"] = {"from": "6281100000000", "id": context}
    return _message("interactive", sender, body)


def list_reply(sender: str, reply_id: str, title: str) -> dict[str, Any]:
    chosen = {"id": reply_id, "title": title, "description": "pilihan"}
    return _message(
        "interactive", sender, {"interactive": {"type": "list_reply", "list_reply": chosen}}
    )


def quick_reply(sender: str, payload: str, label: str) -> dict[str, Any]:
    """A template's quick reply button."""
    return _message("button", sender, {"button": {"payload": payload, "text": label}})


def reaction(sender: str, about: str, emoji: str | None = "\U0001f44d") -> dict[str, Any]:
    react: dict[str, Any] = {"message_id": about}
    if emoji is not None:
        react["emoji"] = emoji
    return _message("reaction", sender, {"reaction": react})


def unsupported(sender: str) -> dict[str, Any]:
    errors = [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown"}]
    return _message("unsupported", sender, {"errors": errors})


def status(
    message_id: str, state: str, recipient: str, error_code: int | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": message_id,
        "status": state,
        "timestamp": "1774000100",
        "recipient_id": recipient,
    }
    if error_code is not None:
        found["errors"] = [
            {"code": error_code, "title": f"error {error_code}", "error_data": {"details": "x"}}
        ]
    return found


def delivery(
    phone_number_id: str,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    name: str = "Warga",
) -> dict[str, Any]:
    """A webhook delivery of the number's ``messages`` and ``statuses``."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": phone_number_id},
    }
    messages, statuses = messages or [], statuses or []
    senders = sorted({m["from"] for m in messages})
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": s} for s in senders]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    change = {"field": "messages", "value": value}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [change]}],
    }


def post_delivery(
    http: httpx.Client,
    path: str,
    body: dict[str, Any] | bytes,
    app_secret: str | None,
    *,
    header: str | None = None,
) -> httpx.Response:
    """POST a delivery to the gateway's ``path``, signed with ``app_secret`` (None: no
    signature header), or with ``header`` as the signature when given."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[HEADER] = header
    elif app_secret is not None:
        headers[HEADER] = sign(raw, app_secret)
    return http.post(path, content=raw, headers=headers)
