"""Signing operators in and out of the console, and the dependencies its pages use.

* ``current_operator``: the signed-in operator, from the ``lapor_ops`` cookie; a
  browser without one is sent to the login page (303), anything else gets 401.
* ``require_csrf``: every unsafe request carries the session's CSRF token, as the
  form field ``csrf_token`` or the ``X-CSRF-Token`` header (403 otherwise).

The login form itself is protected by a double-submit cookie (``lapor_ops_login``,
SameSite=Strict) and, when the browser sends one, an ``Origin`` that is this host.
Guessing is slowed per username and address and per address (:mod:`gateway.ops.throttle`);
the address is the peer's, or ``X-Forwarded-For``'s only from a proxy listed in
``GATEWAY_FORWARDED_ALLOW_IPS`` (none by default). The throttle's clock is
``app.state.ops_clock`` when the app has one (tests), else the wall clock.
The form and its messages speak the console's language (:mod:`gateway.ops.labels`:
``?lang=``, else the one remembered, else Indonesian), with a link to the other.
Every answer under ``/ops`` carries the console's security headers.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import same_secret
from gateway.ops import accounts, labels, throttle
from gateway.ops.models import Operator
from gateway.ops.rendering import templates

if TYPE_CHECKING:
    from gateway.bootstrap import Container

COOKIE = "lapor_ops"
LOGIN_COOKIE = "lapor_ops_login"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    # not "no-referrer": with it Chromium sends "Origin: null" on the console's own forms
    # (found by the browser tests), and the login's Origin check refuses them
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class Refused(Exception):
    """An /ops request turned away; becomes ``response`` with the security headers."""

    def __init__(self, response: Response) -> None:
        self.response = response


class OpsRoute(APIRoute):
    """Adds the security headers to every answer, refusals included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except Refused as refused:
                response = refused.response
            response.headers.update(SECURITY_HEADERS)
            labels.remember(request, response)
            return response

        return handle


router = APIRouter(prefix="/ops", route_class=OpsRoute, include_in_schema=False)


@dataclass(frozen=True)
class OperatorContext:
    operator: Operator
    csrf_token: str
    token: str
    #: the gateway's tenants: a province's operator sees those below it too
    tenants: Mapping[str, Any] | None = None
    #: the words of the console's pages: the operator's language, the tenants' names
    words: labels.Labels = labels.INDONESIAN

    @property
    def scope(self) -> accounts.Scope:
        return accounts.Scope.of(self.operator, self.tenants)


def _factory(request: Request) -> sessionmaker[Session]:
    container: Container = request.app.state.container
    return container.factory


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def current_operator(request: Request) -> OperatorContext:
    """The signed-in operator; otherwise a redirect to the login page or a 401."""
    token = request.cookies.get(COOKIE, "")
    found = await run_in_threadpool(accounts.session_operator, _factory(request), token)
    if found is None:
        if _wants_html(request):
            raise Refused(RedirectResponse("/ops/login", status_code=303))
        raise Refused(
            JSONResponse(
                {"error": {"code": "unauthorized", "message": "sign in at /ops/login"}},
                status_code=401,
            )
        )
    operator, csrf = found
    container: Container = request.app.state.container
    words = labels.for_language(labels.language_of(request), container.tenants)
    return OperatorContext(operator, csrf, token, container.tenants, words=words)


CurrentOperator = Annotated[OperatorContext, Depends(current_operator)]


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def require_csrf(request: Request, ctx: CurrentOperator) -> OperatorContext:
    """The signed-in operator, if an unsafe request carries the session's CSRF token."""
    if request.method in UNSAFE and not same_secret(await _submitted_csrf(request), ctx.csrf_token):
        raise Refused(_page(ctx.words, "Ditolak", "Token CSRF tidak cocok.", 403))
    return ctx


CsrfChecked = Annotated[OperatorContext, Depends(require_csrf)]


# -- pages ----------------------------------------------------------------------


