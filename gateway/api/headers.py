"""Security headers on every answer, where the route did not set its own.

API answers get ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` (complaint reads carry
personal data; routes that may be cached say so themselves: attachments, the public
web-form status) and a Content-Security-Policy: ``default-src 'none'; frame-ancestors
'none'`` for anything but HTML, only ``frame-ancestors 'none'`` for the few HTML pages
(Swagger UI at ``/docs`` and ReDoc at ``/redoc`` run inline scripts; the call-centre
agent page). Their scripts and styles come from the gateway itself (``/docs/assets``,
:func:`gateway.api.app.add_docs`): a CSP on a script or a style sheet does not bind it.
``/redoc`` also says ``img-src 'self' data:`` (:data:`CSP_REDOC`): ReDoc's bundle always
asks for its maker's logo on a CDN (and hides it when that fails); the browser then does
not try the network at all.
The console (``/ops``) sets its own (``gateway.ops.auth.SECURITY_HEADERS``); they are
the defaults for its paths too, so its 404s carry them. ``Strict-Transport-Security``
only over https: the request's scheme, which uvicorn takes from ``X-Forwarded-Proto``
when the peer is one of ``GATEWAY_FORWARDED_ALLOW_IPS``.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.surface import family_of

API_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
CSP = b"content-security-policy"
CSP_DATA = b"default-src 'none'; frame-ancestors 'none'"
CSP_HTML = b"frame-ancestors 'none'"
CSP_REDOC = "frame-ancestors 'none'; img-src 'self' data:"
HSTS = (b"strict-transport-security", b"max-age=31536000")


def _encoded(headers: Mapping[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())


class SecurityHeaders:
    """Adds the missing security headers to each answer's start."""

    def __init__(self, app: ASGIApp, *, console_headers: Mapping[str, str]) -> None:
        self.app = app
        self.api = _encoded(API_HEADERS)
        self.console = _encoded(console_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = self.console if family_of(scope["path"]).console else self.api
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = completed(message.get("headers", ()), defaults, https)
            await send(message)

        await self.app(scope, receive, with_headers)


def completed(
    headers: object, defaults: tuple[tuple[bytes, bytes], ...], https: bool
) -> list[tuple[bytes, bytes]]:
    """``headers`` with each of ``defaults`` it lacks, the CSP and HSTS."""
    out = [(bytes(k), bytes(v)) for k, v in headers]  # type: ignore[attr-defined]
    present = {k.lower() for k, _ in out}
    media = next((v for k, v in out if k.lower() == b"content-type"), b"")
    for name, value in defaults:
        if name not in present:
            out.append((name, value))
            present.add(name)
    if CSP not in present:
        out.append((CSP, CSP_HTML if media.startswith(b"text/html") else CSP_DATA))
    if https and HSTS[0] not in present:
        out.append(HSTS)
    return out


def for_scope(scope: Scope, media_type: str) -> dict[str, str]:
    """The headers :class:`SecurityHeaders` would add to an answer of ``media_type``, for
    an answer sent outside it (the app's last-resort 500)."""
    https = scope.get("scheme") == "https"
    defaults = _encoded(API_HEADERS)
    added = completed([(b"content-type", media_type.encode())], defaults, https)[1:]
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in added}
