"""Configuration of the sandbox registry: storage, accounts, workflow clock, faults."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class FaultConfig(BaseModel):
    """Faults injected into ``/api/v1/*`` (never into ``/_sandbox/*``).

    Each request draws one number: at most one of error, throttle, timeout, reset
    or lost response happens to it, so the rates must add up to at most 1.
    ``lost_response_rate`` applies only to ``POST`` of complaints and comments.
    """

    model_config = ConfigDict(extra="forbid")

    #: added to every request, faulty or not
    latency_ms: Annotated[float, Field(ge=0)] = 0.0
    #: answer 500, 502 or 503; nothing committed
    error_rate: Rate = 0.0
    #: answer 429 with ``Retry-After: retry_after_s`` (whole seconds when it is
    #: whole, else a decimal such as ``0.5``); nothing committed
    throttle_rate: Rate = 0.0
    retry_after_s: Annotated[float, Field(ge=0)] = 1.0
    #: hang ``timeout_s`` seconds (or until the client leaves), then 504; nothing committed
    timeout_rate: Rate = 0.0
    timeout_s: Annotated[float, Field(ge=0)] = 30.0
    #: reset the connection without an answer; nothing committed
    reset_rate: Rate = 0.0
    #: commit the request, then reset the connection: the client never sees the answer
    lost_response_rate: Rate = 0.0
    #: seed of the fault draws; None = a different sequence each run
    seed: int | None = None

    @model_validator(mode="after")
    def _rates_add_up(self) -> FaultConfig:
        total = (
            self.error_rate
            + self.throttle_rate
            + self.timeout_rate
            + self.reset_rate
            + self.lost_response_rate
        )
        if total > 1.0 + 1e-9:
            raise ValueError(f"the fault rates add up to {total:g}, more than 1")
        return self


class SandboxConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: SQLite file (WAL) or ":memory:"
    db_path: str = ":memory:"
    #: bearer token -> account name; None accepts any non-empty token as its own account
    tokens: dict[str, str] | None = None
    #: the bearer token of ``/_sandbox/*`` (see :mod:`gateway.sandbox.admin`); None = a
    #: random one, made at start (``app.state.sandbox.admin_token``)
    admin_token: SecretStr | None = None
    #: seconds between two workflow steps of a complaint; 0 stops the clock (use
    #: ``POST /_sandbox/advance`` to move complaints)
    step_seconds: Annotated[float, Field(ge=0)] = 30.0
    #: share of complaints archived (``diarsipkan``) at verification
    archive_rate: Rate = 0.05
    #: 409 on a second submission of an ``external_ref``; False stores a second copy
    enforce_unique_external_ref: bool = True
    faults: FaultConfig = Field(default_factory=FaultConfig)
    #: seed of tracking IDs and workflow choices; None = different each run
    seed: int | None = None
