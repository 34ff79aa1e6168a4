"""What the SMS number answers to commands, in Bahasa Indonesia and English.

Kept short: every part of an SMS costs the tenant (and the citizen) money. Status
changes use the tenant's reply templates (``mappings``), not these.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "info": (
        "Layanan pengaduan {name}. Kirim: LAPOR <isi laporan> untuk melapor, STATUS "
        "untuk laporan Anda, STATUS <nomor> untuk satu laporan. Diteruskan ke SP4N-LAPOR!.",
        "{name} complaints. Send: LAPOR <your complaint> to report, STATUS for your "
        "reports, STATUS <number> for one. Forwarded to SP4N-LAPOR!.",
    ),
    "need_text": (
        "Isi laporan belum ada. Kirim: LAPOR <apa, di mana, kapan>. Contoh: LAPOR jalan "
        "berlubang di depan SDN 2, sejak kemarin.",
        "Your report is empty. Send: LAPOR <what, where, when>. Example: LAPOR pothole in "
        "front of SDN 2, since yesterday.",
    ),
    "no_reports": (
        "Belum ada laporan dari nomor ini. Kirim: LAPOR <isi laporan>.",
        "No reports from this number yet. Send: LAPOR <your complaint>.",
    ),
    "report_line": ("{ref}: {status}", "{ref}: {status}"),
    "pending": ("(menunggu nomor)", "(number pending)"),
    "not_found": (
        "Laporan {ref} tidak ditemukan untuk nomor ini.",
        "Report {ref} was not found for this number.",
    ),
    "detail": (
        "Laporan {ref}: {status}. Instansi: {agency}. Tanggapan: {response}",
        "Report {ref}: {status}. Agency: {agency}. Response: {response}",
    ),
    "stopped": (
        "Anda tidak akan menerima SMS lagi dari layanan ini. Kirim INFO untuk bantuan.",
        "You will get no more SMS from this service. Send INFO for help.",
    ),
}


def say(key: str, language: str, **values: object) -> str:
    indonesian, english = TEXTS[key]
    text = english if language == "en" else indonesian
    return text.format(**values) if values else text
