"""The error answers as the OpenAPI document declares them.

Every route declares the statuses it can answer with the uniform error model
(:class:`ErrorBody`, built by :mod:`gateway.api.errors`) through
:func:`error_responses`; :func:`declare_guards` adds to every operation of the
document the ones the ASGI guards give before any route runs (body too large or of
a media type not taken, query or headers too long, rate limited), and to the
components the body models of routes that read their bodies themselves (:func:`json_body`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gateway.api.surface import family_of


class FieldProblem(BaseModel):
    field: str = Field(description="Where: a field path like `reporter.phone`, or `body`")
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable: `invalid_input`, `not_found`, ...")
    message: str
    fields: list[FieldProblem] | None = Field(
        None, description="Each field that is wrong (for 413, 415, 422 and some 400)"
    )


class ErrorBody(BaseModel):
    """Every error answer outside the console and Open311."""

    error: ErrorDetail


_SECONDS = {"schema": {"type": "integer", "minimum": 1}}

DESCRIPTIONS: dict[int, str] = {
    400: "The body is not valid JSON, or a field is missing; `error.fields` names it",
    401: "Missing or wrong credentials",
    403: "Not allowed",
    404: "Unknown tenant or no such resource",
    409: "Conflicts with what is stored",
    413: "Body (or one attached file) too large",
    414: "Query string too long",
    415: "A Content-Type this route does not take; `error.fields` names `content-type`",
    422: "Field errors; `error.fields` names each field",
    429: "Rate limited; `Retry-After` says how many seconds to wait",
    431: "Request headers too large",
    503: "Database unavailable; retry after `Retry-After` seconds",
}

#: declared in the document's components by :func:`declare_guards`
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_ERROR_CONTENT = {"application/json": {"schema": _ERROR_REF}}
#: the headers some error answers carry
_HEADERS: dict[int, dict[str, Any]] = {
    429: {"Retry-After": {"description": "Seconds to wait", **_SECONDS}},
    503: {"Retry-After": {"description": "Seconds to wait", **_SECONDS}},
}


def error_responses(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries with :class:`ErrorBody` for ``statuses`` (and for
    ``described``, given as ``s404="..."``, with their own descriptions).

    Always ``application/json``, whatever the route answers when all is well (a
    ``"model"`` would be documented in the route's own media type)."""
    wanted = {s: DESCRIPTIONS[s] for s in statuses}
    wanted.update({int(k.lstrip("s")): text for k, text in described.items()})
    out: dict[int | str, dict[str, Any]] = {}
    for status, text in sorted(wanted.items()):
        entry: dict[str, Any] = {"description": text, "content": _ERROR_CONTENT}
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        out[status] = entry
    return out


#: request bodies that routes read themselves, by the name their schema has in the
#: document's components (:func:`json_body`)
_BODY_MODELS: dict[str, type[BaseModel]] = {}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The ``requestBody`` (for ``openapi_extra``) of a route that reads its JSON body
    itself, e.g. after authenticating: ``model``, declared in the document's components
    by :func:`declare_guards` as FastAPI declares the body models it validates."""
    _BODY_MODELS[model.__name__] = model
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"required": True, "content": {"application/json": {"schema": ref}}}


#: what any operation may answer before its route runs (gateway.api.middleware,
#: gateway.api.ratelimit); 415 too when it takes a body
GUARD_STATUSES = (413, 414, 429, 431)
_OPEN311_JSON = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


def declare_guards(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare on every operation of ``spec`` the statuses the guards answer, in its
    family's error format, unless the route declares them itself."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    models: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody, **_BODY_MODELS}
    for name, model in models.items():
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for sub_name, sub in body.pop("$defs", {}).items():
            schemas.setdefault(sub_name, sub)
        schemas.setdefault(name, body)
    for path, operations in spec.get("paths", {}).items():
        family = family_of(path)
        content: dict[str, Any]
        if family.errors == "open311":
            xml = path.endswith(".xml")
            media = "application/xml" if xml else "application/json"
            content = {media: {"schema": {"type": "string"} if xml else _OPEN311_JSON}}
        else:
            content = _ERROR_CONTENT
        for operation in operations.values():
            statuses = list(GUARD_STATUSES)
            if "requestBody" in operation and family.accepts is not None:
                statuses.append(415)
            declared = operation.setdefault("responses", {})
            for status in statuses:
                if str(status) in declared:
                    continue
                entry: dict[str, Any] = {"description": DESCRIPTIONS[status], "content": content}
                if status in _HEADERS:
                    entry["headers"] = _HEADERS[status]
                declared[str(status)] = entry
    return spec
