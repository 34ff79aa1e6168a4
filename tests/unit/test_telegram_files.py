"""How a document's name and the size limit are told (adapters.telegram.files)."""

from __future__ import annotations

import pytest

from adapters.telegram.files import _filename, _size


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("Surat keterangan puskesmas.pdf", "Surat keterangan puskesmas.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\warga\\foto jalan (1).jpg", "foto jalan (1).jpg"),
        ("laporan<script>.pdf", "laporan_script_.pdf"),
        (None, "telegram-AgADZREAAqvcYFQ"),
        ("...", "telegram-AgADZREAAqvcYFQ"),
    ],
)
def test_a_documents_name_is_tidied(name: str | None, kept: str) -> None:
    assert _filename(name, "AgADZREAAqvcYFQ") == kept


def test_the_size_limit_as_people_read_it() -> None:
    assert _size(10 * 1024 * 1024) == "10 MB"
    assert _size(1536 * 1024) == "1.5 MB"
    assert _size(100_000) == "97 KB"
    assert _size(10) == "1 KB"
