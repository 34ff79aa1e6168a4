"""Every tenant's WhatsApp number in this process, and one HTTP client for them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from adapters.whatsapp.account import WhatsAppAccount, account_of
from adapters.whatsapp.client import WhatsAppClient
from gateway.channels import kept

if TYPE_CHECKING:
    from gateway.bootstrap import Container

KEY = "whatsapp"


class WhatsAppChannel:
    def __init__(self, container: Container) -> None:
        self.container = container
        self._accounts: dict[str, WhatsAppAccount] | None = None
        self._http: httpx.AsyncClient | None = None

    @classmethod
    def of(cls, container: Container) -> WhatsAppChannel:
        return kept(container, KEY, lambda: cls(container))

    @property
    def accounts(self) -> dict[str, WhatsAppAccount]:
        """Each tenant's number (tenants with an enabled whatsapp channel)."""
        if self._accounts is None:
            found = {}
            for tenant in self.container.tenants.values():
                account = account_of(tenant)
                if account is not None:
                    found[tenant.id] = account
            self._accounts = found
        return self._accounts

    def client(self, tenant: str) -> WhatsAppClient:
        """The tenant's Cloud API client (KeyError: no whatsapp channel)."""
        if self._http is None:
            timeout = httpx.Timeout(10.0, connect=5.0)
            self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        settings = self.container.settings
        return WhatsAppClient(
            self.accounts[tenant],
            settings.whatsapp_api_url,
            settings.whatsapp_api_version,
            self._http,
        )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
