"""Errors become HTTP answers here, and only here.

Every error body has one shape::

    {"error": {"code": "invalid_input", "message": "...",
               "fields": [{"field": "reporter.phone", "message": "..."}]}}

No stack trace ever leaves the process; a database that is down answers 503 so
channels retry.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway import metrics
from gateway.api import headers
from gateway.domain.errors import ErrorKind, FieldError, GatewayError

log = structlog.get_logger("gateway.api")

STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID_INPUT: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED_MEDIA: 415,
    ErrorKind.THROTTLED: 429,
    ErrorKind.PERMANENT: 400,
    ErrorKind.RETRYABLE: 503,
}


def error_body(code: str, message: str, fields: list[FieldError] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = [{"field": f.field, "message": f.message} for f in fields]
    return {"error": body}


def error_response(error: GatewayError) -> JSONResponse:
    headers = {}
    if error.kind in (ErrorKind.THROTTLED, ErrorKind.UNAVAILABLE, ErrorKind.RETRYABLE):
        headers["Retry-After"] = str(max(1, round(error.retry_after or 5)))
    if error.kind == ErrorKind.UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
    return JSONResponse(
        error_body(error.kind.value, error.message, error.fields),
        status_code=STATUS_OF_KIND.get(error.kind, 400),
        headers=headers,
    )


def field_errors(
    exc: ValidationError | RequestValidationError, skip: int = 0, prefix: str | None = None
) -> list[FieldError]:
    """Pydantic errors as field paths like ``reporter.phone`` (``prefix`` goes in front)."""
    out = []
    for err in exc.errors():
        loc = ([prefix] if prefix else []) + [str(p) for p in err.get("loc", ())][skip:]
        msg = str(err.get("msg", "invalid"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.append(FieldError(".".join(loc) or "body", msg))
    return out


_INTAKE_OUTCOME = {
    400: "invalid",
    413: "invalid",
    422: "invalid",
    415: "invalid",
    401: "unauthorized",
    404: "unauthorized",
    429: "throttled",
    503: "unavailable",
}


def count_refused(path: str, status: int) -> None:
    """Refused channel requests, by tenant and channel, for /metrics."""
    if not path.startswith("/channels/") or status not in _INTAKE_OUTCOME:
        return
    parts = path.split("/")
    if len(parts) > 3:
        metrics.intake(parts[3][:64], parts[2][:32], _INTAKE_OUTCOME[status])


def count_refused_intake(request: Request, status: int) -> None:
    count_refused(request.url.path, status)


#: the ``error.code`` of HTTP errors raised by the framework (routing, body parsing)
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media",
    429: "rate_limited",
}


def install(app: FastAPI) -> None:
    @app.exception_handler(GatewayError)
    async def _gateway_error(request: Request, exc: GatewayError) -> JSONResponse:
        response = error_response(exc)
        count_refused_intake(request, response.status_code)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        count_refused_intake(request, 422)
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                ctx = err.get("ctx") or {}
                detail = ctx.get("error", "malformed")
                return JSONResponse(
                    error_body(
                        "invalid_json",
                        f"request body is not valid JSON ({detail})",
                        [FieldError("body", "not valid JSON")],
                    ),
                    status_code=400,
                )
        # strip the leading "body"/"query"/"path" from locations
        fields = [
            FieldError(f.field.split(".", 1)[1] if "." in f.field else f.field, f.message)
            for f in field_errors(exc)
        ]
        names = ", ".join(sorted({f.field for f in fields}))
        return error_response(
            GatewayError(ErrorKind.INVALID_INPUT, f"invalid fields: {names}", fields)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable", error=type(exc).__name__)
        count_refused_intake(request, 503)
        return error_response(
            GatewayError(ErrorKind.UNAVAILABLE, "database unavailable; try again", retry_after=5)
        )

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
        # the request's own data (PostgreSQL takes no NUL character in text, and no
        # integer past 64 bits): the sender's mistake, not ours
        log.warning("value the database cannot store", error=type(exc.orig).__name__)
        count_refused_intake(request, 422)
        return error_response(
            GatewayError(
                ErrorKind.INVALID_INPUT,
                "a value the database cannot take: a NUL character, or a number out of range",
            )
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _database_down(_request, exc)
        log.error("database error", error=type(exc.orig).__name__)
        return JSONResponse(error_body("internal", "internal error"), status_code=500)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # answered by Starlette's outermost middleware, outside SecurityHeaders: add them
        log.error("unhandled error", error=type(exc).__name__)
        return JSONResponse(
            error_body("internal", "internal error"),
            status_code=500,
            headers=headers.for_scope(request.scope, "application/json"),
        )
