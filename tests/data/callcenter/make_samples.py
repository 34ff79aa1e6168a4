"""Write the messy call-centre exports beside this file (see README.md for what each holds).

    .venv/bin/python tests/data/callcenter/make_samples.py

Files are written as bytes so their encodings, BOMs and line endings are exact, and the
workbook is rewritten with fixed timestamps so regenerating it changes nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import PatternFill

HERE = Path(__file__).resolve().parent
COLUMNS = [
    "ticket_no", "subject", "notes", "kategori", "caller_name", "caller_phone",
    "lokasi", "kode_wilayah", "tanggal_kejadian", "rahasia",
]  # fmt: skip
LAPOR = "Pelapor menyampaikan bahwa"
DASH = "\u2013"  # en dash: 0x96 in Windows-1252
BANDAR_LAMPUNG = "18.71"

# (cells, trailing delimiter) in COLUMNS order; None is a blank line, "DUPLICATE" row 8 again.
LAMPUNG_CSV: list[tuple[list[str], bool] | str | None] = [
    (["LPG-2026-03-0001", "Jalan berlubang di depan Pasar Kedaton",
      f"{LAPOR} jalan di depan pasar Kedaton berlubang besar dan sudah dua minggu belum "
      "diperbaiki, sudah ada pengendara motor yang jatuh.",
      "JALAN", "Budi Santoso", "0812-3456-7890", "Jl. Teuku Umar depan Pasar Kedaton",
      BANDAR_LAMPUNG, "21/03/2026", "tidak"], False),
    (["LPG-2026-03-0002", "Lampu jalan mati di Jl. Z.A. Pagar Alam",
      f"{LAPOR} lampu penerangan jalan umum di Jl. Z.A. Pagar Alam mati sejak seminggu, "
      "rawan begal pada malam hari.",
      "PJU", "Siti Rahmawati", "+62 813 6677 8899", "Jl. Z.A. Pagar Alam, Rajabasa",
      BANDAR_LAMPUNG, "21/03/2026 14.05", "ya"], True),
    (["LPG-2026-03-0003", "Banjir setiap hujan di Way Halim",
      f"{LAPOR} saluran drainase di Perumahan Way Halim Permai tersumbat sehingga air "
      "meluap ke rumah warga setiap hujan deras.",
      "BANJIR", "Ahmad Fauzi", "6285277889900", "Perumahan Way Halim Permai Blok C",
      BANDAR_LAMPUNG, "21 Maret 2026", "0"], False),
    (["LPG-2026-03-0004", "Sampah menumpuk di TPS Rajabasa",
      f"{LAPOR} sampah di TPS dekat Pasar Rajabasa tidak diangkut selama lima hari dan "
      "menimbulkan bau.",
      "SAMPAH", "Dewi Lestari", "(0721) 774411", "TPS Pasar Rajabasa", BANDAR_LAMPUNG,
      "2026-03-21", ""], False),
    (["LPG-2026-03-0005", "Air PDAM keruh; kadang tidak mengalir",
      f"{LAPOR} air PDAM di rumahnya keruh; warnanya kecoklatan.\r\n"
      "Sudah tiga hari air hanya mengalir pada malam hari.",
      "AIR", "Rina Marlina", "0852-6612-3344", "Jl. Kartini, Tanjung Karang Pusat",
      BANDAR_LAMPUNG, "22/03/2026", "ya"], False),
    (["LPG-2026-03-0006", "KTP-el belum dicetak",
      f"{LAPOR} KTP-el yang direkam sejak Januari belum juga dicetak, padahal dibutuhkan "
      "untuk mendaftar BPJS.",
      "KTP", "Hendra Gunawan", "081277665544", "Disdukcapil Kota Bandar Lampung",
      BANDAR_LAMPUNG, "22 Maret 2026", "tidak"], True),
    (["LPG-2026-03-0007", "Jembatan gantung rusak di Natar",
      f"{LAPOR} papan jembatan gantung penghubung dua dusun di Natar banyak yang lapuk, "
      "anak sekolah tetap melintas setiap pagi.",
      "JEMBATAN", "Yusuf Hidayat", "+6281199887766", "Dusun Sidorejo, Natar", "18.01",
      "23/03/2026 08.30", "tidak"], False),
    (["LPG-2026-03-0008", "Parkir liar di bahu jalan Pasar Bambu Kuning",
      f"{LAPOR} juru parkir liar memakai bahu jalan di depan Pasar Bambu Kuning sehingga "
      "macet setiap sore.",
      "PARKIR", "Rudi Hartono", "0813-7788-1122", "Pasar Bambu Kuning, Tanjung Karang",
      BANDAR_LAMPUNG, "23/03/2026", "tidak"], False),
    (["LPG-2026-03-0009", "Antrean panjang di IGD RSUD Abdul Moeloek",
      f"{LAPOR} ibunya menunggu lebih dari enam jam di IGD RSUD Abdul Moeloek tanpa "
      "diperiksa dokter.",
      "RS", "Sri Wahyuni", "62 821 7712 3456", "RSUD Dr. H. Abdul Moeloek",
      BANDAR_LAMPUNG, "2026-03-23", "ya"], True),
    (["LPG-2026-03-0010", "Kartu BPJS tidak aktif",
      f"{LAPOR} kartu BPJS Kesehatan keluarganya tidak aktif padahal iuran sudah dibayar "
      "setiap bulan.",
      "BPJS", "Agus Salim", "08-12", "Kec. Sukarame", BANDAR_LAMPUNG, "24/03/2026",
      "tidak"], False),
    (["LPG-2026-03-0011", "Pungutan seragam di SMA negeri",
      f"{LAPOR} sekolah anaknya meminta uang seragam dan buku yang tidak ada dasar "
      "aturannya.",
      "SEKOLAH", "Lina Marlina", "0857-6543-2100", "Kec. Kemiling", BANDAR_LAMPUNG,
      "24/03/2026", "tidak"], False),
    None,
    (["LPG-2026-03-0012", "Pungli pembuatan surat keterangan",
      f"{LAPOR} petugas kelurahan meminta uang Rp 100.000 untuk surat keterangan "
      "domisili.",
      "PUNGLI", "Anonim", "Kel. Labuhan Ratu", BANDAR_LAMPUNG, "24/03/2026",
      "ya"], False),  # the phone cell is missing: 9 cells
    (["LPG-2026-03-0013", "Bansos tidak diterima",
      f"{LAPOR} namanya terdaftar sebagai penerima PKH tetapi bantuan tidak pernah "
      "diterima sejak Januari.",
      "BANSOS", "Nur Aini", "0812 9988 7766", "Kec. Panjang", BANDAR_LAMPUNG,
      "24 Maret 2026", "Ya"], False),
    "DUPLICATE",  # row 8 again, byte for byte
    (["LPG-2026-03-0014", "Listrik padam berulang kali", "", "LISTRIK", "Bambang",
      "0813-6000-7788", "Kec. Teluk Betung Selatan", BANDAR_LAMPUNG, "25/03/2026",
      "tidak"], False),
    (["LPG-2026-03-0015", "Jalan provinsi retak",
      f"{LAPOR} jalan provinsi di Kalianda retak memanjang dan mulai amblas di tepi.",
      "JALAN", "Komang Ayu", "0812-7000-3344", "Jl. Lintas Sumatera, Kalianda", "18.01",
      "21/03/2062", "tidak"], False),  # 2026 typed as 2062: stays in the future
    (["LPG-2026-03-0016", "Jalan desa rusak berat",
      f"{LAPOR} jalan desa menuju puskesmas di Gunung Sugih rusak berat dan sulit "
      "dilalui ambulans.",
      "JALAN", "Wayan Sudarsa", "+62-812-7000-1234", "Gunung Sugih", "18.02",
      "25/03/2026", "tidak"], True),
    (["LPG-2026-03-0017", "Lampu jalan padam di Metro",
      f"{LAPOR} lampu jalan di Jl. A.H. Nasution padam sejak hujan angin minggu lalu.",
      "PJU", "Made Arsana", "081379001122", "Jl. A.H. Nasution, Metro", "18.72",
      "25/03/2026 19.45", "tidak"], False),
    (["LPG-2026-03-0018", "Sampah dibuang ke sungai",
      f"{LAPOR} warga membuang sampah ke Way Kuripan karena tidak ada TPS di "
      "lingkungannya.",
      "SAMPAH", "Teguh Prasetyo", "6281366001122", "Way Kuripan, Teluk Betung",
      BANDAR_LAMPUNG, "2026-03-26", "tidak"], False),
    (["LPG-2026-03-0019", "Tagihan PDAM melonjak",
      f"{LAPOR} tagihan PDAM bulan ini tiga kali lipat padahal pemakaian seperti biasa.",
      "AIR", "Fitri Handayani", "0811-7234-567", "Kec. Enggal", BANDAR_LAMPUNG,
      "26 Maret 2026", "rahasia"], True),
    (["LPG-2026-03-0020", 'Warga menyebut gorong-gorong "tidak pernah dibersihkan"',
      f'{LAPOR} gorong-gorong di Jl. Imam Bonjol "tidak pernah dibersihkan" menurut '
      "warga, air menggenang setinggi lutut.",
      "BANJIR", "Eko Saputra", "0853 1122 3344", "Jl. Imam Bonjol, Kemiling",
      BANDAR_LAMPUNG, "27/03/2026", "tidak"], False),
    (["LPG-2026-03-0021", "Perekaman KTP-el ditolak",
      f"{LAPOR} perekaman KTP-el untuk anaknya yang berusia 17 tahun ditolak karena "
      "blangko habis.",
      "KTP", "Yuliana", "+62 852 6000 7788", "Kec. Tanjung Senang", BANDAR_LAMPUNG,
      "27/03/2026", "tidak"], False),
    (["LPG-2026-03-0022", "Informasi jadwal pasar murah",
      f"{LAPOR} ingin mengetahui jadwal pasar murah menjelang Lebaran di kecamatannya.",
      "LAINNYA", "Irfan Maulana", "0812-6000-1122", "Kec. Sukabumi", BANDAR_LAMPUNG,
      "28/03/2026", "tidak"], False),
    (["LPG-2026-03-0023", "Jalan lingkungan berlubang",
      f"{LAPOR} jalan lingkungan di Kelurahan Sukarame berlubang dan tergenang air.",
      "JALAN", "Ketut", "085266001133", "Kel. Sukarame", BANDAR_LAMPUNG,
      "28 Maret 2026", ""], False),
    (["LPG-2026-03-0024", "Obat kosong di apotek RS",
      f"{LAPOR} obat pasien BPJS kosong di apotek rumah sakit sehingga harus membeli "
      "sendiri.",
      "RS", "Hasanah", "0821-7000-8899", "RS Urip Sumoharjo", BANDAR_LAMPUNG,
      "2026-03-29", "ya"], False),
]  # fmt: skip

KOTA_COLUMNS = [
    "tanggal_kejadian", "ticket_no", "kategori", "caller_name", "caller_phone",
    "subject", "notes", "lokasi", "kode_wilayah", "rahasia",
]  # fmt: skip
# None is the empty row Excel writes as ",,,,,,,,,".
KOTA_CSV: list[list[str] | None] = [
    ["02/04/2026", "BL-2026-0301", "JALAN", "Andi Pratama", "0812-1111-2222",
     f"Jl. Sudirman {DASH} Pasar Bawah rusak",
     f"{LAPOR} ruas Jl. Sudirman {DASH} Pasar Bawah bergelombang dan berlubang, "
     "pedagang sudah menimbun dengan batu.",
     f"Jl. Sudirman {DASH} Pasar Bawah, Enggal", BANDAR_LAMPUNG, "Tidak"],
    ["02/04/2026", "BL-2026-0302", "PJU", "Maria Ulfa", "0813-2222-3333",
     "Lampu jalan mati di depan Kafé Senja",
     f"{LAPOR} tiga tiang lampu jalan di depan Kafé Senja mati, jalan gelap total.",
     "Kafé Senja, Jl. Diponegoro", BANDAR_LAMPUNG, "Tidak"],
    ["03/04/2026", "BL-2026-0303", "SAMPAH", "Pak RT 05", "",
     "Sampah pasar tidak diangkut",
     f"{LAPOR} sampah Pasar Tugu menumpuk sejak Lebaran, belum diangkut truk DLH.",
     "Pasar Tugu, Tanjung Karang Timur", BANDAR_LAMPUNG, "Tidak"],
    None,
    ["21/03/2026", "LPG-2026-03-0001", "JALAN", "Budi Santoso", "0812-3456-7890",
     "Jalan berlubang di depan Pasar Kedaton",
     f"{LAPOR} jalan di depan pasar Kedaton berlubang besar {DASH} diteruskan dari "
     "call centre provinsi.",
     "Jl. Teuku Umar depan Pasar Kedaton", BANDAR_LAMPUNG, "Tidak"],
    ["04/04/2026", "BL-2026-0304", "PUNGLI", "Hamdan", "0852-3333-4444",
     "Diminta Rp 50.000 untuk pasang meteran",
     f"{LAPOR} petugas meminta Rp 50.000 di luar biaya resmi untuk pemasangan ulang "
     "meteran air.",
     "Kel. Gedong Air", BANDAR_LAMPUNG, "Ya"],
    ["05/04/2026", "BL-2026-0305", "BANJIR", "Sari Dewi", "81234567890",
     "Genangan di underpass",
     f"{LAPOR} underpass Jl. Gajah Mada tergenang setinggi 50 cm setiap hujan.",
     "Underpass Jl. Gajah Mada", BANDAR_LAMPUNG, "Tidak"],
    ["05/04/2026", "BL-2026-0306", "RS", "Désirée Putri", "0821-4444-5555",
     "Pelayanan RS lambat",
     f"{LAPOR} pendaftaran rawat jalan RSUD A. Dadi Tjokrodipo dibuka terlambat, "
     "antrean sampai ke jalan.",
     "RSUD A. Dadi Tjokrodipo", BANDAR_LAMPUNG, "Tidak"],
    ["06/04/2026", "BL-2026-0307", "SEKOLAH", "Rahmat", "0857-5555-6666",
     "Atap kelas SD bocor",
     f"{LAPOR} atap dua ruang kelas SD Negeri 2 Way Halim bocor; murid belajar di "
     "lorong.",
     "SDN 2 Way Halim", BANDAR_LAMPUNG, "Tidak"],
    ["06/04/2026", "BL-2026-0308", "LISTRIK", "Yanti", "0811-6666-7777",
     "Tiang listrik miring",
     f"{LAPOR} tiang listrik di Jl. Ratu Dibalau miring {DASH} hampir roboh menimpa rumah.",
     "Jl. Ratu Dibalau, Way Kandis", BANDAR_LAMPUNG, "Tidak"],
    ["07/04/2026", "BL-2026-0309", "JEMBATAN", "Fajar", "0812-7777-8888",
     "Pagar jembatan patah",
     f"{LAPOR} pagar pengaman jembatan Way Awi patah sepanjang dua meter.",
     "Jembatan Way Awi", BANDAR_LAMPUNG, "Tidak"],
]  # fmt: skip

FORMULA = '="Jalan "&"rusak"'
STRAY = "cek lagi besok"  # an agent's note typed to the right of the table
# Row number -> cells; a missing number is an empty row.
LAMPUNG_XLSX: dict[int, list[object]] = {
    2: ["LPG-2026-04-0101", "Jalan amblas di Jl. Soekarno-Hatta",
        f"{LAPOR} bahu jalan Jl. Soekarno-Hatta amblas sepanjang lima meter.", "JALAN",
        "Bayu Nugroho", "0812-3456-7890", "Jl. Soekarno-Hatta, Rajabasa", BANDAR_LAMPUNG,
        datetime(2026, 4, 1), "tidak"],
    3: ["LPG-2026-04-0102", "Lampu jalan mati di Way Halim",
        f"{LAPOR} deretan lampu jalan di Jl. Sultan Agung mati sejak tiga hari.", "PJU",
        "Citra Ayu", 81277665544, "Jl. Sultan Agung, Way Halim", BANDAR_LAMPUNG,
        datetime(2026, 4, 1, 9, 30), "ya"],
    4: ["LPG-2026-04-0103", "Banjir di Kampung Sawah",
        f"{LAPOR} rumah warga Kampung Sawah terendam setelah tanggul sungai jebol.",
        "BANJIR", "Darmawan", "+62 813 1000 2000", "Kampung Sawah, Teluk Betung",
        BANDAR_LAMPUNG, datetime(2026, 4, 2), "tidak"],
    5: ["LPG-2026-04-0104", FORMULA,
        f"{LAPOR} jalan menuju pelabuhan Panjang rusak dan dilalui truk bermuatan berat.",
        "JALAN", "Erwin", "0852-1000-3000", "Jl. Yos Sudarso, Panjang", BANDAR_LAMPUNG,
        datetime(2026, 4, 2, 16, 45), "tidak"],
    7: ["LPG-2026-04-0105", "Sampah di drainase",
        f"{LAPOR} saluran di Jl. Pramuka penuh sampah plastik sehingga air meluap.",
        "SAMPAH", "Farida", "6281366002233", "Jl. Pramuka, Kemiling", BANDAR_LAMPUNG,
        datetime(2026, 4, 3), "tidak"],
    8: ["LPG-2026-04-0106", "KTP hilang belum diganti",
        f"{LAPOR} permohonan KTP pengganti karena hilang belum diproses sebulan.", "KTP",
        "Gilang", "0813-2000-4000", "Disdukcapil Kota Bandar Lampung", BANDAR_LAMPUNG,
        datetime(2026, 4, 3), "tidak", STRAY],
    9: ["LPG-2026-04-0107", "Air PDAM tidak mengalir",
        f"{LAPOR} air PDAM di Perumnas Way Kandis tidak mengalir sejak Senin.", "AIR",
        "Hana", "0811-7200-3000", "Perumnas Way Kandis", BANDAR_LAMPUNG,
        datetime(2026, 4, 4), True],
    10: ["LPG-2026-04-0108", "Pungli parkir pasar",
         f"{LAPOR} petugas parkir pasar menarik Rp 5.000 tanpa karcis resmi.", "PUNGLI",
         "Indra", "0857-3000-5000", "Pasar Tamin", BANDAR_LAMPUNG, datetime(2026, 4, 4),
         "ya"],
    11: ["LPG-2026-04-0109", "Guru honorer belum digaji",
         f"{LAPOR} guru honorer di SMA negeri belum menerima honor tiga bulan.", "SEKOLAH",
         "Joko", "0812-4000-6000", "Kec. Kedamaian", BANDAR_LAMPUNG, datetime(2026, 4, 5),
         "tidak"],
    12: ["LPG-2026-04-0110", "Jalan licin berlumpur",
         f"{LAPOR} jalan poros desa licin berlumpur setelah hujan, motor sering jatuh.",
         "JALAN", "Kurniawan", "0813-5000-7000", "Natar", "18.01", datetime(2026, 4, 6),
         "tidak"],
}  # fmt: skip

JSONL_LINES = [
    '{"ticket_no": "LPG-2026-05-0201", "subject": "Jalan rusak di Sukadanaham", "notes": '
    f'"{LAPOR} jalan di Sukadanaham rusak parah setelah proyek pipa.", "kategori": '
    '"JALAN", "caller_name": "Lukman", "caller_phone": "0812-3456-7890", "lokasi": '
    '"Sukadanaham", "kode_wilayah": "18.71", "tanggal_kejadian": "02/05/2026", '
    '"rahasia": false}',
    '{"ticket_no": "LPG-2026-05-0202", "subject": "Lampu jalan mati", "notes": '
    f'"{LAPOR} lampu jalan di Jl. Cut Nyak Dien mati.", "kategori": "PJU", '
    '"caller_name": "Mira", "caller_phone": 6281234567890, "lokasi": "Jl. Cut Nyak Dien", '
    '"kode_wilayah": "18.71", "tanggal_kejadian": "2 Mei 2026", "rahasia": true}',
    '{"ticket_no": 20260503, "subject": "Sampah liar", "notes": '
    f'"{LAPOR} ada pembuangan sampah liar di lahan kosong Jl. Pangeran Antasari.", '
    '"kategori": "SAMPAH", "caller_name": "Nanda", "caller_phone": "+62 813 6000 1111", '
    '"lokasi": "Jl. Pangeran Antasari", "kode_wilayah": "18.71", '
    '"tanggal_kejadian": "2026-05-03", "rahasia": null}',
    '{"ticket_no": "LPG-2026-05-0204", "subject": "Banjir", "notes": "Pelapor menyampai',
    '["LPG-2026-05-0205", "Air PDAM keruh", "AIR"]',
    "",
    '{"ticket_no": "LPG-2026-05-0206", "subject": "Puskesmas tutup siang", "notes": '
    f'"{LAPOR} Puskesmas Kedaton sudah tutup pukul 11.00 pada hari kerja.", '
    '"kategori": "RS", "caller_name": "Oki", "caller_phone": null, "lokasi": '
    '"Puskesmas Kedaton", "kode_wilayah": "18.71", "tanggal_kejadian": "04/05/2026", '
    '"rahasia": "ya"}',
    '{"kategori": "BANSOS", "ticket_no": "LPG-2026-05-0207", "notes": '
    f'"{LAPOR} BLT desa dipotong Rp 100.000 oleh oknum perangkat desa.", "subject": '
    '"Potongan BLT", "caller_name": "Putri", "caller_phone": "0852-7000-1111", '
    '"lokasi": "Desa Hajimena, Natar", "kode_wilayah": "18.01", '
    '"tanggal_kejadian": "05/05/2026", "rahasia": "ya"}',
    '{"ticket_no": "LPG-2026-05-0208", "subject": "Sekolah rusak", "notes": '
    f'"{LAPOR} plafon ruang kelas SMP roboh, untung tidak ada korban.", "kategori": '
    '"SEKOLAH", "caller_name": "Qori", "caller_phone": "0812-8000-2222", "lokasi": '
    '"Kec. Rajabasa", "kode_wilayah": "18.71", "tanggal_kejadian": "05/05/2026 10.15", '
    '"rahasia": false}',
    '{"ticket_no": "LPG-2026-05-0209", "subject": "Jembatan retak", "notes": '
    f'"{LAPOR} jembatan di Way Sekampung retak di tengah.", "kategori": "JEMBATAN", '
    '"caller_name": "Rizal", "caller_phone": "0813-9000-3333", "lokasi": '
    '"Way Sekampung", "kode_wilayah": "18.02", "tanggal_kejadian": "6 Mei 2026", '
    '"rahasia": false}',
    '{"ticket_no": "LPG-2026-05-0210", "subject": "Listrik padam", "notes": '
    f'"{LAPOR} listrik padam tiap malam selama sepekan di Kemiling.", "kategori": '
    '"LISTRIK", "caller_name": "Sinta", "caller_phone": "0821-1000-4444", "lokasi": '
    '"Kec. Kemiling", "kode_wilayah": "18.71", "tanggal_kejadian": "07/05/2026", '
    '"rahasia": false}',
    '{"ticket_no": "LPG-2026-05-0211", "subject": "KTP-el rusak", "notes": '
    f'"{LAPOR} chip KTP-el rusak dan tidak terbaca di bank.", "kategori": "KTP", '
    '"caller_name": "Tono", "caller_phone": "0857-2000-5555", "lokasi": "Kec. Enggal", '
    '"kode_wilayah": "18.71", "tanggal_kejadian": "08/05/2026", "rahasia": false}',
    '{"ticket_no": "LPG-2026-05-0212", "subject": "Obat habis", "notes": '
    f'"{LAPOR} stok insulin di RSUD kosong sejak awal bulan.", "kategori": "RS", '
    '"caller_name": "Umi", "caller_phone": "0811-3000-6666", "lokasi": "RSUD Abdul '
    'Moeloek", "kode_wilayah": "18.71", "tanggal_kejadian": "09/05/2026", '
    '"rahasia": "1"}',
]


def csv_line(cells: list[str], delimiter: str) -> str:
    """One record as Excel writes it: quoted only when it must be."""
    quoted = [
        f'"{cell.replace(chr(34), 2 * chr(34))}"'
        if any(c in cell for c in (delimiter, '"', "\n", "\r"))
        else cell
        for cell in cells
    ]
    return delimiter.join(quoted)


def lampung_csv() -> bytes:
    lines = [";".join(COLUMNS)]
    for entry in LAMPUNG_CSV:
        if entry is None:
            lines.append("")
        elif isinstance(entry, str):  # "DUPLICATE"
            lines.append(lines[7])  # row 8: LPG-2026-03-0007
        else:
            cells, trailing = entry
            lines.append(csv_line(cells, ";") + (";" if trailing else ""))
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n"


def kota_csv() -> bytes:
    lines = [",".join(KOTA_COLUMNS)]
    for cells in KOTA_CSV:
        lines.append("," * (len(KOTA_COLUMNS) - 1) if cells is None else csv_line(cells, ","))
    return "\r\n".join(lines).encode("cp1252") + b"\r\n"


def lampung_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tiket"
    sheet.append(COLUMNS)
    for number, cells in LAMPUNG_XLSX.items():
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm" if value.hour else "dd/mm/yyyy"
    sheet.cell(row=6, column=1).fill = PatternFill("solid", fgColor="FFFF00")  # empty, styled
    book.properties.creator = "Call Center Pemprov Lampung"
    book.properties.created = datetime(2026, 4, 7, 6, 0)
    buffer = io.BytesIO()
    book.save(buffer)
    return _as_saved_by_excel(buffer.getvalue())


def _as_saved_by_excel(data: bytes) -> bytes:
    """openpyxl stores no formula results; Excel does: add the cached value, fix timestamps."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, found = re.subn(
                    rb'<c r="B5"><f>(.*?)</f><v\s*/?>(?:</v>)?</c>',
                    rb'<c r="B5" t="str"><f>\1</f><v>Jalan rusak</v></c>',
                    content,
                )
                assert found == 1, "the formula cell was not found"
            if item.filename == "docProps/core.xml":  # openpyxl sets "modified" as it saves
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-04-07T06:00:00Z", content
                )
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 4, 7, 6, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def lampung_jsonl() -> bytes:
    return "".join(line + "\n" for line in JSONL_LINES).encode("utf-8")


def main() -> None:
    files = {
        "lampung_semicolon_bom.csv": lampung_csv(),
        "kota_comma_cp1252.csv": kota_csv(),
        "lampung.xlsx": lampung_xlsx(),
        "lampung.jsonl": lampung_jsonl(),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
