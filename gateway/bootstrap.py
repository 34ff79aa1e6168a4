"""The one place where the gateway is wired together.

``gateway serve``, ``gateway worker``, the CLI and the tests all build the
gateway through :func:`build_container`; tests hand in their own settings and
environment through the same door.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from gateway import metrics
from gateway.calendar import IndonesianCalendar
from gateway.domain.sla import SlaPolicy
from gateway.mappings.catalog import Catalogue
from gateway.national.client import HttpRegistryFactory
from gateway.ports import Replier
from gateway.settings import Settings
from gateway.storage import circuits
from gateway.storage.catalogue import synced_catalogue
from gateway.storage.engine import make_engine, make_session_factory
from gateway.storage.intake import utcnow
from gateway.sync.backoff import RetryPolicy
from gateway.sync.dispatcher import Dispatcher
from gateway.sync.limits import CircuitBreaker, LaneLimits, TenantLimits
from gateway.sync.peers import Peers
from gateway.sync.puller import PullStats, StatusPuller
from gateway.sync.scheduler import SyncSchedule
from gateway.tenants import Tenant, load_tenants

SANDBOX_BASE_URL = "http://sandbox.internal"


@dataclass
class Hooks:
    """Where the sync engine reports what it did (metrics); all optional."""

    on_attempt: Callable[[str, str, str, float], None] | None = None
    on_circuit: Callable[[str, str], None] | None = None
    on_pull: Callable[[PullStats], None] | None = None


@dataclass
class Container:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    tenants: dict[str, Tenant]
    registries: HttpRegistryFactory
    calendar: IndonesianCalendar
    owner: str
    repliers: dict[str, Replier] = field(default_factory=dict)
    #: the in-process sandbox app when GATEWAY_NATIONAL_URL is unset
    sandbox: Any | None = None
    #: what the mappings were checked against; routing checks a given topic against it
    catalogue: Catalogue = field(default_factory=Catalogue.unchecked)
    hooks: Hooks = field(default_factory=lambda: Hooks())
    #: what channel adapters keep for the process (a bot per tenant), by channel
    channels: dict[str, Any] = field(default_factory=dict)
    #: each tenant's token bucket and concurrency share, one per process: the
    #: dispatcher and the puller take their tokens from the same buckets
    limits: TenantLimits = field(init=False)

    def __post_init__(self) -> None:
        self.limits = TenantLimits(self.lane_limits())

    def lane_limits(self) -> dict[str, LaneLimits]:
        s = self.settings
        return {
            tenant.id: LaneLimits(
                concurrency=tenant.spec.limits.concurrency or s.dispatch_concurrency,
                rate=s.dispatch_rate
                if tenant.spec.limits.rate is None
                else tenant.spec.limits.rate,
            )
            for tenant in self.tenants.values()
        }

    def dispatcher(self) -> Dispatcher:
        s = self.settings
        return Dispatcher(
            self.factory,
            self.registries,
            self.repliers,
            owner=self.owner,
            calendar=self.calendar,
            limits=self.limits,
            sla=SlaPolicy(),
            policy=RetryPolicy(
                base=s.backoff_base, maximum=s.backoff_max, max_attempts=s.max_attempts
            ),
            lease_seconds=s.lease_seconds,
            request_timeout=s.national_timeout,
            notify_concurrency=s.notify_concurrency,
            circuit_failures=s.circuit_failures,
            circuit_cooldown=s.circuit_cooldown,
            on_attempt=self.hooks.on_attempt,
            on_circuit=self._circuit_changed,
        )

    def puller(self) -> StatusPuller:
        return StatusPuller(
            self.factory,
            self.registries,
            self.tenants,
            calendar=self.calendar,
            page_size=self.settings.pull_page_size,
            limits=self.limits,
        )

    def peers(self) -> Peers:
        s = self.settings
        return Peers(
            self.factory,
            self.owner,
            self.limits,
            interval=s.heartbeat_interval,
            ttl=s.heartbeat_ttl,
        )

    def schedule(self) -> SyncSchedule:
        s = self.settings
        listen = None
        if self.engine.dialect.name == "postgresql":
            listen = self.engine.url.set(drivername="postgresql").render_as_string(
                hide_password=False
            )
        return SyncSchedule(
            self.dispatcher(),
            self.puller(),
            factory=self.factory,
            owner=self.owner,
            pull_interval=s.pull_interval,
            poll_interval=s.dispatch_interval,
            singleton_ttl=s.singleton_ttl,
            peers=self.peers(),
            listen_dsn=listen,
            on_pull=self.hooks.on_pull,
        )

    def _circuit_changed(self, tenant: str, breaker: CircuitBreaker) -> None:
        """Persist the state for operators, off the event loop; never fail the caller."""
        opened = None
        if breaker.opened_at is not None:
            opened = utcnow() - timedelta(seconds=time.monotonic() - breaker.opened_at)
        args = (self.factory, tenant, breaker.state.value, breaker.failures, opened)

        def save() -> None:
            with contextlib.suppress(SQLAlchemyError):
                circuits.save(
                    *args,
                    breaker.last_error,
                    owner=self.owner,
                    stale_after=self.settings.heartbeat_ttl,
                )

        try:
            asyncio.get_running_loop().run_in_executor(None, save)
        except RuntimeError:
            save()
        if self.hooks.on_circuit is not None:
            self.hooks.on_circuit(tenant, breaker.state.value)

    async def aclose(self) -> None:
        for kept in self.channels.values():
            close = getattr(kept, "aclose", None)
            if close is not None:
                await close()
        await self.registries.aclose()
        self.engine.dispose()


def report_pull(stats: PullStats) -> None:
    """The puller's progress as metrics: events and lag per tenant."""
    now = utcnow()
    for tenant, newest in stats.newest_at.items():
        lag = max(0.0, (now - newest).total_seconds())
        metrics.pulled(tenant, stats.events_by_tenant.get(tenant, 0), lag)
    for tenant in stats.caught_up - set(stats.newest_at):
        metrics.pulled(tenant, 0, None)


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


