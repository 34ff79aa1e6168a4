"""What the conversation says, in Bahasa Indonesia and English.

Citizens read Indonesian unless they ask for English (``/english`` or the button).
The tenant's reply templates (``mappings/<tenant>.yaml``) tell status changes; these
texts run the conversation. A channel adds its own few (Telegram's: a group chat, a
file it could not fetch) with :func:`say`'s ``texts``.
"""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: dict[str, tuple[str, str]] = {
    "welcome": (
        "Selamat datang di layanan pengaduan {name}.\n\n"
        "Laporan Anda diteruskan ke SP4N-LAPOR!, sistem pengaduan pelayanan publik "
        "nasional, dan jawabannya kami kirim di sini.\n\n"
        "• Ketik langsung keluhan Anda, atau tekan /lapor untuk dipandu.\n"
        "• /status untuk melihat laporan Anda.\n"
        "• /batal untuk membatalkan laporan yang sedang diisi.",
        "Welcome to the complaint service of {name}.\n\n"
        "Your report goes to SP4N-LAPOR!, Indonesia's national public-service complaint "
        "system, and its answers come back here.\n\n"
        "• Type your complaint, or press /lapor to be guided.\n"
        "• /status shows your reports.\n"
        "• /batal cancels the report you are writing.",
    ),
    "btn_report": ("📝 Buat laporan", "📝 New report"),
    "btn_status": ("📋 Laporan saya", "📋 My reports"),
    "btn_lang": ("🇬🇧 English", "🇮🇩 Bahasa Indonesia"),
    "ask_what": (
        "Apa yang terjadi? Ceritakan keluhan Anda dengan jelas (apa, siapa, dampaknya).",
        "What happened? Describe your complaint clearly (what, who, the impact).",
    ),
    "too_short": (
        "Mohon ceritakan sedikit lebih lengkap (paling sedikit 10 huruf).",
        "Please tell a little more (at least 10 letters).",
    ),
    "ask_category": (
        "Laporan ini tentang apa? Pilih yang paling sesuai:",
        "What is this report about? Choose the closest:",
    ),
    "ask_where": (
        "Di mana kejadiannya? Ketik alamat atau patokannya, atau kirim lokasi (📎 → Lokasi).",
        "Where did it happen? Type the address or a landmark, or send a location (📎 → Location).",
    ),
    "ask_when": (
        "Kapan terjadinya? Misalnya: hari ini, kemarin, 3 hari lalu, 12/07/2026.",
        "When did it happen? For example: today, yesterday, 3 days ago, 12/07/2026.",
    ),
    "bad_when": (
        "Maaf, tanggalnya belum saya pahami. Contoh: kemarin, 2 hari lalu, 12/07/2026, "
        "12 Juli 2026. Atau tekan Lewati.",
        "Sorry, I did not understand the date. For example: yesterday, 2 days ago, "
        "12/07/2026. Or press Skip.",
    ),
    "btn_today": ("Hari ini", "Today"),
    "btn_yesterday": ("Kemarin", "Yesterday"),
    "btn_skip": ("Lewati", "Skip"),
    "ask_photo": (
        "Ada foto? Kirim satu foto (atau dokumen PDF) sebagai bukti, atau tekan Lewati.",
        "Any photo? Send one (or a PDF document) as evidence, or press Skip.",
    ),
    "file_failed": (
        "Maaf, lampiran itu tidak dapat kami terima ({reason}). Laporan Anda tetap bisa "
        "dilanjutkan tanpa lampiran itu.",
        "Sorry, that attachment could not be received ({reason}). Your report can go on "
        "without it.",
    ),
    "reason_type": (
        "jenisnya tidak didukung; kirim PDF atau gambar JPG, PNG, WEBP",
        "its type is not supported; send a PDF or a JPG, PNG or WEBP image",
    ),
    "photo_failed": (
        "Maaf, foto itu tidak dapat kami terima ({reason}). Silakan kirim ulang atau "
        "lanjutkan tanpa foto.",
        "Sorry, that photo could not be received ({reason}). Send it again or go on without it.",
    ),
    "reason_too_large": ("ukurannya lebih dari {size}", "it is larger than {size}"),
    "ask_anonymous": (
        "Tampilkan nama Anda kepada instansi yang menangani? Jika anonim, identitas Anda "
        "tidak diteruskan.",
        "Show your name to the agency handling it? If anonymous, your identity is not passed on.",
    ),
    "btn_named": ("Tampilkan nama saya", "Show my name"),
    "btn_anonymous": ("Anonim", "Anonymous"),
    "summary": (
        "Periksa laporan Anda:\n\n"
        "📝 {what}\n📍 {where}\n📅 {when}\n🏷 {topic}\n📎 {photos} lampiran\n👤 {who}\n\n",
        "Check your report:\n\n"
        "📝 {what}\n📍 {where}\n📅 {when}\n🏷 {topic}\n📎 {photos} attachment(s)\n👤 {who}\n\n",
    ),
    "confirm_tail": (
        "Kirim ke SP4N-LAPOR!? Dengan Kirim anonim, nama Anda tidak diteruskan ke instansi. "
        "Anda masih bisa menambah foto atau dokumen sebelum mengirim.",
        "Send it to SP4N-LAPOR!? With Send anonymously, your name is not passed to the "
        "agency. You can still add a photo or a document before sending.",
    ),
    "topic_tail": (
        "Laporan ini tentang apa? Pilih topik yang paling sesuai, atau Lainnya jika tidak ada "
        "yang cocok (petugas yang akan menentukan).",
        "What is this report about? Choose the closest topic, or Other if none fits (an "
        "officer will decide).",
    ),
    "topic_unsure": ("(belum pasti)", "(not sure yet)"),
    "topic_other": ("Lainnya (ditentukan petugas)", "Other (an officer decides)"),
    "btn_other": ("Lainnya", "Other"),
    "unknown": ("(tidak disebutkan)", "(not given)"),
    "anonymous": ("anonim", "anonymous"),
    "btn_send": ("✅ Kirim", "✅ Send"),
    "btn_send_anon": ("🕶 Kirim anonim", "🕶 Send anonymously"),
    "btn_cancel": ("❌ Batal", "❌ Cancel"),
    "press_send": (
        "Tekan ✅ Kirim untuk mengirim laporan, atau ❌ Batal.",
        "Press ✅ Send to send the report, or ❌ Cancel.",
    ),
    "received": (
        "Terima kasih. Laporan Anda sudah kami terima dan sedang diteruskan ke "
        "SP4N-LAPOR!. Nomor pelacakan akan kami kirim di sini.",
        "Thank you. Your report is received and on its way to SP4N-LAPOR!. The tracking "
        "number will follow here.",
    ),
    "cancelled": ("Laporan dibatalkan.", "Report cancelled."),
    "ask_replace": (
        "Laporan sebelumnya belum dikirim. Lanjutkan laporan itu, atau buang dan mulai "
        "laporan baru?",
        "Your previous report is not sent yet. Go on with it, or discard it and start a new one?",
    ),
    "ask_add_or_new": (
        "Laporan sebelumnya belum dikirim. Tambahkan pesan ini ke laporan itu, atau "
        "jadikan laporan baru (laporan sebelumnya dibuang)?",
        "Your previous report is not sent yet. Add this message to it, or make it a new "
        "report (the previous one is discarded)?",
    ),
    "btn_add": ("✏️ Tambahkan ke laporan sebelumnya", "✏️ Add to the previous report"),
    "btn_keep": ("↩️ Lanjutkan laporan sebelumnya", "↩️ Go on with the previous report"),
    "btn_fresh": ("🆕 Mulai laporan baru", "🆕 Start a new report"),
    "thanks_reply": (
        "Sama-sama, terima kasih kembali. Jika ada keluhan lain, ketik saja di sini.",
        "You are welcome, thank you too. If there is anything else, just type it here.",
    ),
    "offer_report": (
        "Jika pesan Anda tadi adalah keluhan, tekan tombol di bawah ini untuk melaporkannya.",
        "If your message was a complaint, press the button below to report it.",
    ),
    "btn_report_this": ("📝 Laporkan pesan ini", "📝 Report this message"),
    "short_help": (
        "Untuk melapor, ketik keluhan Anda: apa yang terjadi, di mana dan kapan. "
        "/status untuk melihat laporan Anda, /bantuan untuk petunjuk lengkap.",
        "To report, type your complaint: what happened, where and when. /status shows "
        "your reports, /bantuan the full help.",
    ),
    "repeat": (
        "Laporan yang sama sudah kami terima dengan nomor {ref}; tidak perlu dikirim "
        "ulang. Perkembangannya kami kabarkan di sini, atau ketik /status {ref}.",
        "The same report is already received as number {ref}; no need to send it again. "
        "We tell its progress here, or type /status {ref}.",
    ),
    "repeat_pending": (
        "Laporan yang sama sudah kami terima dan sedang diteruskan ke SP4N-LAPOR!; tidak "
        "perlu dikirim ulang. Nomor pelacakannya akan kami kirim di sini.",
        "The same report is already received and on its way to SP4N-LAPOR!; no need to "
        "send it again. Its tracking number will follow here.",
    ),
    "nothing_to_cancel": (
        "Tidak ada laporan yang sedang diisi.",
        "There is no report being written.",
    ),
    "stale_button": ("Tombol ini sudah tidak berlaku.", "This button is no longer valid."),
    "no_reports": (
        "Belum ada laporan dari chat ini. Ketik keluhan Anda untuk mulai.",
        "No reports from this chat yet. Type your complaint to begin.",
    ),
    "reports_header": ("Laporan Anda:", "Your reports:"),
    "report_line": ("• {ref} — {status}\n  {title}", "• {ref} — {status}\n  {title}"),
    "pending_ref": ("(menunggu nomor)", "(number pending)"),
    "report_detail": (
        "Nomor: {ref}\nStatus: {status}\nInstansi: {agency}\nBatas tindak lanjut: {due}\n"
        "Tanggapan: {response}\n\n{title}",
        "Number: {ref}\nStatus: {status}\nAgency: {agency}\nFollow-up due: {due}\n"
        "Response: {response}\n\n{title}",
    ),
    "report_not_found": (
        "Laporan {ref} tidak ditemukan di chat ini.",
        "Report {ref} was not found in this chat.",
    ),
    "comment_sent": (
        "Tanggapan Anda diteruskan ke SP4N-LAPOR! untuk laporan {ref}.",
        "Your reply is passed to SP4N-LAPOR! for report {ref}.",
    ),
    "unsupported": (
        "Maaf, saya belum bisa membaca {kind}. Silakan ketik keluhan Anda, kirim foto atau lokasi.",
        "Sorry, I cannot read {kind} yet. Please type your complaint, or send a photo or "
        "a location.",
    ),
    "language_set": ("Bahasa diubah ke Bahasa Indonesia.", "Language set to English."),
    "contact_saved": (
        "Nomor HP Anda disimpan untuk laporan ini.",
        "Your phone number is saved for this report.",
    ),
}

#: how a message kind is named in "I cannot read ..."
KINDS: dict[str, tuple[str, str]] = {
    "sticker": ("stiker", "stickers"),
    "voice": ("pesan suara", "voice messages"),
    "audio": ("file audio", "audio files"),
    "video": ("video", "videos"),
    "video_note": ("video bulat", "video notes"),
    "animation": ("GIF", "GIFs"),
    "poll": ("polling", "polls"),
    "dice": ("dadu", "dice"),
    "other": ("pesan jenis ini", "this kind of message"),
}


def say(
    key: str, language: str, texts: Mapping[str, tuple[str, str]] = TEXTS, **values: object
) -> str:
    indonesian, english = texts[key]
    text = english if language == "en" else indonesian
    return text.format(**values) if values else text


def kind_name(kind: str, language: str) -> str:
    indonesian, english = KINDS.get(kind, KINDS["other"])
    return english if language == "en" else indonesian