def _page(words: labels.Labels, title: str, text: str, status: int) -> HTMLResponse:
    """A refusal on the console's layout (without its menu), in ``words``' language;
    ``title`` and ``text`` are Indonesian sentences of :data:`labels.ENGLISH`."""
    html = (
        templates()
        .get_template("refused.html")
        .render(ctx=None, t=words, _=words, title=title, text=words(text))
    )
    return HTMLResponse(html, status_code=status)


def _login_form(
    request: Request, nonce: str, message: str = "", username: str = "", status: int = 200
) -> Response:
    """The sign-in form in the console's language (``?lang=``, else the one remembered,
    else Indonesian), with a link to the other; ``message`` already in that language."""
    words = labels.for_language(labels.language_of(request))
    page = templates().get_template("login.html")
    html = page.render(ctx=None, t=words, _=words, nonce=nonce, message=message, username=username)
    return HTMLResponse(html, status_code=status)


def _with_login_cookie(request: Request, response: Response, nonce: str) -> Response:
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=3600,
        path="/ops/login",
        httponly=True,
        samesite="strict",
        secure=_is_https(request),
    )
    return response


def _origin_ok(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # older browsers and non-browser clients; the cookie check still holds
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _clock(request: Request) -> throttle.Clock:
    clock: throttle.Clock | None = getattr(request.app.state, "ops_clock", None)
    return clock or accounts.now_utc


def _wait_message(words: labels.Labels, seconds: int) -> str:
    """Come back in ``seconds``: said in seconds, or minutes from two minutes on."""
    if seconds < 120:
        return words("Terlalu banyak percobaan masuk; coba lagi dalam {n} detik.").format(n=seconds)
    minutes = math.ceil(seconds / 60)
    return words("Terlalu banyak percobaan masuk; coba lagi dalam {n} menit.").format(n=minutes)


@router.get("/login")
async def login_form(request: Request) -> Response:
    nonce = secrets.token_urlsafe(32)
    return _with_login_cookie(request, _login_form(request, nonce), nonce)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:1024]
    submitted = str(form.get("csrf_token") or "")
    factory = _factory(request)
    nonce = secrets.token_urlsafe(32)
    words = labels.for_language(labels.language_of(request))
    if not _origin_ok(request) or not same_secret(submitted, request.cookies.get(LOGIN_COOKIE, "")):
        message = words("Formulir kedaluwarsa, silakan coba lagi.")
        return _with_login_cookie(
            request, _login_form(request, nonce, message, username, 403), nonce
        )
    client = request.client.host if request.client else "-"
    now = _clock(request)()
    wait = await run_in_threadpool(throttle.wait_seconds, factory, username, client, now)
    if wait:
        response = _login_form(request, nonce, _wait_message(words, wait), username, 429)
        response.headers["Retry-After"] = str(wait)
        return _with_login_cookie(request, response, nonce)
    operator = await run_in_threadpool(accounts.authenticate, factory, username, password)
    await run_in_threadpool(throttle.record, factory, operator, username, client, now)
    if operator is None:
        message = words("Nama pengguna atau kata sandi salah.")
        return _with_login_cookie(
            request, _login_form(request, nonce, message, username, 401), nonce
        )
    token, _csrf = await run_in_threadpool(accounts.open_session, factory, operator)
    response = RedirectResponse("/ops", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(accounts.ABSOLUTE.total_seconds()),
        path="/ops",
        httponly=True,
        samesite="strict",
        secure=_is_https(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/ops/login")
    return response


@router.post("/logout")
async def logout(request: Request, ctx: CsrfChecked) -> Response:
    factory = _factory(request)
    await run_in_threadpool(accounts.close_session, factory, ctx.token)
    await run_in_threadpool(accounts.audit, factory, ctx.operator, "logout")
    response = RedirectResponse("/ops/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ops", httponly=True, samesite="strict")
    return response


# The console's pages (gateway.ops.pages, gateway.ops.repair_pages) add themselves to
# ``router`` on import: the app includes this one router for all of /ops.
from gateway.ops import (  # noqa: E402, F401
    oversight_download,
    oversight_page,
    pages,
    repair_pages,
)