def worker_identity(settings: Settings) -> str:
    if settings.worker_id:
        return settings.worker_id
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def build_container(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    with_sandbox: bool = True,
    catalogue: Catalogue | None = None,
) -> Container:
    if environ is None:
        from dotenv import dotenv_values

        dotenv = {k: v for k, v in dotenv_values(".env").items() if v is not None}
        environ = {**dotenv, **os.environ}
    engine = make_engine(settings.database_url)
    if catalogue is None:  # the registry's catalogue as last synced, else the bundled one
        catalogue = synced_catalogue(make_session_factory(engine)) or Catalogue.bundled()
    try:
        tenants = load_tenants(
            settings.mappings_dir,
            environ,
            production=settings.env == "production",
            catalogue=catalogue,
        )
    except BaseException:
        engine.dispose()
        raise
    tokens = {t.id: t.national_token.get_secret_value() for t in tenants.values()}
    sandbox = None
    transport: httpx.AsyncBaseTransport | None = None
    base_url = settings.national_url
    if base_url is None:
        if not with_sandbox:
            raise RuntimeError(
                "GATEWAY_NATIONAL_URL is not set: point it at the national registry, "
                "or at `gateway sandbox` for a rehearsal"
            )
        from gateway.sandbox.app import create_sandbox_app
        from gateway.sandbox.config import SandboxConfig

        # accounts named by tenant, so the sandbox's admin pages never show a token
        sandbox = create_sandbox_app(
            SandboxConfig(
                db_path=settings.sandbox_db,
                step_seconds=settings.sandbox_step_seconds,
                archive_rate=settings.sandbox_archive_rate,
                tokens={token: tenant for tenant, token in tokens.items()},
                # /sandbox/_sandbox/* needs it (else a random one, printed by `gateway serve`)
                admin_token=settings.sandbox_admin_token,
            )
        )
        transport = httpx.ASGITransport(app=sandbox)
        base_url = SANDBOX_BASE_URL
    registries = HttpRegistryFactory(
        base_url,
        tokens,
        transport=transport,
        timeout=settings.national_timeout,
        on_request=metrics.registry_request,
        lean=settings.national_transport == "lean",
        # files linked relatively (no GATEWAY_PUBLIC_URL) travel inside the submission
        attachments_dir=settings.attachments_dir,
    )
    container = Container(
        settings=settings,
        engine=engine,
        factory=make_session_factory(engine),
        tenants=tenants,
        registries=registries,
        calendar=IndonesianCalendar(),
        owner=worker_identity(settings),
        sandbox=sandbox,
        catalogue=catalogue,
        hooks=Hooks(on_attempt=metrics.attempt, on_circuit=metrics.circuit, on_pull=report_pull),
    )
    from adapters.registry import all_adapters

    for adapter in all_adapters():
        if adapter.make_replier is not None:
            container.repliers[adapter.channel] = adapter.make_replier(container)
    from adapters.api.reply import LoggingReplier

    container.repliers.setdefault("*", LoggingReplier())
    return container


@retry(
    retry=retry_if_exception_type(Exception),
    wait=wait_exponential(multiplier=0.5, max=5),
    stop=stop_after_delay(60),
    reraise=True,
)
def wait_for_database(engine: Engine) -> None:
    """Block until the database answers (a worker may start before PostgreSQL)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
