"""Meta's webhook signature: ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of
the raw body keyed with the app secret
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads)."""

from __future__ import annotations

import hashlib
import hmac

from gateway.api.deps import same_secret

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header's value for ``body``."""
    return PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """``header`` signs ``body`` with ``app_secret``, compared in constant time."""
    if not header or not app_secret or not header.startswith(PREFIX):
        return False
    given = header[len(PREFIX) :].strip().lower()
    return same_secret(given, sign(body, app_secret)[len(PREFIX) :])
