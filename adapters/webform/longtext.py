"""A portal complaint longer than the registry takes: cut, with its full text kept.

The national contract takes a complaint's ``content`` up to
:data:`gateway.domain.complaint.MAX_CONTENT` characters (10,000; the sandbox refuses
more). LAPORPAMAN's ``isi_laporan`` is a TEXT column with no limit, so a longer text is
cut to fit, with a note saying so, and the whole text goes with the complaint as a
UTF-8 ``text/plain`` attachment (:mod:`gateway.attachments`), instead of the record
being quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway import attachments
from gateway.domain.complaint import MAX_CONTENT, Attachment, ComplaintDraft
from gateway.fieldmap import FieldMapping

FILENAME = "isi-laporan-lengkap.txt"
_NOTE = {
    "id": "\n\n[Teks dipotong: isi lengkap ({n} karakter) ada di lampiran {name}]",
    "en": "\n\n[Text cut: the full text ({n} characters) is attached as {name}]",
}


@dataclass(frozen=True)
class TextStore:
    """Where a cut complaint's full text is kept (the gateway's attachments)."""

    directory: str | Path
    public_url: str | None = None


def fit(
    mapping: FieldMapping, values: dict[str, Any], store: TextStore | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``values`` with a content that fits, and the full text's attachment when it was
    cut (None when it fits, or when there is no ``store``: then nothing changes)."""
    column = mapping.column("content")
    raw = values.get(column)
    if store is None or not isinstance(raw, str):
        return values, None
    text = raw.strip()
    if len(text) <= MAX_CONTENT:
        return values, None
    kept = attachments.store(
        store.directory,
        text.encode("utf-8"),
        "text/plain",
        filename=FILENAME,
        public_url=store.public_url,
    )
    note = _NOTE.get(mapping.settings.language, _NOTE["id"]).format(n=len(text), name=FILENAME)
    cut = text[: MAX_CONTENT - len(note)].rstrip() + note
    return {**values, column: cut}, kept


def attach(draft: ComplaintDraft, kept: dict[str, Any] | None) -> ComplaintDraft:
    if kept is None:
        return draft
    return draft.model_copy(update={"attachments": [*draft.attachments, Attachment(**kept)]})
