"""Settings from ``GATEWAY_*`` environment variables (a ``.env`` file is allowed).

Built once by :func:`gateway.bootstrap.load_settings`, never at import time.
Secrets (national tokens, API keys) are named in the tenant mapping files and
read from the environment here; they are never read from mapping files and never
logged (``SecretStr``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_PREFIXES = ("demo-", "changeme", "example", "test-")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/gateway.db"
    mappings_dir: str = "mappings"

    # national registry; unset = the sandbox mounted in-process at /sandbox
    national_url: str | None = None
    national_timeout: float = Field(10.0, gt=0)
    # lean: the gateway's own HTTP/1.1 transport (h11 on asyncio, half the CPU per
    # request); httpx: httpx's default one (also used whenever a proxy is configured)
    national_transport: Literal["lean", "httpx"] = "lean"
    sandbox_step_seconds: float = Field(20.0, ge=0)
    sandbox_db: str = "var/sandbox.db"
    sandbox_archive_rate: float = Field(0.05, ge=0, le=1)
    #: the bearer token of the sandbox's administration (/sandbox/_sandbox/*); unset = a
    #: random one, printed by `gateway serve` at start
    sandbox_admin_token: SecretStr | None = None

    # HTTP surface
    #: where the world reaches this gateway (https://lapor.example.go.id): chat webhooks
    #: are registered under it and attachment links point at it
    public_url: str | None = None
    #: files citizens send (chat photos), served at /attachments/<sha256>
    attachments_dir: str = "var/attachments"
    max_attachment_bytes: int = Field(10 * 1024 * 1024, gt=0)
    #: the Telegram Bot API; a tenant's telegram channel may set its own ``api_url``
    #: (a local Bot API server)
    telegram_api_url: str = "https://api.telegram.org"
    telegram_poll_timeout: float = Field(25.0, ge=0)
    #: the WhatsApp Cloud API (Meta's Graph API) and the version in its paths; a tenant's
    #: whatsapp channel may set its own ``api_url`` and ``api_version``
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = Field("v21.0", pattern=r"^v\d+\.\d+$")
    max_body_bytes: int = Field(1024 * 1024, gt=0)
    #: a multipart body of a route that takes files (web forms, Open311 media); each
    #: file is held to its channel's own limit too
    max_upload_bytes: int = Field(32 * 1024 * 1024, gt=0)
    max_query_bytes: int = Field(8 * 1024, gt=0)  # longer: 414
    max_header_bytes: int = Field(16 * 1024, gt=0)  # all request headers together; more: 431
    #: proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (uvicorn's
    #: forwarded_allow_ips: addresses, networks, or "*"); the rate limits, the console's
    #: sign-in throttle and HSTS use them. None by default (anything on this host could
    #: otherwise pick its own address): behind a proxy, set it to the proxy's address
    forwarded_allow_ips: str = ""
    # rate limits in requests per second with a burst, token buckets in each process
    # (N processes: N x these); 0 = no limit. Generous by default: a ceiling against a
    # runaway client, not a quota (set one for the open internet, e.g. 20/s burst 100)
    # (bench/intake.py's single client reaches ~1,900/s on 2 cores)
    rate_per_client: float = Field(5000.0, ge=0)
    rate_per_client_burst: int = Field(10_000, ge=1)
    rate_per_tenant: float = Field(10_000.0, ge=0)
    rate_per_tenant_burst: int = Field(20_000, ge=1)
    rate_max_clients: int = Field(100_000, ge=1)  # client buckets kept (LRU; idle ones first)
    # public look-ups by a number anyone could count (/track/<id>, a web form's status):
    # per client address, on top of the limits above, new numbers per minute with a
    # burst; looking the same number up again within the hour is free. Numbers not
    # found (404) also take from a stricter bucket: a walker mostly misses. A person
    # checking a complaint never meets these; someone counting upwards always does.
    rate_lookup_per_minute: float = Field(6.0, ge=0)  # 0 = no look-up limit
    rate_lookup_burst: int = Field(20, ge=1)
    rate_lookup_miss_per_minute: float = Field(1.0, ge=0)  # 0 = misses not counted apart
    rate_lookup_miss_burst: int = Field(10, ge=1)
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    # sync engine
    worker_id: str | None = None
    dispatch_interval: float = Field(1.0, gt=0)
    dispatch_batch: int = Field(50, gt=0)
    # per tenant, unless its mapping says otherwise (limits: {concurrency, rate})
    dispatch_concurrency: int = Field(10, gt=0)
    dispatch_rate: float = Field(0.0, ge=0)  # registry requests per second; 0 = no limit
    # per tenant and process: notify jobs being sent to channels at once
    notify_concurrency: int = Field(20, gt=0)
    # dispatching processes share each tenant's limits: each renews a heartbeat every
    # interval; one silent for ttl seconds is dead and its share goes to the others
    heartbeat_interval: float = Field(1.0, gt=0)
    heartbeat_ttl: float = Field(5.0, gt=0)
    circuit_failures: int = Field(5, gt=0)  # consecutive failures that open the circuit
    circuit_cooldown: float = Field(10.0, gt=0)  # seconds before a probe is let through
    lease_seconds: float = Field(60.0, gt=0)
    max_attempts: int = Field(12, gt=0)
    backoff_base: float = Field(2.0, gt=0)
    backoff_max: float = Field(600.0, gt=0)
    pull_interval: float = Field(5.0, gt=0)
    pull_page_size: int = Field(200, gt=0, le=1000)
    singleton_ttl: float = Field(15.0, gt=0)  # the puller's lease; taken over after this

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.env == "production" and self.national_url is None:
            raise ValueError(
                "GATEWAY_NATIONAL_URL must be set in production (the sandbox is for rehearsal)"
            )
        # a lease must outlive any request made under it, or a second worker could
        # take a job over while the first one's request is still in flight
        if self.lease_seconds < 3 * self.national_timeout:
            raise ValueError(
                "GATEWAY_LEASE_SECONDS must be at least 3 x GATEWAY_NATIONAL_TIMEOUT "
                f"({self.lease_seconds} < 3 x {self.national_timeout})"
            )
        if self.heartbeat_ttl < 2 * self.heartbeat_interval:
            raise ValueError(
                "GATEWAY_HEARTBEAT_TTL must be at least 2 x GATEWAY_HEARTBEAT_INTERVAL "
                f"({self.heartbeat_ttl} < 2 x {self.heartbeat_interval})"
            )
        return self


def is_placeholder(secret: SecretStr | str) -> bool:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return len(value) < 12 or value.lower().startswith(PLACEHOLDER_PREFIXES)
