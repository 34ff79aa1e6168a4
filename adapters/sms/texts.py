"""What the SMS number answers to commands and to what a free text was read as
(thanks, a repeat, more about an open complaint), in Bahasa Indonesia and English.

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
    "thanks": (
        "Sama-sama, terima kasih atas partisipasi Anda. Kirim STATUS untuk laporan Anda.",
        "You are welcome, thank you for taking part. Send STATUS for your reports.",
    ),
    "repeat": (
        "Laporan ini sudah kami terima dengan nomor {ref}. Kirim STATUS {ref} untuk "
        "perkembangannya.",
        "We already have this report as {ref}. Send STATUS {ref} for its progress.",
    ),
    "repeat_pending": (
        "Laporan ini sudah kami terima dan sedang diteruskan ke SP4N-LAPOR!. Nomor "
        "laporan akan kami kirimkan.",
        "We already have this report and are forwarding it to SP4N-LAPOR!. We will send "
        "you its tracking number.",
    ),
    "more_sent": (
        "Tambahan Anda diteruskan ke SP4N-LAPOR! untuk laporan {ref}.",
        "Your addition has been forwarded to SP4N-LAPOR! for report {ref}.",
    ),
    "more_pending": (
        "Tambahan Anda kami catat dan diteruskan ke SP4N-LAPOR! bersama laporan Anda.",
        "We have noted your addition; it goes to SP4N-LAPOR! with your report.",
    ),
    "ask_place": (
        "Di mana lokasinya? Balas SMS ini dengan nama jalan, desa/kelurahan dan kecamatan.",
        "Where did it happen? Reply to this SMS with the street, village and district.",
    ),
}


def say(key: str, language: str, **values: object) -> str:
    indonesian, english = TEXTS[key]
    text = english if language == "en" else indonesian
    return text.format(**values) if values else text
