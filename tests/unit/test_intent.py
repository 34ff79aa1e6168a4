"""What an SMS or chat text is (gateway.understanding.intent): only a new complaint may
become a ticket; thanks and chatter never do."""

from __future__ import annotations

import time

import pytest

from gateway.understanding.intent import IntentKind, read_intent

NEW, MORE, THANKS, STATUS, CHATTER = (
    IntentKind.NEW,
    IntentKind.MORE,
    IntentKind.THANKS,
    IntentKind.STATUS,
    IntentKind.CHATTER,
)


@pytest.mark.parametrize(
    ("text", "open_complaint", "after_status", "kind"),
    [
        # new: also with a greeting or thanks in front, very short, or sarcastic
        ("selamat pagi pak, lampu jalan di gang kami mati", False, False, NEW),
        ("jalan rusak depan pasar", False, False, NEW),
        ("Assalamualaikum, got depan rumah mampet, air masuk dapur", False, False, NEW),
        ("mantap pak, jalannya udah jadi kolam ikan", False, False, NEW),
        ("wah hebat, sudah 3 bulan sampah gak diangkut 👏", False, False, NEW),
        ("makasih pak. tp skrg jembatan di desa sebelah retak", False, True, NEW),
        ("The bridge near my village is cracked, please check", False, False, NEW),
        ("dalane bolong-bolong neng ngarep pasar", False, False, NEW),
        ("aia PDAM indak ado alah saminggu", False, False, NEW),
        # new although a complaint is open: another problem
        ("satu lagi pak, lampu di lapangan juga mati", True, True, NEW),
        ("jalan rusak di desa kami, hubungi saya 0812 3456 7890", False, False, NEW),  # no ID
        ("makasih pak, sudah beres. Tapi got depan rumah meluap", True, True, NEW),
        # more: about the open complaint
        ("masih belum diperbaiki pak", True, True, MORE),
        ("lokasinya tepatnya di samping masjid", True, False, MORE),
        ("ralat pak, rumah saya nomor 12 bukan 21", True, False, MORE),
        ("makasih pak tapi lampunya mati lagi", True, True, MORE),
        ("airnya keruh lagi pak", True, True, MORE),
        ("airnya keruh pak", True, True, MORE),  # refers back, answers a status message
        ("Selamat siang, mau lapor lampu jalan di Gg. Mawar mati", True, True, NEW),
        ("sudah seminggu kok belum diperbaiki", True, False, MORE),
        # thanks: nothing new to fix
        ("terima kasih pak, jalannya sudah diperbaiki", True, True, THANKS),
        ("ok makasih", True, True, THANKS),
        ("siap pak 🙏", True, True, THANKS),
        ("mantap, sudah beres", True, True, THANKS),
        ("alhamdulillah airnya sudah mengalir lagi, trims", True, True, THANKS),
        ("matur nuwun sanget pak", True, True, THANKS),
        ("👍👍", True, True, THANKS),
        ("Thank you, it's fixed now", True, True, THANKS),
        # status
        ("gimana laporan saya pak?", True, False, STATUS),
        ("status LPR-2026-000123", False, False, STATUS),
        ("sudah sampai mana ya laporannya", True, False, STATUS),
        ("cek 2345 6789", True, False, STATUS),
        ("cek lpr 2026 000123", False, False, STATUS),
        ("any update on my complaint?", True, False, STATUS),
        # chatter
        ("halo", False, False, CHATTER),
        ("tes", False, False, CHATTER),
        ("ini nomor apa ya", False, False, CHATTER),
        ("P", False, False, CHATTER),
        ("Selamat malam admin", False, False, CHATTER),
        ("cara lapor lewat sms gimana?", False, False, CHATTER),
        ("Syarat bikin KTP apa aja ya?", False, False, CHATTER),
        ("Selamat Hari Raya, mohon maaf lahir batin", False, False, CHATTER),
        ("Pinjaman dana tunai cair cepat tanpa agunan, klik link", False, False, CHATTER),
        ("", False, False, CHATTER),
        # complaints in English, as questions, regional or very short (the learned model)
        (
            "Hi admin, there have been daily power cuts in Padang's Air Tawar area for a "
            "week, usually 2-3 hours in the afternoon. Is there a schedule?",
            False,
            False,
            NEW,
        ),
        ("Is there no more rabies vaccine in Mamasa? my son bitten by dog", False, False, NEW),
        (
            "Min, sertifikat tanah ulun balum tuntung di BPN, sudah satahun. Kaya apa?",
            False,
            False,
            NEW,
        ),
        ("jukir gk ksh karcis", False, False, NEW),
        ("sengketa batas kebun gk selesai", False, False, NEW),
        ("lansia gk dpt ATENSI", False, False, NEW),
        ("sy mau lapor", False, False, NEW),
        # thanks and chatter with a problem's word in them
        ("makasih banyak, suara bising dari bengkel sudah tidak ada lagi", False, False, THANKS),
        ("mantul min, lubangnya sudah ditutup", True, True, THANKS),
        ("terima kasih pak, banjirnya sudah surut", True, True, THANKS),
        ("maaf mengganggu malam2", False, False, CHATTER),
        (
            "Info dari grup sebelah: PLN akan padamkan listrik 3 hari, tolong sebarkan",
            False,
            False,
            CHATTER,
        ),
        ("Kapan pendaftaran PPDB dibuka?", False, False, CHATTER),
    ],
)
def test_read_intent(text: str, open_complaint: bool, after_status: bool, kind: IntentKind) -> None:
    got = read_intent(text, open_complaint=open_complaint, after_status=after_status)
    assert got.kind is kind, got.why


