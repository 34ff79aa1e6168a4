"""The LAPORPAMAN-like portal database for ``make run``: the example schema and a few
submissions, so the demo shows the gateway pulling from a legacy table.

    python -m adapters.webform.examples.demo var/laporpaman.db
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

SCHEMA = Path(__file__).with_name("laporpaman.sqlite.sql")
SUBMISSIONS = [
    (
        "Jalan berlubang di Jl. A. Yani km 6",
        "Jalan berlubang besar di Jl. A. Yani km 6 dekat jembatan, sudah tiga motor jatuh.",
        "jalan", "Muhammad Rizki", "0812-5100-2233", "63.71", "Jl. A. Yani km 6, Banjarmasin",
    ),
    (
        "Sampah menumpuk di pasar Lima",
        "Sampah di TPS pasar Lima tidak diangkut seminggu, bau dan banyak lalat.",
        "sampah", "Siti Rahmah", "+62 813 4455 6677", "63.71", "Pasar Lima, Banjarmasin",
    ),
    (
        "Air PDAM mati",
        "Air PDAM di Kelurahan Sungai Miai tidak mengalir sejak tiga hari.",
        "air_pdam", "Ahmad Fauzi", "6285212349876", "63.71", "Sungai Miai, Banjarmasin",
    ),
]  # fmt: skip


def create(path: Path) -> bool:
    """Create the portal database with its submissions; False if it is there already."""
    if path.exists():
        with sqlite3.connect(path) as conn:  # made before the reason column was added
            columns = {row[1] for row in conn.execute("PRAGMA table_info(laporan)")}
            if columns and "alasan_lapor" not in columns:
                conn.execute("ALTER TABLE laporan ADD COLUMN alasan_lapor VARCHAR(500) NULL")
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA.read_text(encoding="utf-8"))
        conn.executemany(
            "INSERT INTO laporan (judul_laporan, isi_laporan, kategori, nama_pelapor, no_hp,"
            " kode_wilayah, alamat_kejadian, tanggal_kejadian) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " date('now', '-1 day'))",
            SUBMISSIONS,
        )
    return True


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/laporpaman.db")
    print(f"{target}: {'created' if create(target) else 'already there'}")
