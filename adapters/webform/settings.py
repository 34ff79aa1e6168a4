"""``settings:`` of a tenant's webform channel: how submissions arrive and go back."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.channels import ChannelProblem, channel_settings
from gateway.mappings.spec import Channel, TenantSpec

CHANNEL = "webform"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PullSql(_Strict):
    """Read new rows of the portal's own table (any SQLAlchemy URL)."""

    kind: Literal["sql"] = "sql"
    #: key in the tenant's `secrets` naming the env var with the database URL
    database_secret: str
    table: str
    #: an increasing id, or an updated-at column (rows changed since are read again)
    cursor_column: str
    cursor_kind: Literal["id", "updated_at"] = "id"
    batch: int = Field(200, ge=1, le=5000)
    #: write each national status back into this column of the row (optional)
    status_column: str | None = None
    #: the tracking ID written back too (optional)
    tracking_column: str | None = None
    #: why a row did not go through (kept by the gateway, or refused by the registry),
    #: written back with status "quarantined" or "failed" (optional)
    reason_column: str | None = None
    #: every poll also re-reads rows changed this long before the cursor (updated_at)
    lookback_seconds: int = Field(300, ge=0, le=86400)
    #: ... and the rows of the last this-many keys below the highest read
    lookback_ids: int = Field(200, ge=0, le=100_000)
    #: a key below the highest read that has not appeared is re-checked this long, then
    #: given up (an operator is told: the quarantined inputs page and a metric)
    gap_horizon_seconds: int = Field(3600, ge=60, le=7 * 86400)


class PullRest(_Strict):
    """Page through the portal's JSON endpoint (``GET url?<cursor_param>=<cursor>``)."""

    kind: Literal["rest"] = "rest"
    url: str
    #: key in `secrets` naming the env var with a bearer token (optional)
    token_secret: str | None = None
    cursor_param: str = "since_id"
    limit_param: str = "limit"
    #: where the list is in the answer ("data" for {"data": [...]}; "" for a bare list)
    items_path: str = "data"
    cursor_field: str = "id"
    batch: int = Field(100, ge=1, le=1000)
    #: every poll also re-reads from this many ids below the highest read
    lookback_ids: int = Field(200, ge=0, le=100_000)
    #: an id below the highest read that has not appeared is re-checked this long
    gap_horizon_seconds: int = Field(3600, ge=60, le=7 * 86400)


class WebformSettings(_Strict):
    timezone: str = "Asia/Jakarta"
    language: Literal["id", "en"] = "id"
    date_format: str | None = None
    true_values: list[str] = ["1", "y", "ya", "yes", "true", "on", "benar"]
    #: push authentication: HMAC of "<timestamp>.<body>" with secrets.webhook_secret,
    #: or the secret itself in X-API-Key
    auth: Literal["hmac", "api_key"] = "hmac"
    signature_header: str = "X-Signature"
    timestamp_header: str = "X-Timestamp"
    signature_algorithm: Literal["hmac-sha256"] = "hmac-sha256"
    #: a signed request older (or newer) than this is refused as a replay
    max_skew_seconds: int = Field(300, ge=30, le=3600)
    #: the form's field holding attachments: URLs (JSON) or files (multipart)
    attachments_field: str = "lampiran"
    max_attachments: int = Field(5, ge=0, le=20)
    max_attachment_bytes: int = Field(5 * 1024 * 1024, gt=0)
    allowed_types: list[str] = ["image/jpeg", "image/png", "application/pdf"]
    pull: Annotated[PullSql | PullRest, Field(discriminator="kind")] | None = None
    poll_seconds: float = Field(30.0, gt=0, le=3600)
    #: each status change posted, signed like the push, to the portal
    callback_url: str | None = None
    #: the public status page of a submission: the submission number is the portal's
    #: own (often counted upwards), so a push's ``status_url`` also carries a token
    #: nobody can guess (``?token=``, an HMAC of the number with secrets.webhook_secret;
    #: the portal can compute it too). False: the number alone still answers (links
    #: handed out before keep working; the look-up rate limits hold walkers back);
    #: true: only the number with its token answers, anything else is 404
    status_token_required: bool = False


def check_channel(channel: Channel, spec: TenantSpec) -> list[ChannelProblem]:
    settings, problems = channel_settings(WebformSettings, channel, "webform")
    if settings is None:
        return problems
    names = spec.secrets.names()
    if "webhook_secret" not in names:
        problems.append((("type",), "a webform channel needs secrets.webhook_secret"))
    for needed in ("source_ref", "content"):
        if needed not in channel.fields:
            problems.append((("fields",), f"a webform channel needs fields.{needed}"))
    pull = settings.pull
    if isinstance(pull, PullSql) and pull.database_secret not in names:
        problems.append(
            (("settings", "pull", "database_secret"), f"no secret {pull.database_secret!r}")
        )
    if isinstance(pull, PullRest) and pull.token_secret and pull.token_secret not in names:
        problems.append((("settings", "pull", "token_secret"), f"no secret {pull.token_secret!r}"))
    return problems
