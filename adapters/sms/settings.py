"""``settings:`` of a tenant's sms channel, and the secrets each SMS gateway needs.

Three ways an SMS number reaches the gateway (``gateway:``):

- ``kannel``: Kannel's smsbox calls ``/channels/sms/kannel/{tenant}`` (its
  sms-service get-url) for every SMS; replies go out through Kannel's ``sendsms``
  interface, with delivery reports to ``/channels/sms/kannel/{tenant}/dlr``.
- ``gammu``: Gammu SMSD with a modem writes received SMS into its database; the
  gateway reads new ``inbox`` rows and queues replies in ``outbox``.
- ``http``: an SMS aggregator posts each SMS (form or JSON, field names from the
  mapping's ``fields``) to ``/channels/sms/http/{tenant}/{channel}``, signed or with
  a key; replies are posted to its ``send_url``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.channels import ChannelProblem, channel_settings
from gateway.mappings.spec import Channel, TenantSpec

CHANNEL = "sms"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpSend(_Strict):
    """How to hand a reply to an HTTP aggregator."""

    url: str
    format: Literal["form", "json"] = "form"
    #: the aggregator's names for the destination number, the text and the sender id
    to_field: str = "to"
    text_field: str = "text"
    from_field: str | None = "from"
    #: numbers as the aggregator wants them: +62812... or 62812... or 0812...
    number_format: Literal["e164", "msisdn", "national"] = "msisdn"


class SmsSettings(_Strict):
    gateway: Literal["kannel", "gammu", "http"]
    #: the number or short code citizens send to (the sender id of replies)
    number: str = Field(min_length=2, max_length=20)
    #: a reply is kept to this many SMS parts (cut at a word, marked "..")
    max_parts: int = Field(3, ge=1, le=6)
    timezone: str = "Asia/Jakarta"
    language: Literal["id", "en"] = "id"
    # kannel
    sendsms_url: str | None = None  # http://kannel:13013/cgi-bin/sendsms
    sendsms_username: str | None = None
    smsc_id: str | None = None
    #: where Kannel reaches the gateway, for delivery reports (else GATEWAY_PUBLIC_URL;
    #: neither: no delivery reports)
    callback_url: str | None = None
    # gammu
    poll_seconds: float = Field(2.0, gt=0, le=300)
    #: parts of a long SMS still missing after this long are taken as they are
    multipart_wait_seconds: float = Field(120.0, ge=0)
    # http
    send: HttpSend | None = None
    #: the header carrying hex HMAC-SHA256 of the body (keyed by secrets.sms_http_secret);
    #: without it, the secret is expected in the X-API-Key header
    signature_header: str | None = None

    # secrets (keys of the tenant's `secrets:`) each gateway needs
    def needed_secrets(self) -> list[str]:
        if self.gateway == "kannel":
            return ["kannel_key", "kannel_password"]
        if self.gateway == "gammu":
            return ["gammu_database_url"]
        return ["sms_http_secret"]


def check_channel(channel: Channel, spec: TenantSpec) -> list[ChannelProblem]:
    settings, problems = channel_settings(SmsSettings, channel, "sms")
    if settings is None:
        return problems
    if settings.gateway == "kannel" and not (settings.sendsms_url and settings.sendsms_username):
        problems.append(
            (("settings",), "a kannel sms channel needs sendsms_url and sendsms_username")
        )
    if settings.gateway == "http" and settings.send is None:
        problems.append((("settings",), "an http sms channel needs send: {url: ...}"))
    names = spec.secrets.names()
    for key in settings.needed_secrets():
        if key not in names:
            problems.append(
                (("type",), f"an sms channel on {settings.gateway} needs secrets.{key}")
            )
    return problems
