"""A thin Cloud API client on httpx: text, reply buttons, lists, templates, media.

Paths (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages and
.../reference/media): ``POST {base}/{version}/{phone_number_id}/messages`` sends,
``GET {base}/{version}/{media_id}`` gives a media's short-lived URL, which is then
fetched with the same bearer token. ``base`` is GATEWAY_WHATSAPP_API_URL (or the
channel's ``api_url``), so tests point it at a fake. Every failure is a
:class:`~adapters.whatsapp.errors.CloudApiError` that says whether to retry; the
client never sleeps or retries itself (the outbox does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from adapters.whatsapp.account import WhatsAppAccount
from adapters.whatsapp.errors import CloudApiError, classify, transport_error
from gateway.domain.errors import ErrorKind

MAX_BUTTONS = 3  # reply buttons of one message
MAX_ROWS = 10  # rows of a list, over all its sections
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
TEXT = 4096
INTERACTIVE_BODY = 1024


@dataclass(frozen=True)
class Sent:
    message_id: str  # wamid...: the statuses of this message carry it
    wa_id: str | None  # the recipient as WhatsApp knows them


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class MediaFile:
    content: bytes
    mime_type: str | None
    sha256: str | None


class WhatsAppClient:
    """One tenant's number. ``http`` is shared and closed by its owner."""

    def __init__(
        self, account: WhatsAppAccount, base_url: str, version: str, http: httpx.AsyncClient
    ) -> None:
        self.account = account
        self.base = f"{(account.settings.api_url or base_url).rstrip('/')}/"
        self.version = account.settings.api_version or version
        self.http = http

    # --- sending ----------------------------------------------------------------------

    async def send_text(self, to: str, text: str, *, reply_to: str | None = None) -> Sent:
        body: dict[str, Any] = {"type": "text", "text": {"body": text[:TEXT], "preview_url": False}}
        return await self._send(to, body, reply_to)

    async def send_buttons(
        self, to: str, text: str, buttons: list[tuple[str, str]], *, reply_to: str | None = None
    ) -> Sent:
        """Up to 3 reply buttons, each ``(id, title)`` (titles cut to 20 characters)."""
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            raise _refused(f"reply buttons: 1 to {MAX_BUTTONS}, not {len(buttons)}")
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": bid[:256], "title": title[:BUTTON_TITLE]}}
                for bid, title in buttons
            ]
        }
        interactive = {
            "type": "button",
            "body": {"text": text[:INTERACTIVE_BODY]},
            "action": action,
        }
        return await self._send(to, {"type": "interactive", "interactive": interactive}, reply_to)

    async def send_list(
        self, to: str, text: str, button: str, rows: list[Row], *, section: str | None = None
    ) -> Sent:
        """A list of up to 10 rows behind one button labelled ``button``."""
        if not 1 <= len(rows) <= MAX_ROWS:
            raise _refused(f"list rows: 1 to {MAX_ROWS}, not {len(rows)}")
        items = []
        for row in rows:
            item = {"id": row.id[:200], "title": row.title[:ROW_TITLE]}
            if row.description:
                item["description"] = row.description[:ROW_DESCRIPTION]
            items.append(item)
        sec: dict[str, Any] = {"rows": items}
        if section:
            sec["title"] = section[:ROW_TITLE]
        interactive = {
            "type": "list",
            "body": {"text": text[:INTERACTIVE_BODY]},
            "action": {"button": button[:BUTTON_TITLE], "sections": [sec]},
        }
        return await self._send(to, {"type": "interactive", "interactive": interactive}, None)

    async def send_template(
        self, to: str, name: str, language: str, parameters: list[str] | None = None
    ) -> Sent:
        """An approved template (the only thing allowed outside the 24-hour window),
        its body's ``{{1}}``, ``{{2}}``... filled in order."""
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if parameters:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
            ]
        return await self._send(to, {"type": "template", "template": template}, None)

    async def _send(self, to: str, body: dict[str, Any], reply_to: str | None) -> Sent:
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            **body,
        }
        if reply_to:
            payload["context"] = {"message_id": reply_to}
        url = f"{self.base}{self.version}/{self.account.phone_number_id}/messages"
        answer = await self._call("POST", url, json=payload, ambiguous=True)
        data = _json(answer)
        messages = data.get("messages") if isinstance(data, dict) else None
        if not (isinstance(messages, list) and messages and isinstance(messages[0], dict)):
            raise CloudApiError(
                ErrorKind.RETRYABLE,
                "WhatsApp Cloud API: no message id in the answer",
                ambiguous=True,
            )
        contacts = data.get("contacts") or [{}]
        wa_id = contacts[0].get("wa_id") if isinstance(contacts[0], dict) else None
        return Sent(str(messages[0].get("id")), wa_id if isinstance(wa_id, str) else None)

    # --- media ------------------------------------------------------------------------

    async def media_url(self, media_id: str) -> tuple[str, str | None, str | None]:
        """The media's short-lived URL, its MIME type and SHA-256."""
        answer = await self._call("GET", f"{self.base}{self.version}/{media_id}", ambiguous=False)
        data = _json(answer)
        url = data.get("url") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise CloudApiError(ErrorKind.PERMANENT, "WhatsApp Cloud API: the media has no URL")
        return url, data.get("mime_type"), data.get("sha256")

    async def download(self, media_id: str, max_bytes: int) -> MediaFile:
        """The media's bytes (at most ``max_bytes``: a larger one is refused)."""
        url, mime, sha = await self.media_url(media_id)
        try:
            async with self.http.stream("GET", url, headers=self._auth()) as answer:
                if answer.status_code != 200:
                    await answer.aread()
                    raise classify(answer.status_code, _json(answer))
                chunks, size = [], 0
                async for chunk in answer.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise CloudApiError(
                            ErrorKind.PERMANENT, f"WhatsApp media larger than {max_bytes} bytes"
                        )
                    chunks.append(chunk)
        except httpx.TimeoutException:
            raise transport_error("media download timed out", ambiguous=False) from None
        except httpx.TransportError as exc:
            raise transport_error(type(exc).__name__, ambiguous=False) from None
        return MediaFile(b"".join(chunks), answer.headers.get("content-type") or mime, sha)

    # --- the wire ---------------------------------------------------------------------

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.access_token}"}

    async def _call(
        self, method: str, url: str, *, ambiguous: bool, json: Any = None
    ) -> httpx.Response:
        try:
            answer = await self.http.request(method, url, json=json, headers=self._auth())
        except httpx.TimeoutException:
            raise transport_error("timed out", ambiguous=ambiguous) from None
        except httpx.ConnectError:
            raise transport_error("cannot connect", ambiguous=False) from None
        except httpx.TransportError as exc:
            raise transport_error(type(exc).__name__, ambiguous=ambiguous) from None
        if answer.status_code >= 300:
            raise classify(answer.status_code, _json(answer))
        return answer


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _refused(message: str) -> CloudApiError:
    return CloudApiError(ErrorKind.PERMANENT, f"WhatsApp: {message}")
