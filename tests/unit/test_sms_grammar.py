"""SMS bodies as citizens type them, read as commands; their senders' numbers."""

from __future__ import annotations

import pytest

from adapters.sms.grammar import Parsed, parse
from gateway.phone import to_e164


def report(text: str, keyword: str | None = None) -> Parsed:
    return Parsed("report", text=text, keyword=keyword)


def status(tracking_id: str | None, keyword: str) -> Parsed:
    return Parsed("status", tracking_id=tracking_id, keyword=keyword)


@pytest.mark.parametrize(
    ("sms", "expected"),
    [
        # reports with a keyword, every separator people use
        ("LAPOR jln rusak parah dpn SDN 2", report("jln rusak parah dpn SDN 2", "LAPOR")),
        ("lapor#sampah numpuk", report("sampah numpuk", "lapor")),
        ("LAPOR: air PDAM mati 3 hari", report("air PDAM mati 3 hari", "LAPOR")),
        ("LAPOR.Lampu jalan mati", report("Lampu jalan mati", "LAPOR")),
        ("Lapor  pungli   di\nkantor desa", report("pungli di kantor desa", "Lapor")),
        ("LAPOR : - banjir di Jl. Khatib", report("banjir di Jl. Khatib", "LAPOR")),
        ("REG LAPOR jembatan putus", report("jembatan putus", "LAPOR")),
        ("reg#lapor#Jembatan putus", report("Jembatan putus", "lapor")),
        ("LPR pelayanan puskesmas lambat", report("pelayanan puskesmas lambat", "LPR")),
        ("ADUAN guru sering tidak masuk", report("guru sering tidak masuk", "ADUAN")),
        ('"LAPOR sampah belum diangkut"', report("sampah belum diangkut", "LAPOR")),
        ("\u201clapor: PJU mati\u201d", report("PJU mati", "lapor")),
        ("/lapor jalan longsor", report("jalan longsor", "lapor")),
        ("LAPOR2 tiang listrik miring", report("2 tiang listrik miring", "LAPOR")),
        # a report keyword with nothing after it: the caller asks for the text
        ("lapor", report("", "lapor")),
        ("Lapor.", report("", "Lapor")),
        ("LAPOR#", report("", "LAPOR")),
        ("lapor pak", report("", "lapor")),
        ("REG LAPOR", report("", "LAPOR")),
        # free text: no keyword, or a keyword only as part of a longer word
        (
            "Assalamualaikum pak, mau lapor jalan rusak",
            report("Assalamualaikum pak, mau lapor jalan rusak"),
        ),
        ("Laporan saya jalan rusak", report("Laporan saya jalan rusak")),
        ("statusnya gimana", report("statusnya gimana")),
        ("Pelapor: Bu Ani, got mampet", report("Pelapor: Bu Ani, got mampet")),
        ("  jalan  berlubang\r\n di  km 5 ", report("jalan berlubang di km 5")),
        ("'Ini 'aspal' baru'", report("'Ini 'aspal' baru'")),  # not one quotation
        ('"Sampah" di "pasar"', report('"Sampah" di "pasar"')),
        ("REG jalan rusak", report("REG jalan rusak")),
        # status, with and without an ID
        (" Status  23456789 ", status("23456789", "Status")),
        ("STATUS", status(None, "STATUS")),
        ("cek 2345 6789", status("23456789", "cek")),
        ("CEK 2345-6789", status("23456789", "CEK")),
        ("STATUS#12345678", status("12345678", "STATUS")),
        ("status 1234 5678", status("12345678", "status")),
        ("status23456789", status("23456789", "status")),
        ("Cek no. 23456789", status("23456789", "Cek")),
        ("cek status laporan sy 23 456 789?", status("23456789", "cek")),
        ("CEK lpr-2026-000123", status("LPR-2026-000123", "CEK")),
        ("status laporan 23456789 sdh sampai mana?", status("23456789", "status")),
        ("cek 2345 6789 udah 2 minggu", status("23456789", "cek")),
        ("STATUS 1234", status(None, "STATUS")),  # too short for an ID
        ("cek laporan saya dong", status(None, "cek")),
        ("cek 2x24jam", status(None, "cek")),  # more letters than digits: no ID
        (
            "Cek jalan rusak di depan SD 2 sejak 2024",
            report("Cek jalan rusak di depan SD 2 sejak 2024"),
        ),
        # info
        ("info", Parsed("info", keyword="info")),
        ("INFO?", Parsed("info", keyword="INFO")),
        ("Bantuan", Parsed("info", keyword="Bantuan")),
        ("HELP", Parsed("info", keyword="HELP")),
        ("?", Parsed("info", keyword="?")),
        ("??", Parsed("info", keyword="??")),
        ("info dong min", Parsed("info", keyword="info")),
        ("Info cara lapor gimana ya?", Parsed("info", keyword="Info")),
        ("REG", Parsed("info", keyword="REG")),
        (
            "Info jalan rusak di depan SDN 2 Padang",
            report("Info jalan rusak di depan SDN 2 Padang"),
        ),
        # stop, strictly
        ("STOP", Parsed("stop", keyword="STOP")),
        ("Stop.", Parsed("stop", keyword="Stop")),
        ("berhenti", Parsed("stop", keyword="berhenti")),
        ("UNREG LAPOR", Parsed("stop", keyword="UNREG")),
        ("stop kirim sms", Parsed("stop", keyword="stop")),
        ("Stop pungli di sekolah", report("Stop pungli di sekolah")),
        # nothing to read
        ("", Parsed("empty")),
        ("   \n\t ", Parsed("empty")),
        ('""', Parsed("empty")),
        ("\ufeff", Parsed("empty")),
        ("...", Parsed("empty")),
        ("\U0001f44d", Parsed("empty")),
    ],
)
def test_parse(sms: str, expected: Parsed) -> None:
    assert parse(sms) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # mobile, as people and SMS gateways write it
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("0812.3456.7890", "+6281234567890"),
        ("(0812) 3456 7890", "+6281234567890"),
        ("0812/3456/7890", "+6281234567890"),
        ("081 234 567 890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),  # Kannel's %p
        ("6281234567890", "+6281234567890"),  # an aggregator's MSISDN
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-7890", "+6281234567890"),
        ("+62.812.3456.7890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("62-0812-3456-7890", "+6281234567890"),
        ("+62 (0) 812 3456 7890", "+6281234567890"),
        ("+62 0812 3456 7890", "+6281234567890"),
        ("(+62) 812 3456 7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("006281234567890", "+6281234567890"),
        ("+62\u00a0812\u00a03456\u00a07890", "+6281234567890"),
        ("\t0812 3456 7890\n", "+6281234567890"),
        ("tel:+6281234567890", "+6281234567890"),
        ("".join(chr(0xFF10 + int(d)) for d in "081234567890"), "+6281234567890"),  # full-width
        ("0812 3456 789", "+628123456789"),  # 11 digits
        ("0811-660-1234", "+628116601234"),
        ("0852 6543 2109", "+6285265432109"),
        ("0896-1234-5678", "+6289612345678"),
        # landlines with their area codes
        ("0751 123456", "+62751123456"),  # Padang
        ("(0751) 7051234", "+627517051234"),
        ("0751-7051234", "+627517051234"),
        ("+62 751 123456", "+62751123456"),
        ("62751123456", "+62751123456"),
        ("0062-751-123456", "+62751123456"),
        ("(021) 2912-3456", "+622129123456"),  # Jakarta
        ("021 5551234", "+62215551234"),
    ],
)
def test_sender_numbers_normalise(raw: str, expected: str) -> None:
    assert to_e164(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "1708",  # a short code
        "14045",
        "*123#",  # a USSD code
        "abc",
        "TELKOMSEL",  # an alphanumeric sender
        "0812-3456-789O",  # letter O for zero
        "08l2 3456 7890",  # letter l for one
        "0812345",
        "081234567890123",
        "0000000000",
        "+0812 3456 7890",
        "0812 3456 7890 / WA",
    ],
)
def test_bad_sender_numbers_raise(raw: str) -> None:
    with pytest.raises(ValueError):
        to_e164(raw)


@pytest.mark.parametrize("raw", ["0812\u20133456\u20137890", "0812 \u2013 3456 \u2013 7890"])
def test_numbers_with_typographic_dashes_normalise(raw: str) -> None:
    assert to_e164(raw) == "+6281234567890"
