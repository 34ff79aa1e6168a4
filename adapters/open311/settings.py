"""``settings:`` of a tenant's open311 channel, and finding a jurisdiction's channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gateway.channels import ChannelProblem, channel_settings
from gateway.domain.complaint import REGION_CODE
from gateway.mappings.spec import Channel, TenantSpec

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.tenants import Tenant

CHANNEL = "open311"


class Open311Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: incident dates and filter dates without an offset are read in this zone
    timezone: str = "Asia/Jakarta"
    #: the language of texts when the client's Accept-Language names neither id nor en
    language: Literal["id", "en"] = "id"
    #: hosts whose media_url is sent to the registry as an attachment (subdomains too);
    #: any other media_url is kept in the complaint's text
    media_domains: list[str] = []
    #: the region of requests from this channel (default: the tenant's region_code)
    region_code: str | None = None
    #: shown in the discovery document: who to ask about this endpoint
    contact: str | None = Field(None, max_length=300)
    #: shown in the discovery document: how a client gets an api_key
    key_service: str | None = Field(None, max_length=300)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Makassar)") from None
        return value

    @field_validator("region_code")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not REGION_CODE.match(value):
            raise ValueError("must be a Kemendagri region code such as 18 or 18.71")
        return value

    @field_validator("media_domains")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        return [host.strip().lower().strip(".") for host in value if host.strip()]


def check_channel(channel: Channel, spec: TenantSpec) -> list[ChannelProblem]:
    settings, problems = channel_settings(Open311Settings, channel, "open311")
    if settings is None:
        return problems
    others = [c.id for c in spec.channels if c.type == CHANNEL and c.enabled and c.id != channel.id]
    if others:
        problems.append((("type",), f"one open311 channel per tenant (also: {', '.join(others)})"))
    if not spec.categories:
        problems.append((("type",), "an open311 channel offers the tenant's categories: none"))
    region = settings.region_code
    if region and region != spec.region_code and not region.startswith(spec.region_code + "."):
        problems.append(
            (("settings", "region_code"), f"region {region} is outside {spec.region_code}")
        )
    return problems


def open311_channel(tenant: Tenant) -> Channel | None:
    """The tenant's enabled open311 channel, if it has one."""
    return next((c for c in tenant.spec.channels if c.type == CHANNEL and c.enabled), None)


def jurisdiction(container: Container, jurisdiction_id: str) -> tuple[Tenant, Open311Settings]:
    """The tenant ``jurisdiction_id`` and its channel's settings; LookupError when there is
    no such tenant or it has no enabled open311 channel (the same answer for both)."""
    tenant = container.tenants.get(jurisdiction_id)
    channel = open311_channel(tenant) if tenant is not None else None
    if tenant is None or channel is None:
        raise LookupError(jurisdiction_id)
    return tenant, Open311Settings.model_validate(channel.settings)
