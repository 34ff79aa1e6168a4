"""The token of the sandbox's administration (``/_sandbox/*``).

The administration lists every account's complaints, moves them through the national
workflow and injects faults, so it answers only a request carrying
``Authorization: Bearer <admin token>``; ``/_sandbox/health`` (a readiness probe that
shows nothing of any account) stays open. The token is ``GATEWAY_SANDBOX_ADMIN_TOKEN``
when set, else a random one made at start, which ``gateway serve`` (the sandbox
mounted at ``/sandbox``) and ``gateway sandbox`` print once on the console.

The check runs on the raw ASGI request, before any body is read or validated, so a
request without the token learns nothing but the 401.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Scope

from gateway.api.deps import same_secret

#: the environment variable that fixes the admin token (else it is new at every start)
ADMIN_TOKEN_ENV = "GATEWAY_SANDBOX_ADMIN_TOKEN"  # noqa: S105 (its name, not its value)
ADMIN_PREFIX = "/_sandbox"
#: administration paths open without the token
OPEN_PATHS = frozenset({"/_sandbox/health"})
_REALM = 'Bearer realm="sp4n-lapor-sandbox-admin"'


def new_admin_token() -> str:
    """A random admin token (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


def needs_admin_token(path: str) -> bool:
    """``path`` (inside the sandbox app) is administration that needs the token."""
    is_admin = path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")
    return is_admin and path not in OPEN_PATHS


def carries_admin_token(scope: Scope, token: str) -> bool:
    """The request's ``Authorization`` is ``Bearer <token>`` (compared in constant time)."""
    scheme, _, given = (Headers(scope=scope).get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and same_secret(given.strip(), token)


def refusal() -> JSONResponse:
    """401 in the sandbox's error shape: Bahasa Indonesia first, English beside it."""
    body = {
        "error": "unauthorized",
        "message": (
            "Token admin sandbox tidak ada atau salah: kirim 'Authorization: Bearer <token>' "
            f"dengan token yang dicetak saat sandbox mulai, atau nilai {ADMIN_TOKEN_ENV}."
        ),
        "message_en": (
            "Missing or wrong sandbox admin token: send 'Authorization: Bearer <token>' "
            f"with the token printed when the sandbox started, or the value of {ADMIN_TOKEN_ENV}."
        ),
    }
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": _REALM})


def announcement(token: str, admin_url: str, from_environment: bool) -> str:
    """What the console shows at start: the token (unless it came from the environment)
    and how to send it, in Bahasa Indonesia then English."""
    shown = "<token>" if from_environment else token
    usage = (
        f"  {admin_url}/* (kecuali /health; except /health) perlu/needs "
        "'Authorization: Bearer <token>'\n"
        f'  contoh/example: curl -H "Authorization: Bearer {shown}" {admin_url}/complaints'
    )
    if from_environment:
        return (
            f"Token admin sandbox diambil dari {ADMIN_TOKEN_ENV} "
            f"(sandbox admin token taken from {ADMIN_TOKEN_ENV}).\n{usage}"
        )
    return (
        f"Token admin sandbox / sandbox admin token: {token}\n{usage}\n"
        f"  Token baru setiap start; setel {ADMIN_TOKEN_ENV} agar tetap sama.\n"
        f"  A new token at every start; set {ADMIN_TOKEN_ENV} to keep one."
    )
