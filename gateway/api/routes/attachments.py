"""``GET /attachments/{name}``: files citizens sent, for the national registry to fetch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from gateway import attachments
from gateway.api.deps import ContainerDep
from gateway.api.responses import error_responses
from gateway.domain.errors import ErrorKind, GatewayError

router = APIRouter(tags=["public"])

_FILE = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/attachments/{name}",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file",
            "content": {media: _FILE for media in attachments.TYPES},
        },
        **error_responses(404, 422),
    },
)
async def attachment(
    container: ContainerDep, name: Annotated[str, Path(max_length=80)]
) -> FileResponse:
    """A stored attachment by its content-addressed name (``<sha256>.jpg``)."""
    path = attachments.path_of(container.settings.attachments_dir, name)
    if path is None:
        raise GatewayError(ErrorKind.NOT_FOUND, "no such attachment")
    media = {v: k for k, v in attachments.TYPES.items()}[path.suffix[1:]]
    return FileResponse(path, media_type=media, headers={"Cache-Control": "private, max-age=86400"})
