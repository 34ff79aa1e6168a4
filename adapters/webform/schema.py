"""The web-form routes as the OpenAPI document describes them: bodies and answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from gateway.api.responses import error_responses
from gateway.api.surface import FORM, JSON, MULTIPART

ERRORS: dict[int | str, dict[str, Any]] = error_responses(
    503,
    s400="A multipart body that cannot be read",
    s401="Missing or wrong signature, a replayed one, or a wrong key",
    s404="Unknown tenant or form",
    s413="Body or an attachment too large",
    s415="A content type the form does not take, or an attachment of a type not allowed",
    s422="A field is wrong; `error.fields` names it",
)
_FIELDS = {
    "type": "object",
    "description": "The form's own field names (the mapping's `fields`)",
    "additionalProperties": True,
}
#: LAPORPAMAN's fields (kalsel); another portal's are its mapping's
EXAMPLE = {
    "id_laporan": "LP-2026-000451",
    "judul_laporan": "Jalan berlubang di Jl. A. Yani km 6",
    "isi_laporan": "Jalan berlubang besar di Jl. A. Yani km 6 dekat jembatan, 3 motor jatuh.",
    "kategori": "jalan",
    "no_hp": "0812-5100-2233",
    "kode_wilayah": "63.71",
    "tanggal_kejadian": "2026-03-20",
}
FORM_BODY = {
    "required": True,
    "content": {
        media: {"schema": _FIELDS, "example": EXAMPLE} for media in (JSON, FORM, MULTIPART)
    },
}


class Submitted(BaseModel):
    id: str
    submission: str
    status: str
    tracking_id: str | None
    duplicate: bool
    status_url: str


class SubmissionStatus(BaseModel):
    """What a portal may show: no content, no reporter; no response when confidential."""

    submission: str
    tracking_id: str | None
    status: str
    agency: str | None
    response: str | None
    verify_due: str | None
    follow_up_due: str | None
    history: list[dict[str, Any]]


SUBMIT_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": Submitted, "description": "Stored before (the same submission)"},
    202: {"model": Submitted, "description": "Stored"},
    **ERRORS,
}
STATUS_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}},
    **error_responses(422, s404="Unknown tenant, form or submission"),
}
