"""Files citizens send (chat photos), kept by the gateway and linked from the complaint.

A file is stored under its SHA-256 (``<attachments_dir>/<sha256>.<ext>``): the same
photo twice is one file, a name cannot be guessed, and a half-written file is never
visible (written aside, then renamed). ``GET /attachments/<name>`` serves it so the
national registry can fetch it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp|pdf)$")
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
