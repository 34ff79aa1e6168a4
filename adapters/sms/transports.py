"""How a reply SMS leaves: Kannel's sendsms, Gammu's outbox, or an aggregator's URL.

Every reply is first fitted to the line's ``max_parts`` (GSM-7 when it can be,
UCS-2 when it must; cut at a word with ".." when too long) and recorded in
``sms_outbound``; Kannel's delivery reports update that record.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

import httpx
from sqlalchemy import update
from sqlmodel import col

from adapters.sms.gsm import Encoded, fit, split
from adapters.sms.settings import CHANNEL, SmsSettings
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.settings import Settings
from gateway.storage.engine import transaction
from gateway.storage.models import SmsOutbound
from gateway.tenants import Tenant

if TYPE_CHECKING:
    from adapters.sms.service import SmsChannel

#: Kannel DLR statuses (dlr-mask 31 asks for all of them)
DLR = {1: "delivered", 2: "failed", 4: "buffered", 8: "sent", 16: "failed"}


class Transport(Protocol):
    async def send(self, to: str, text: str, complaint_id: str | None) -> str: ...

    async def aclose(self) -> None: ...


def number_as(e164: str, form: str) -> str:
    digits = e164.lstrip("+")
    if form == "msisdn":
        return digits
    if form == "national" and digits.startswith("62"):
        return "0" + digits[2:]
    return e164


class _Base:
    name = "?"

    def __init__(self, tenant: Tenant, settings: SmsSettings, sms: SmsChannel) -> None:
        self.tenant = tenant
        self.settings = settings
        self.sms = sms

    def encode(self, text: str) -> Encoded:
        return split(fit(text, self.settings.max_parts))

    def record(self, out_id: str, to: str, encoded: Encoded, complaint_id: str | None) -> None:
        now = datetime.now(UTC)
        with transaction(self.sms.factory) as session:
            session.add(
                SmsOutbound(
                    id=out_id,
                    tenant=self.tenant.id,
                    channel=CHANNEL,
                    complaint_id=complaint_id,
                    to_number=to,
                    text="".join(encoded.parts),
                    encoding=encoded.encoding,
                    parts=encoded.count,
                    transport=self.name,
                    status="sending",
                    created_at=now,
                    updated_at=now,
                )
            )

    def mark(
        self, out_id: str, status: str, ref: str | None = None, detail: str | None = None
    ) -> None:
        with transaction(self.sms.factory) as session:
            values: dict[str, Any] = {"status": status, "updated_at": datetime.now(UTC)}
            if ref is not None:
                values["transport_ref"] = ref
            if detail is not None:
                values["detail"] = detail[:300]
            # a delivery report may come before Kannel's answer: it is not overwritten
            session.execute(
                update(SmsOutbound)
                .where(col(SmsOutbound.id) == out_id, col(SmsOutbound.status) == "sending")
                .values(**values)
            )

    async def aclose(self) -> None:
        return None


class KannelTransport(_Base):
    name = "kannel"

    def __init__(
        self, tenant: Tenant, settings: SmsSettings, sms: SmsChannel, base: str | None
    ) -> None:
        super().__init__(tenant, settings, sms)
        self.client = httpx.AsyncClient(timeout=10)
        self.base = base.rstrip("/") if base else None

    async def send(self, to: str, text: str, complaint_id: str | None) -> str:
        s = self.settings
        encoded = self.encode(text)
        out_id = str(uuid.uuid4())
        await asyncio.to_thread(self.record, out_id, to, encoded, complaint_id)
        params: dict[str, Any] = {
            "username": s.sendsms_username,
            "password": self.tenant.secrets["kannel_password"].get_secret_value(),
            "from": s.number,
            "to": number_as(to, "msisdn"),
            "text": "".join(encoded.parts),
            "charset": "UTF-8",
            "coding": 2 if encoded.encoding == "ucs2" else 0,
            "max-messages": encoded.count,
        }
        if s.smsc_id:
            params["smsc"] = s.smsc_id
        if self.base:
            key = self.tenant.secrets["kannel_key"].get_secret_value()
            query = urlencode({"key": key, "out": out_id})
            params["dlr-mask"] = 31
            params["dlr-url"] = (
                f"{self.base}/channels/sms/kannel/{self.tenant.id}/dlr?{query}&status=%d"
            )
        try:
            answer = await self.client.get(str(s.sendsms_url), params=params)
        except httpx.HTTPError as exc:
            await asyncio.to_thread(self.mark, out_id, "failed", detail=type(exc).__name__)
            raise GatewayError(
                ErrorKind.RETRYABLE, f"Kannel sendsms: {type(exc).__name__}"
            ) from None
        body = answer.text.strip()[:200]
        if answer.status_code in (200, 202):
            await asyncio.to_thread(self.mark, out_id, "sent", detail=body)
            return out_id
        await asyncio.to_thread(self.mark, out_id, "failed", detail=f"{answer.status_code} {body}")
        kind = ErrorKind.RETRYABLE if answer.status_code >= 500 else ErrorKind.PERMANENT
        raise GatewayError(kind, f"Kannel sendsms answered {answer.status_code}: {body}")

    async def aclose(self) -> None:
        await self.client.aclose()


class GammuTransport(_Base):
    name = "gammu"

    async def send(self, to: str, text: str, complaint_id: str | None) -> str:
        encoded = self.encode(text)
        out_id = str(uuid.uuid4())
        await asyncio.to_thread(self.record, out_id, to, encoded, complaint_id)
        try:
            db = await asyncio.to_thread(self.sms.gammu, self.sms.lines[self.tenant.id])
            queued = await asyncio.to_thread(db.queue, to, encoded)
        except Exception as exc:  # Gammu's database is away: the notify job retries
            await asyncio.to_thread(self.mark, out_id, "failed", detail=type(exc).__name__)
            raise GatewayError(ErrorKind.RETRYABLE, f"Gammu outbox: {type(exc).__name__}") from None
        # only queued: Gammu's sentitems say later whether it was sent (gammu_poll)
        await asyncio.to_thread(self.mark, out_id, "queued", ref=str(queued))
        return out_id


class HttpTransport(_Base):
    name = "http"

    def __init__(self, tenant: Tenant, settings: SmsSettings, sms: SmsChannel) -> None:
        super().__init__(tenant, settings, sms)
        self.client = httpx.AsyncClient(timeout=10)

    async def send(self, to: str, text: str, complaint_id: str | None) -> str:
        send = self.settings.send
        assert send is not None  # checked when the mapping was loaded
        encoded = self.encode(text)
        out_id = str(uuid.uuid4())
        await asyncio.to_thread(self.record, out_id, to, encoded, complaint_id)
        fields = {
            send.to_field: number_as(to, send.number_format),
            send.text_field: "".join(encoded.parts),
        }
        if send.from_field:
            fields[send.from_field] = self.settings.number
        secret = self.tenant.secrets["sms_http_secret"].get_secret_value()
        if send.format == "json":
            body = json.dumps(fields, ensure_ascii=False).encode()
            content_type = "application/json"
        else:
            body = urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type}
        if self.settings.signature_header:
            digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers[self.settings.signature_header] = digest
        else:
            headers["Authorization"] = f"Bearer {secret}"
        try:
            answer = await self.client.post(send.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            await asyncio.to_thread(self.mark, out_id, "failed", detail=type(exc).__name__)
            raise GatewayError(
                ErrorKind.RETRYABLE, f"SMS aggregator: {type(exc).__name__}"
            ) from None
        if answer.is_success:
            ref = _aggregator_ref(answer)
            await asyncio.to_thread(self.mark, out_id, "sent", ref=ref)
            return out_id
        await asyncio.to_thread(self.mark, out_id, "failed", detail=f"{answer.status_code}")
        kind = (
            ErrorKind.RETRYABLE
            if answer.status_code >= 500 or answer.status_code == 429
            else ErrorKind.PERMANENT
        )
        raise GatewayError(kind, f"SMS aggregator answered {answer.status_code}")

    async def aclose(self) -> None:
        await self.client.aclose()


def _aggregator_ref(answer: httpx.Response) -> str | None:
    try:
        body = answer.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        for key in ("id", "message_id", "messageId", "msgid"):
            if body.get(key) is not None:
                return str(body[key])[:100]
    return None


def make_transport(
    tenant: Tenant, settings: SmsSettings, config: Settings, sms: SmsChannel
) -> Transport:
    if settings.gateway == "kannel":
        return KannelTransport(tenant, settings, sms, settings.callback_url or config.public_url)
    if settings.gateway == "gammu":
        return GammuTransport(tenant, settings, sms)
    return HttpTransport(tenant, settings, sms)


def record_dlr(sms: SmsChannel, tenant: str, out_id: str, status: int) -> bool:
    """A Kannel delivery report: False when the SMS is not ours (or not this tenant's)."""
    state = DLR.get(status, f"dlr-{status}")
    with transaction(sms.factory) as session:
        found = session.get(SmsOutbound, out_id, with_for_update=True)
        if found is None or found.tenant != tenant:
            return False
        if found.status != "delivered" and state != "buffered":  # reports come in any order
            found.status = state
        found.detail = f"dlr {status}"
        found.updated_at = datetime.now(UTC)
    return True