@pytest.mark.parametrize(
    "text",
    [
        "terima kasih pak, jalannya sudah diperbaiki",
        "ok makasih pak",
        "makasih min 🙏",
        "hatur nuhun pisan",
        "halo selamat siang",
        "tes tes",
        "SELAMAT! Anda menang undian 50 juta, klik bit.ly/x",
        "Apakah layanan ini gratis?",
        "makasih min, pohon tumbang sdh dipotong petugas",
        "terima kasih, jalan yg tertutup longsor sudah bisa dilewati",
        "terimakasih, genangan di jalan sudah hilang setelah gorong2 dibersihkan",
        "maaf ganggu pak",
        "Tagihan kartu kredit Anda jatuh tempo, klik untuk bayar",
        "apa bedanya lapor sini sama lapor ke kelurahan?",
        "Selamat malam admin, hati2 hujan deras, semoga tidak ada longsor",
        "HATI2 ada penculikan anak di mana2, sebarkan ke grup keluarga",
        "min itu berita banjir di Padang bener gak? atau hoax",
        "apakah bisa lapor pungli lewat sini tanpa nama?",
        "Jual madu asli hutan Kalimantan, minat japri",
        "thank you, the flooding in our street is gone after the drain was cleared",
    ],
)
@pytest.mark.parametrize(("open_complaint", "after_status"), [(False, False), (True, True)])
def test_thanks_and_chatter_never_make_a_ticket(
    text: str, open_complaint: bool, after_status: bool
) -> None:
    got = read_intent(text, open_complaint=open_complaint, after_status=after_status)
    assert got.kind is not IntentKind.NEW, got.why


def test_more_needs_an_open_complaint() -> None:
    # the same words without an open complaint describe a problem: a new one
    assert read_intent("masih gelap pak, lampunya belum diganti").kind is IntentKind.NEW
    got = read_intent("masih gelap pak, lampunya belum diganti", open_complaint=True)
    assert got.kind is IntentKind.MORE


def test_fast() -> None:
    text = "Selamat pagi pak, mau lapor lampu jalan di Jl. Ryacudu mati sejak kemarin malam"
    read_intent(text)
    started = time.perf_counter()
    for _ in range(200):
        read_intent(text, open_complaint=True, after_status=True)
    assert (time.perf_counter() - started) / 200 < 0.005  # well under 5 ms even when loaded


def test_the_learned_model_overrules_only_without_an_open_complaint() -> None:
    # the same question is about the open complaint when there is one
    text = "Min, sertifikat tanah ulun balum tuntung di BPN, sudah satahun. Kaya apa?"
    assert read_intent(text).why == "the learned model reads a complaint"
    assert read_intent(text, open_complaint=True).kind is not IntentKind.NEW
