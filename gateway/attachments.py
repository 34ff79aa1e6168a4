"""Files citizens send (chat photos), kept by the gateway and linked from the complaint.

A file is stored under its SHA-256 (``<attachments_dir>/<sha256>.<ext>``): the same
photo twice is one file, a name cannot be guessed, and a half-written file is never
visible (written aside, then renamed). ``GET /attachments/<name>`` serves it so the
national registry can fetch it, at the gateway's public address
(``GATEWAY_PUBLIC_URL``). Without one, a stored link is relative: nothing outside can
fetch it, so the submission carries the file itself (:func:`inline`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/plain": "txt",  # the gateway's own: a complaint's full text when it was cut
}
NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp|pdf|txt)$")
#: what a file's first bytes say it is (a declared type is not trusted)
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def sniff(data: bytes) -> str | None:
    """The type ``data`` really is, among those kept; None for anything else."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def store(
    directory: str | Path,
    data: bytes,
    content_type: str,
    *,
    filename: str | None = None,
    public_url: str | None = None,
) -> dict[str, Any]:
    """Keep ``data``; the canonical attachment (url, filename, content_type, size)."""
    ext = TYPES.get(content_type)
    if ext is None:
        raise ValueError(f"attachments of type {content_type!r} are not kept")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    target = folder / name
    if not target.exists():
        aside = folder / f".{name}.{os.getpid()}.part"
        aside.write_bytes(data)
        os.replace(aside, target)
    base = (public_url or "").rstrip("/")
    return {
        "url": f"{base}/attachments/{name}",
        "filename": filename or name,
        "content_type": content_type,
        "size": len(data),
    }


def path_of(directory: str | Path, name: str) -> Path | None:
    """The stored file called ``name``, or None (also for a name that is not ours)."""
    if not NAME.match(name):
        return None
    path = Path(directory) / name
    return path if path.is_file() else None


def is_local(attachment: dict[str, Any]) -> bool:
    """A link to this gateway's own store that nothing outside can fetch (relative)."""
    url = str(attachment.get("url") or "")
    return url.startswith("/attachments/")


def read_local(directory: str | Path, attachment: dict[str, Any]) -> bytes:
    """The bytes behind a relative link (:func:`is_local`); ``FileNotFoundError``
    naming the file and the folder when this process does not have it."""
    name = str(attachment.get("url") or "").removeprefix("/attachments/")
    path = path_of(directory, name)
    if path is None:
        raise FileNotFoundError(
            f"attachment {name!r} is not in {directory} (GATEWAY_ATTACHMENTS_DIR): "
            "the worker must see the folder the serving process stores files in, "
            "or GATEWAY_PUBLIC_URL must be set so that the registry fetches them"
        )
    return path.read_bytes()
