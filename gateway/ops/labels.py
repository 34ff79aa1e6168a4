"""The console's words: Bahasa Indonesia by default, English when the operator asks.

Every word a page shows passes through one :class:`Labels`, handed to the templates as
``t`` (``t.status(c.status)``, ``t.tenant(c.tenant)``) and ``_`` (``_("Ringkasan")``):
the templates are written in Indonesian and :data:`ENGLISH` translates their sentences.
The values the gateway stores (``verified``, ``half_open``, ``submit``) are shown in the
operator's words, the national ones as SP4N-LAPOR! names them (``terverifikasi``,
``terdisposisi``, ``ditindaklanjuti``); tenants by their name from their mapping,
agencies by their name from the national catalogue, with the code beside it in small.

The language is the ``?lang=`` of the request (``id`` or ``en``), remembered in the
``lapor_ops_lang`` cookie for the pages after it; without either it is Indonesian.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway import ops_status

LANGUAGES = ("id", "en")
COOKIE = "lapor_ops_lang"
#: a year: the choice outlives a session
COOKIE_AGE = 365 * 24 * 3600

#: a stored complaint status: (Indonesian, English). The national ones are the
#: registry's own words (DESIGN.md), the gateway's own ``received`` and ``failed`` too.
STATUS: dict[str, tuple[str, str]] = {
    "received": ("diterima", "received"),
    "submitted": ("belum terverifikasi", "not yet verified"),
    "verified": ("terverifikasi", "verified"),
    "dispatched": ("terdisposisi", "dispatched"),
    "in_progress": ("ditindaklanjuti", "followed up"),
    "resolved": ("selesai", "finished"),
    "rejected": ("diarsipkan", "archived"),
    "failed": ("gagal", "failed"),
}
#: a national status as the registry sends it (``belum_terverifikasi``)
NATIONAL: dict[str, tuple[str, str]] = {
    "belum_terverifikasi": STATUS["submitted"],
    "terverifikasi": STATUS["verified"],
    "terdisposisi": STATUS["dispatched"],
    "ditindaklanjuti": STATUS["in_progress"],
    "selesai": STATUS["resolved"],
    "diarsipkan": STATUS["rejected"],
}
JOB_STATE: dict[str, tuple[str, str]] = {
    "pending": ("menunggu", "pending"),
    "running": ("sedang dikirim", "running"),
    "done": ("terkirim", "done"),
    "failed": ("gagal", "failed"),
    "dismissed": ("diabaikan", "dismissed"),
}
JOB_KIND: dict[str, tuple[str, str]] = {
    "submit": ("kirim ke SP4N-LAPOR!", "submit to SP4N-LAPOR!"),
    "notify": ("kabar ke pelapor", "notify the reporter"),
    "comment": ("tanggapan pelapor", "reporter's comment"),
    "reply": ("balasan percakapan", "chat reply"),
}
#: the circuit breaker in front of the national registry
CIRCUIT: dict[str, tuple[str, str]] = {
    "closed": ("normal", "normal"),
    "open": ("terputus", "cut off"),
    "half_open": ("dicoba ulang", "trying again"),
}
#: one attempt at a job
OUTCOME: dict[str, tuple[str, str]] = {
    "ok": ("berhasil", "succeeded"),
    "retry": ("akan diulang", "will retry"),
    "throttled": ("dibatasi registri", "throttled by the registry"),
    "failed": ("gagal", "failed"),
    "lease_lost": ("diambil alih pekerja lain", "taken over by another worker"),
    "superseded": ("digantikan kabar lebih baru", "superseded by a newer update"),
    "released": ("dikembalikan ke antrean", "returned to the queue"),
}
ERROR_KIND: dict[str, tuple[str, str]] = {
    "retryable": ("dapat diulang", "retryable"),
    "throttled": ("dibatasi", "throttled"),
    "permanent": ("permanen", "permanent"),
    "invalid_input": ("data tidak valid", "invalid input"),
    "not_found": ("tidak ditemukan", "not found"),
    "unauthorized": ("tidak berwenang", "unauthorized"),
    "unavailable": ("tidak tersedia", "unavailable"),
    "too_large": ("terlalu besar", "too large"),
    "unsupported_media": ("jenis berkas tidak didukung", "unsupported media type"),
}
#: who wrote a history entry
SOURCE: dict[str, tuple[str, str]] = {
    "gateway": ("gateway", "gateway"),
    "national": ("SP4N-LAPOR!", "SP4N-LAPOR!"),
    "operator": ("operator", "operator"),
}
ACTION: dict[str, tuple[str, str]] = {
    "login": ("masuk", "signed in"),
    "login_failed": ("gagal masuk", "failed sign-in"),
    "logout": ("keluar", "signed out"),
    "retry_job": ("mengulang tugas", "retried a job"),
    "dismiss": ("mengabaikan tugas", "dismissed a job"),
    "edit_complaint": ("memperbaiki dan mengirim ulang", "corrected and resent"),
    "replay_input": ("memproses ulang masukan", "replayed an input"),
    "dismiss_input": ("mengabaikan masukan", "dismissed an input"),
    "reveal_personal_data": ("menampilkan data pribadi", "revealed personal data"),
}
INPUT_STATE: dict[str, tuple[str, str]] = {
    "accepted": ("diterima", "accepted"),
    "parsed": ("menjadi pengaduan", "became a complaint"),
    "quarantined": ("dikarantina", "quarantined"),
    "dismissed": ("diabaikan", "dismissed"),
}
CLASSIFICATION: dict[str, tuple[str, str]] = {
    "pengaduan": ("pengaduan", "complaint"),
    "aspirasi": ("aspirasi", "aspiration"),
    "permintaan_informasi": ("permintaan informasi", "information request"),
}
ROLE: dict[str, tuple[str, str]] = {
    "national": ("nasional", "national"),
    "tenant": ("operator penyelenggara", "tenant operator"),
    "read_only": ("hanya baca", "read only"),
}
#: the history notes the gateway writes (gateway.storage.complaints), as patterns
NOTES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^retried$"), "diulang oleh operator", "retried by an operator"),
    (
        re.compile(r"^received on channel (?P<channel>\S+)$"),
        "diterima lewat kanal {channel}",
        "received on channel {channel}",
    ),
    (
        re.compile(r"^national tracking ID (?P<id>\S+)$"),
        "ID pelacakan nasional {id}",
        "national tracking ID {id}",
    ),
    (
        re.compile(r"^not applied: (?P<a>\w+) cannot move to (?P<b>\w+)$"),
        "tidak diterapkan: status {a} tidak dapat berubah menjadi {b}",
        "not applied: {a} cannot move to {b}",
    ),
)

#: the templates' and pages' Indonesian sentences in English
ENGLISH: dict[str, str] = {
    # layout
    "Ringkasan": "Overview",
    "Pengaduan": "Complaints",
    "Tugas gagal": "Failed jobs",
    "SLA": "SLA",
    "Pengawasan": "Oversight",
    "Karantina": "Quarantine",
    "Masuk sebagai": "Signed in as",
    "Keluar": "Sign out",
    "konsol operator": "operator console",
    "Bahasa": "Language",
    # sign-in (gateway.ops.auth)
    "Masuk": "Sign in",
    "Nama pengguna": "Username",
    "Kata sandi": "Password",
    "Formulir kedaluwarsa, silakan coba lagi.": "The form expired; try again.",
    "Nama pengguna atau kata sandi salah.": "Wrong username or password.",
    "Terlalu banyak percobaan masuk; coba lagi dalam {n} detik.": (
        "Too many sign-in attempts; try again in {n} s."
    ),
    "Terlalu banyak percobaan masuk; coba lagi dalam {n} menit.": (
        "Too many sign-in attempts; try again in {n} min."
    ),
    "Ditolak": "Refused",
    "Token CSRF tidak cocok.": "CSRF token mismatch.",
    # lists and filters
    "Cari": "Search",
    "ID pelacakan, no. tiket, no. HP": "tracking ID, ticket no., phone no.",
    "Penyelenggara": "Tenant",
    "Semua": "All",
    "Kanal": "Channel",
    "Status": "Status",
    "Perlu ditinjau": "Needs review",
    "Lewat tenggat": "Past due",
    "Terapkan": "Apply",
    "Tampilkan": "Show",
    "Diterima": "Received",
    "No. tiket": "Ticket no.",
    "Judul": "Title",
    "ID pelacakan": "Tracking ID",
    "tinjau": "review",
    "Tidak ada pengaduan yang cocok.": "No complaint matches.",
    "Sebelumnya": "Previous",
    "Berikutnya": "Next",
    "Halaman": "Page",
    "dari": "of",
    # one complaint
    "Data pengaduan": "Complaint",
    "ID gateway": "Gateway ID",
    "Penyelenggara / kanal": "Tenant / channel",
    "nasional": "national",
    "Isi": "Content",
    "Klasifikasi / kategori": "Classification / category",
    "Instansi": "Agency",
    "Wilayah": "Region",
    "Lokasi": "Location",
    "Waktu kejadian": "Time of incident",
    "Alasan gagal": "Why it failed",
    "Tenggat verifikasi / tindak lanjut": "Verification / follow-up due",
    "Anonim / rahasia": "Anonymous / confidential",
    "ya": "yes",
    "tidak": "no",
    "Pelapor": "Reporter",
    "Nama": "Name",
    "Telepon": "Phone",
    "Email": "Email",
    "NIK": "NIK (ID number)",
    "Data pribadi ditampilkan; tindakan ini tercatat di log audit.": (
        "Personal data shown; this is recorded in the audit log."
    ),
    "Pengaduan rahasia: data pelapor disembunyikan seluruhnya sampai ditampilkan.": (
        "Confidential complaint: the reporter is withheld until revealed."
    ),
    "Tampilkan data pribadi": "Show personal data",
    "Pengaduan rahasia: data pelapor tidak dapat ditampilkan untuk peran Anda.": (
        "Confidential complaint: your role cannot see the reporter."
    ),
    "Riwayat": "History",
    "Belum ada riwayat.": "No history yet.",
    "Tugas pengiriman": "Delivery jobs",
    "Perbaiki dan kirim ulang": "Correct and resend",
    "Percobaan": "Attempt",
    "Hasil": "Outcome",
    "Mulai": "Started",
    "Durasi (ms)": "Duration (ms)",
    "Galat": "Error",
    "Pekerja": "Worker",
    "Belum ada percobaan.": "No attempt yet.",
    "Tidak ada tugas.": "No job.",
    "Log audit": "Audit log",
    "Waktu": "Time",
    "Operator": "Operator",
    "Tindakan": "Action",
    "Tugas": "Job",
    "Keterangan": "Detail",
    "Belum ada tindakan operator.": "No operator action yet.",
    "Masukan asli": "Original input",
    "diterima": "received",
    "status": "state",
    "Tidak ada masukan tersimpan.": "No stored input.",
    # jobs
    "Jenis": "Kind",
    "Diperbarui": "Updated",
    "Galat terakhir": "Last error",
    "percakapan": "conversation",
    "Perbaiki": "Correct",
    "Ulangi": "Retry",
    "Alasan": "Reason",
    "Abaikan": "Dismiss",
    "Tidak ada tugas berstatus": "No job in state",
    "tugas berstatus": "jobs in state",
    "terbaru lebih dulu.": "newest first.",
    # fix
    "Perbaiki pengiriman": "Correct submission",
    "ditolak registri nasional setelah": "was refused by the national registry after",
    "percobaan.": "attempts.",
    "Perbaiki nilai pemetaan di bawah lalu kirim ulang. Perubahan dan pengiriman ulang "
    "tercatat di log audit.": (
        "Correct the mapped values below and resend. The change and the resend are "
        "recorded in the audit log."
    ),
    "Topik nasional": "National topic",
    "tidak di katalog": "not in the catalogue",
    "Kode wilayah": "Region code",
    "Tanggal kejadian": "Date of incident",
    "Simpan dan kirim ulang": "Save and resend",
    # quarantine
    "Masukan": "Input",
    "Masukan dikarantina": "Quarantined inputs",
    "Masukan kanal yang tidak dapat menjadi pengaduan. Perbaiki dan proses ulang, atau "
    "abaikan dengan alasan.": (
        "Channel inputs that could not become complaints. Correct and replay them, or "
        "dismiss them with a reason."
    ),
    "masukan dikarantina.": "quarantined inputs.",
    "Rujukan": "Reference",
    "Masalah": "Problem",
    "Tidak ada masukan yang dikarantina.": "No quarantined input.",
    "Masih belum dapat diproses:": "Still cannot be processed:",
    "Perbaiki dan proses ulang": "Correct and replay",
    "Ubah nilai yang salah. Kolom data pribadi disembunyikan: biarkan kosong untuk "
    "mempertahankan nilainya.": (
        "Change the wrong values. Personal fields are hidden: leave them empty to keep "
        "their values."
    ),
    "Masukan kanal ini diproses ulang apa adanya (mis. setelah perbaikan perangkat lunak).": (
        "This channel's input is replayed as it is (e.g. after a software fix)."
    ),
    "Proses ulang": "Replay",
    "Masukan mentah": "Raw input",
    # overview
    "Hari ini": "Today",
    "Latensi: median dan persentil ke-95 panggilan ke SP4N-LAPOR! selama 1 jam terakhir.": (
        "Latency: median and 95th percentile of the calls to SP4N-LAPOR! in the last hour."
    ),
    "Grafik 7 hari:": "7-day chart:",
    "masuk": "received",
    "terkirim": "sent",
    "Masuk hari ini": "Received today",
    "Terkirim hari ini": "Sent today",
    "Menunggu": "Waiting",
    "Tertua belum terkirim": "Oldest unsent",
    "Sirkuit": "Circuit",
    "Per kanal hari ini": "Per channel today",
    "Latensi median": "Median latency",
    "Latensi p95": "p95 latency",
    "7 hari terakhir": "Last 7 days",
    "gagal": "failed",
    "Tidak ada penyelenggara yang dapat Anda lihat.": "No tenant you can see.",
    # SLA
    "Lewat tenggat SLA": "Past SLA due dates",
    "Pengaduan yang melewati tenggat verifikasi (belum diverifikasi) atau tenggat tindak "
    "lanjut (belum selesai), per hari ini": (
        "Complaints past their verification due date (not verified) or follow-up due date "
        "(not finished), as of today"
    ),
    "Paling lama terlambat di atas.": "Most overdue first.",
    "pengaduan lewat tenggat.": "complaints past due.",
    "Tenggat terlewat": "Missed due dates",
    "(belum ada)": "(none yet)",
    "verifikasi": "verification",
    "tindak lanjut": "follow-up",
    "hari": "days",
    "Tidak ada pengaduan yang lewat tenggat.": "No complaint is past due.",
    # messages (gateway.ops.rendering, pages, repair_pages)
    "Kembali ke ringkasan": "Back to the overview",
    "Tidak ditemukan": "Not found",
    "Data ini tidak ada atau bukan wewenang Anda.": "This does not exist or is not yours to see.",
    "Tidak diizinkan": "Not allowed",
    "Peran Anda tidak mengizinkan tindakan ini.": "Your role does not allow this.",
    "Tidak diulang": "Not retried",
    "Tugas ini sudah tidak berstatus gagal.": "This job is no longer failed.",
    "Alasan wajib diisi": "A reason is required",
    "Tuliskan alasan pengabaian tugas.": "Write why the job is dismissed.",
    "Tidak diabaikan": "Not dismissed",
    "Tidak dapat diperbaiki": "Cannot be corrected",
    "Hanya pengiriman yang gagal.": "Only a failed submission can.",
    "Tidak dapat diulang": "Cannot be replayed",
    "Kanal ini tidak dapat memproses ulang.": "This channel cannot replay.",
    "Tuliskan alasan pengabaian masukan.": "Write why the input is dismissed.",
    "Tugas ini sudah tidak berstatus gagal, atau bukan pengiriman.": (
        "This job is no longer failed, or is not a submission."
    ),
    "Pengaduan ini sudah tercatat di registri nasional.": (
        "This complaint is already in the national registry."
    ),
    "Masukan ini sudah tidak dikarantina.": "This input is no longer quarantined.",
}


def _pick(table: Mapping[str, tuple[str, str]], value: str | None, language: str) -> str:
    if value is None:
        return "-"
    words = table.get(value)
    if words is None:
        return value
    return words[1] if language == "en" else words[0]


@dataclass(frozen=True)
class Labels:
    """The words of one page: its language, the tenants' and agencies' names."""

    language: str = "id"
    #: tenant slug -> its name (the mapping's ``name``)
    tenants: Mapping[str, str] = field(default_factory=dict)

    def text(self, sentence: str) -> str:
        """An Indonesian sentence of a template or a page, in the page's language."""
        return ENGLISH.get(sentence, sentence) if self.language == "en" else sentence

    __call__ = text

    @property
    def other(self) -> str:
        """The language the switch offers."""
        return "id" if self.language == "en" else "en"

    def status(self, value: str | None) -> str:
        return _pick(STATUS, value, self.language)

    def duration(self, seconds: float | None) -> str:
        """``95`` as ``1 mnt 35 dtk``, or ``1 min 35 s`` in English."""
        words = ops_status.WORDS if self.language != "en" else ops_status.WORDS_EN
        return ops_status.duration(seconds, words)

    def national(self, value: str | None) -> str:
        return _pick(NATIONAL, value, self.language)

    def job_state(self, value: str | None) -> str:
        return _pick(JOB_STATE, value, self.language)

    def job_kind(self, value: str | None) -> str:
        return _pick(JOB_KIND, value, self.language)

    def circuit(self, value: str | None) -> str:
        return _pick(CIRCUIT, value, self.language)

    def outcome(self, value: str | None) -> str:
        return _pick(OUTCOME, value, self.language)

    def error_kind(self, value: str | None) -> str:
        return _pick(ERROR_KIND, value, self.language)

    def source(self, value: str | None) -> str:
        return _pick(SOURCE, value, self.language)

    def action(self, value: str | None) -> str:
        return _pick(ACTION, value, self.language)

    def input_state(self, value: str | None) -> str:
        return _pick(INPUT_STATE, value, self.language)

    def classification(self, value: str | None) -> str:
        return _pick(CLASSIFICATION, value, self.language)

    def role(self, value: str | None) -> str:
        return _pick(ROLE, value, self.language)

    def note(self, note: str | None) -> str:
        """A history note the gateway wrote, in the page's language; others as written
        (a registry's or an operator's own words)."""
        if not note:
            return ""
        for pattern, indonesian, english in NOTES:
            found = pattern.match(note)
            if found:
                # the statuses a note names in words; tracking IDs and channels as written
                values = {
                    k: self.status(v) if k in ("a", "b") else v
                    for k, v in found.groupdict().items()
                }
                return (english if self.language == "en" else indonesian).format(**values)
        return note

    def tenant(self, slug: str | None) -> str:
        """A tenant by its name; the slug when the gateway has no such tenant."""
        if not slug:
            return "-"
        return self.tenants.get(slug, slug)

    def agency(self, code: str | None, name: str | None = None) -> str:
        """An agency by its name (the complaint's, else the code)."""
        return name or code or "-"


#: the words of a page without an operator's choice (sign-in, refusals)
INDONESIAN = Labels()


def language_of(request: Request) -> str:
    """The language asked for (``?lang=``), else the one remembered, else Indonesian."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(COOKIE, "")
    return kept if kept in LANGUAGES else "id"


def remember(request: Request, response: Response) -> None:
    """Keep a language the request asked for (``?lang=``) for the pages after it."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_AGE,
            path="/ops",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def tenant_names(tenants: Mapping[str, Any] | None) -> dict[str, str]:
    """Each tenant's name from its mapping (``Tenant.spec.name``)."""
    if not tenants:
        return {}
    return {slug: str(t.spec.name) for slug, t in tenants.items()}


def for_language(language: str, tenants: Mapping[str, Any] | None = None) -> Labels:
    return Labels(language if language in LANGUAGES else "id", tenant_names(tenants))
