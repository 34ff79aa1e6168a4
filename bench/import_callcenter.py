"""Call-centre import at scale: a generated CSV export of N rows (1,000,000 by default)
imported with ``gateway import callcenter``, then imported again.

Prints rows per second and peak memory (the child process's max RSS) for the first
import (every row a new complaint: raw row, complaint, history entry and submit job
written in batches) and the second (every row a duplicate: nothing written), and the
ratio of the second to the first. The file is semicolon-separated UTF-8 with a BOM,
Lampung's columns, Indonesian dates and phone numbers in mixed forms, 1 % broken rows.

    .venv/bin/python bench/import_callcenter.py                 # 1,000,000 rows, SQLite
    .venv/bin/python bench/import_callcenter.py --rows 100000 --database postgres
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import time
from pathlib import Path

import common

HEADER = (
    "ticket_no;subject;notes;kategori;caller_name;caller_phone;lokasi;kode_wilayah;"
    "tanggal_kejadian;rahasia"
)
CATEGORIES = [
    "JALAN",
    "PJU",
    "SAMPAH",
    "AIR",
    "LISTRIK",
    "KTP",
    "BPJS",
    "BANSOS",
    "PUNGLI",
    "LAINNYA",
]
NOTES = [
    "Pelapor menyampaikan bahwa jalan di depan pasar {place} berlubang besar dan sering "
    "menyebabkan kecelakaan motor.",
    "Pelapor mengeluhkan lampu penerangan jalan di {place} mati sejak dua minggu.",
    "Sampah di TPS {place} tidak diangkut selama seminggu, bau menyengat dan banyak lalat.",
    "Air PDAM di {place} tidak mengalir sejak tiga hari, warga harus membeli air galon.",
    "Pelapor menanyakan KTP-el yang belum jadi setelah tiga bulan mengurus di {place}.",
]
PLACES = [
    "Kedaton",
    "Way Halim",
    "Tanjung Karang",
    "Rajabasa",
    "Kemiling",
    "Sukarame",
    "Teluk Betung",
]
NAMES = ["Siti Aminah", "Budi Santoso", "Rahmat Hidayat", "Dewi Lestari", "Agus Salim", "Nur Aini"]
REGIONS = ["18", "18.71", "18.72", "18.01"]


def phone(rng: random.Random) -> str:
    # operators' real prefixes (Telkomsel, Indosat, XL, Tri, Smartfren)
    prefix = rng.choice(["811", "812", "813", "821", "822", "852", "853", "857", "877", "896"])
    digits = f"{prefix}{rng.randrange(10**7, 10**8)}"
    form = rng.randrange(4)
    if form == 0:
        return f"0{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if form == 1:
        return f"+62 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if form == 2:
        return f"62{digits}"
    return f"0{digits}"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER + "\n")
        for i in range(rows):
            place = rng.choice(PLACES)
            day, month = rng.randrange(1, 29), rng.randrange(1, 11)
            when = f"{day:02d}/{month:02d}/2026" if i % 3 else f"{day} Juli 2026"
            notes = rng.choice(NOTES).format(place=place)
            # 1 %: a broken phone number, rejected with its row
            caller = "08-12" if i % 100 == 99 else phone(rng)
            out.write(
                f"CC-{i:08d};Keluhan {place};{notes};{rng.choice(CATEGORIES)};"
                f"{rng.choice(NAMES)};{caller};{place}, Bandar Lampung;{rng.choice(REGIONS)};"
                f"{when};{'ya' if i % 50 == 0 else ''}\n"
            )


def run_import(env: dict[str, str], path: Path, rejects: Path) -> dict[str, float]:
    """``gateway import callcenter`` in a child process: wall time and its peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    result = subprocess.run(
        [
            common.PYTHON,
            "-m",
            "gateway",
            "import",
            "callcenter",
            str(path),
            "--tenant",
            "lampung",
            "--rejects",
            str(rejects),
            "--lang",
            "en",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode not in (0, 1):
        raise SystemExit(f"import failed ({result.returncode}):\n{result.stderr[-3000:]}")
    # the command's last words: "FILE: N rows in S s", then "C created, U updated, ..."
    summary = [
        line for line in result.stderr.splitlines() if " rows in " in line or " updated, " in line
    ]
    return {
        "seconds": seconds,
        "peak_rss_mb": max(peak, before) / 1024,
        "summary": "; ".join(summary[-2:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    print(f"import_callcenter: {common.machine()}; {args.rows:,} rows, {args.database}")
    with (
        common.temp_dir("lapor-import-") as workdir,
        common.temp_database(args.database, workdir) as url,
    ):
        path = workdir / "lampung-export.csv"
        started = time.monotonic()
        generate(path, args.rows)
        size = path.stat().st_size
        print(f"  generated {size / 1e6:,.1f} MB in {time.monotonic() - started:.1f} s")
        env = {**common.gateway_env(url, "http://127.0.0.1:9"), "GATEWAY_LOG_LEVEL": "WARNING"}
        first = run_import(env, path, workdir / "first.rejects.csv")
        # the same file again: a child's peak RSS is the larger of the two runs, so the
        # second figure is an upper bound
        second = run_import(env, path, workdir / "second.rejects.csv")
        rejected = sum(1 for _ in (workdir / "first.rejects.csv").open(encoding="utf-8-sig")) - 1
        figures = {
            "rows": args.rows,
            "database": args.database,
            "file_mb": round(size / 1e6, 1),
            "first_rows_per_s": round(args.rows / first["seconds"]),
            "first_seconds": round(first["seconds"], 1),
            "second_rows_per_s": round(args.rows / second["seconds"]),
            "second_seconds": round(second["seconds"], 1),
            "second_to_first": round(first["seconds"] / second["seconds"], 2),
            "peak_rss_mb": round(first["peak_rss_mb"], 1),
            "rejected": rejected,
        }
        print(f"  first import:  {first['summary']}")
        print(f"  second import: {second['summary']}")
        print(
            f"  first {figures['first_rows_per_s']:,} rows/s, second (all duplicates) "
            f"{figures['second_rows_per_s']:,} rows/s; peak RSS {figures['peak_rss_mb']} MB"
        )
        common.print_summary("import_callcenter", figures)


if __name__ == "__main__":
    main()
