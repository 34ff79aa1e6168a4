"""A tenant's WhatsApp number: its mapping settings and the secrets its mapping names.

The mapping's ``secrets:`` name four environment variables (never the values):

- ``whatsapp_phone_number_id``: the number's id in the Graph API (not the number);
- ``whatsapp_access_token``: a system user's permanent token with
  ``whatsapp_business_messaging``;
- ``whatsapp_app_secret``: the Meta app's secret, which signs every webhook delivery
  (``X-Hub-Signature-256``);
- ``whatsapp_verify_token``: what the gateway expects in Meta's verification request
  (``hub.verify_token``), chosen by the tenant when it sets the callback URL.

Its ``settings.templates`` name the approved templates a status change (``status``)
and an agency's response (``response``) go out as when the citizen's last message is
24 hours old or more: each its name, its language code per citizen language (``id``,
``en``) and its body's parameters in order, from the values a reply text has
(:data:`TEMPLATE_VALUES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from gateway.channels import ChannelProblem, channel_settings
from gateway.mappings.spec import Channel, TenantSpec
from gateway.tenants import MappingError, Tenant

CHANNEL = "whatsapp"
SECRETS = (
    "whatsapp_phone_number_id",
    "whatsapp_access_token",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
)


#: what a template's ``{{1}}``, ``{{2}}``... may be filled with (a reply text's values)
TemplateValue = Literal[
    "tracking_id", "status", "agency", "response", "due_date", "title", "reason", "ref"
]
TEMPLATE_VALUES: tuple[str, ...] = get_args(TemplateValue)
#: a template's language code as Meta spells it: ``id``, ``en``, ``en_US``
LANGUAGE_CODE = r"^[a-z]{2,3}(_[A-Z]{2})?$"


class TemplateLanguages(BaseModel):
    """The template's language code for a citizen who reads Indonesian, and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=LANGUAGE_CODE)
    en: str = Field(pattern=LANGUAGE_CODE)

    def code(self, language: str) -> str:
        return self.en if language == "en" else self.id


class Template(BaseModel):
    """One approved template: its name in WhatsApp Manager, its language codes, and
    the values of its body's parameters, in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Meta allows lowercase letters, digits and underscores
    name: str = Field(pattern=r"^[a-z0-9_]+$", max_length=512)
    language: TemplateLanguages
    parameters: tuple[TemplateValue, ...] = ()


class Templates(BaseModel):
    """What goes out outside the 24-hour window: a status change, an agency's response."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Template
    response: Template


class WhatsAppSettings(BaseModel):
    """``settings:`` of a tenant's whatsapp channel in its mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: another Graph API address than GATEWAY_WHATSAPP_API_URL (a proxy, a test fake)
    api_url: str | None = None
    #: the Graph API version in every path, e.g. ``v21.0``
    api_version: str | None = Field(None, pattern=r"^v\d+\.\d+$")
    timezone: str = "Asia/Jakarta"
    #: the approved templates outside the 24-hour window; without them a status change
    #: then cannot be sent (the notification fails, naming this setting)
    templates: Templates | None = None


@dataclass(frozen=True)
class WhatsAppAccount:
    """What the webhook and the client need of one tenant's number."""

    tenant: str
    settings: WhatsAppSettings
    phone_number_id: str
    access_token: str
    app_secret: str
    verify_token: str

    def __repr__(self) -> str:  # never the token or the secrets
        return f"WhatsAppAccount(tenant={self.tenant!r})"


def whatsapp_channel(tenant: Tenant) -> Channel | None:
    for channel in tenant.spec.channels:
        if channel.type == CHANNEL and channel.enabled:
            return channel
    return None


def account_of(tenant: Tenant) -> WhatsAppAccount | None:
    """The tenant's number, or None when its mapping has no enabled whatsapp channel."""
    channel = whatsapp_channel(tenant)
    if channel is None:
        return None
    settings = WhatsAppSettings.model_validate(channel.settings)  # checked at load
    values = [tenant.secrets.get(key) for key in SECRETS]
    if any(value is None for value in values):
        raise MappingError([f"{tenant.source}: channels.{channel.id}: its secrets are not set"])
    phone, token, secret, verify = (v.get_secret_value() for v in values if v is not None)
    return WhatsAppAccount(tenant.id, settings, phone, token, secret, verify)


def check_channel(channel: Channel, spec: TenantSpec) -> list[ChannelProblem]:
    """A whatsapp channel's ``settings`` and the secrets it needs, for ``mappings check``."""
    _, problems = channel_settings(WhatsAppSettings, channel, "whatsapp")
    names = spec.secrets.names()
    for key in SECRETS:
        if key not in names:
            problems.append(
                (("type",), f"a whatsapp channel needs secrets.{key}: the NAME of an env var")
            )
    return problems
