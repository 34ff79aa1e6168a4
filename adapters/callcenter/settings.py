"""``settings:`` of a tenant's callcenter channel.

The channel's ``fields`` name the call-centre system's own column for each canonical
field (``source_ref: ticket_no``, ``content: notes``, ...): the same names serve the
push API's JSON, the exported files and the lookup.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.channels import ChannelProblem, channel_settings
from gateway.mappings.spec import Channel, TenantSpec

CHANNEL = "callcenter"


class CallcenterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "Asia/Jakarta"
    #: CSV exports: None = detect (";" or "," or tab); encoding None = detect
    #: (UTF-8 with or without BOM, else Windows-1252)
    csv_delimiter: str | None = None
    encoding: str | None = None
    #: how the export writes incident dates, tried before the Indonesian forms
    #: ("12/07/2023 14.05", "12 Juli 2023", "2023-07-12")
    date_format: str | None = None
    #: cells meaning "yes" in boolean columns (confidential, anonymous)
    true_values: list[str] = ["1", "y", "ya", "yes", "true", "benar", "rahasia"]
    #: tickets pushed or imported per transaction
    batch_size: int = Field(2000, ge=1, le=10_000)
    #: where each status change is posted (signed with secrets.callcenter_callback_secret)
    callback_url: str | None = None
    #: a folder the call-centre system drops nightly exports into (``--watch``)
    drop_folder: str | None = None
    language: Literal["id", "en"] = "id"


def check_channel(channel: Channel, spec: TenantSpec) -> list[ChannelProblem]:
    settings, problems = channel_settings(CallcenterSettings, channel, "callcenter")
    if settings is None:
        return problems
    for needed in ("source_ref", "content"):
        if needed not in channel.fields:
            problems.append((("fields",), f"a callcenter channel needs fields.{needed}"))
    if settings.callback_url and "callcenter_callback_secret" not in spec.secrets.names():
        problems.append(
            (("settings", "callback_url"), "a callback needs secrets.callcenter_callback_secret")
        )
    return problems
