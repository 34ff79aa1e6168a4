"""What Open311 clients show people, in Bahasa Indonesia and English.

The language is the one the client's ``Accept-Language`` prefers among ``id`` and
``en`` (``in`` is the old code for Indonesian); else the channel's own.
"""

from __future__ import annotations

#: key -> (Bahasa Indonesia, English); ``{field}`` and ``{value}`` are filled in
TEXTS: dict[str, tuple[str, str]] = {
    # errors
    "no_jurisdiction": ("jurisdiction_id wajib diisi", "jurisdiction_id was not provided"),
    "unknown_jurisdiction": (
        "jurisdiction_id {value} tidak ditemukan",
        "jurisdiction_id {value} was not found",
    ),
    "bad_api_key": (
        "api_key tidak ada atau tidak berlaku untuk jurisdiction_id ini",
        "api_key was not provided or is not valid for this jurisdiction_id",
    ),
    "unknown_service": (
        "service_code {value} tidak dikenal",
        "service_code {value} was not found",
    ),
    "unknown_request": (
        "service_request_id {value} tidak ditemukan",
        "service_request_id {value} was not found",
    ),
    "unknown_token": ("token {value} tidak ditemukan", "token {value} was not found"),
    "unknown_resource": (
        "tidak ada sumber daya Open311 di alamat ini",
        "there is no Open311 resource at this address",
    ),
    "method_not_allowed": (
        "metode {value} tidak berlaku di sini",
        "method {value} is not allowed here",
    ),
    "missing": ("{field} wajib diisi", "{field} is required"),
    "location_required": (
        "lokasi wajib diisi: lat dan long, address_string atau address_id",
        "a location is required: lat and long, address_string or address_id",
    ),
    "pair": ("{field} wajib diisi bersama {value}", "{field} is required with {value}"),
    "not_number": ("{field} harus berupa angka", "{field} must be a number"),
    "out_of_range": ("{field} di luar rentang {value}", "{field} is outside {value}"),
    "too_long": (
        "{field} terlalu panjang (paling banyak {value} karakter)",
        "{field} is too long (at most {value} characters)",
    ),
    "too_short": (
        "{field} terlalu pendek (paling sedikit {value} karakter)",
        "{field} is too short (at least {value} characters)",
    ),
    "bad_date": (
        "{field} bukan tanggal ISO 8601 (mis. 2026-03-21T08:15:00+07:00)",
        "{field} is not an ISO 8601 datetime (e.g. 2026-03-21T08:15:00+07:00)",
    ),
    "future_date": ("{field} tidak boleh di masa depan", "{field} must not be in the future"),
    "date_order": ("{field} sebelum start_date", "{field} is before start_date"),
    "range_too_long": (
        "start_date sampai end_date paling lama {value} hari",
        "start_date to end_date may span at most {value} days",
    ),
    "bad_choice": ("{field} harus salah satu dari: {value}", "{field} must be one of: {value}"),
    "unknown_attribute": (
        "{field} tidak dikenal untuk layanan ini",
        "{field} is not an attribute of this service",
    ),
    "bad_url": ("{field} harus URL http(s)", "{field} must be an http(s) URL"),
    "bad_phone": ("{field} bukan nomor telepon yang sah", "{field} is not a valid phone number"),
    "bad_email": ("{field} bukan alamat e-mail", "{field} is not an e-mail address"),
    "bad_value": ("{field} tidak valid", "{field} is not valid"),
    "too_many": ("{field}: paling banyak {value}", "{field}: at most {value}"),
    "bad_key_header": (
        "Idempotency-Key harus 1 sampai 100 karakter ASCII tanpa spasi",
        "Idempotency-Key must be 1 to 100 ASCII characters without spaces",
    ),
    "bad_body": (
        "isi permintaan tidak dapat dibaca ({value})",
        "the request body cannot be read ({value})",
    ),
    "bad_content_type": (
        "Content-Type permintaan tidak diterima; kirim application/x-www-form-urlencoded "
        "atau multipart/form-data",
        "the request's Content-Type is not accepted; send application/x-www-form-urlencoded "
        "or multipart/form-data",
    ),
    "no_files": (
        "{field}: berkas hanya diterima sebagai media (foto)",
        "{field}: a file is only accepted as media (a photo)",
    ),
    "media_type": (
        "{field}: jenis berkas tidak diterima; kirim foto JPEG, PNG atau WebP",
        "{field}: this kind of file is not accepted; send a JPEG, PNG or WebP photo",
    ),
    "media_too_large": (
        "{field}: berkas terlalu besar (paling besar {value})",
        "{field}: the file is too large (at most {value})",
    ),
    "unavailable": (
        "layanan sedang tidak tersedia; coba lagi",
        "the service is unavailable; try again",
    ),
    # what citizens read
    "notice_received": (
        "Laporan Anda diterima dan sedang diteruskan ke SP4N-LAPOR!; "
        "nomor pelacakan akan tampil di sini.",
        "Your report was received and is being forwarded to SP4N-LAPOR!; "
        "its tracking number will show here.",
    ),
    "notice_tracking": (
        "Nomor pelacakan SP4N-LAPOR!: {value}",
        "SP4N-LAPOR! tracking number: {value}",
    ),
    "status_note": ("Status laporan: {value}", "Report status: {value}"),
    "service_description": (
        "Laporan tentang {field} (topik SP4N-LAPOR!: {value})",
        "Report about {field} (SP4N-LAPOR! topic: {value})",
    ),
    "media_in_text": ("Foto/media: {value}", "Photo/media: {value}"),
    "contact": (
        "Admin gateway SP4N-LAPOR! pemerintah daerah Anda",
        "The SP4N-LAPOR! gateway administrator of your regional government",
    ),
    "key_service": (
        "api_key diberikan oleh admin pemerintah daerah (jurisdiction) Anda",
        "api_key is issued by the administrator of your regional government (jurisdiction)",
    ),
}

LANGUAGES = ("id", "en")


def text(key: str, language: str, **values: object) -> str:
    indonesian, english = TEXTS[key]
    template = english if language == "en" else indonesian
    return template.format(**{"field": "", "value": "", **values})


def preferred_language(accept_language: str | None, default: str = "id") -> str:
    """``id`` or ``en``, whichever ``accept_language`` ranks higher; ``default`` otherwise.

    Malformed parts are skipped; ``*`` and other languages do not count.
    """
    best, best_q = default, 0.0
    for position, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        language = {"in": "id"}.get(primary, primary)
        if language not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, number = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        if not 0.0 < q <= 1.0:
            continue
        q -= position * 1e-6  # equal q: the first named wins
        if q > best_q:
            best, best_q = language, q
    return best
