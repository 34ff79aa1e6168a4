"""SMS encoding at its boundaries, and replies fitted into a number of parts."""

from __future__ import annotations

import random
import re

import pytest

from adapters.sms.gsm import GSM7_BASIC, GSM7_EXTENSION, Encoded, fit, is_gsm7, septets, split

EMOJI = "\U0001f600"  # 😀, a surrogate pair in UTF-16
THUMBS_UP_TONED = "\U0001f44d\U0001f3fd"  # 👍🏽, a modifier sequence

REPLY = (
    "Laporan 23456789 ditindaklanjuti oleh Dinas PUPR Provinsi Sumatera Barat: "
    "\u201cTerima kasih atas laporan Bapak/Ibu. Tim kami telah melakukan peninjauan lapangan "
    "pada ruas jalan Padang\u2013Bukittinggi km 23 pada 12/07/2026 dan menjadwalkan "
    "penambalan lubang serta perbaikan saluran drainase di kedua sisi jalan pada minggu "
    "ketiga bulan ini, setelah proses pengadaan material selesai. Mohon bersabar karena "
    "pekerjaan bergantung pada cuaca\u2026 Selama pekerjaan berlangsung, arus lalu lintas "
    "akan diatur bergantian oleh petugas Dinas Perhubungan dan kepolisian setempat; "
    "pengendara diimbau melewati jalur alternatif melalui Padang Panjang. Informasi lebih "
    "lanjut dapat dilihat di lapor.go.id atau hubungi call center kami di (0751) 123456.\u201d"
)
PLAIN_REPLY = (
    REPLY.replace("\u201c", '"')
    .replace("\u201d", '"')
    .replace("\u2013", "-")
    .replace("\u2026", "...")
)


def units(part: str, encoding: str) -> int:
    """A part's length as the network counts it."""
    if encoding == "gsm7":
        return septets(part)
    return len(part.encode("utf-16-le")) // 2  # raises on a lone surrogate


def assert_well_split(text: str, encoded: Encoded) -> None:
    assert "".join(encoded.parts) == text
    assert encoded.count == len(encoded.parts)
    if encoded.count == 1:
        assert units(text, encoded.encoding) <= (160 if encoded.encoding == "gsm7" else 70)
        return
    limit = 153 if encoded.encoding == "gsm7" else 67
    for before, after in zip(encoded.parts, encoded.parts[1:], strict=False):
        assert units(before, encoded.encoding) <= limit
        # mid-word only when the part holds one word longer than a part
        if not (before[-1].isspace() or after[0].isspace()):
            assert not re.search(r"\s", before.strip())
    assert units(encoded.parts[-1], encoded.encoding) <= limit


# the alphabet


def test_alphabet_tables() -> None:
    assert len(GSM7_BASIC) == 128
    assert len(set(GSM7_BASIC)) == 128
    assert GSM7_BASIC[0x00] == "@"
    assert GSM7_BASIC[0x1B] == "\x1b"
    assert GSM7_BASIC[0x24] == "\u00a4"
    assert GSM7_BASIC[0x41] == "A"
    assert GSM7_BASIC[0x7F] == "\u00e0"
    assert set(GSM7_EXTENSION) == set("\f^{}\\[~]|\u20ac")
    assert not set(GSM7_BASIC) & set(GSM7_EXTENSION)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("Laporan Anda diterima.", True),
        ("Rp 50.000 @ Jl. Sudirman #5 (RT 03/RW 02)", True),
        ("caf\u00e9 \u00e0 \u00c9cole \u00c4\u00d6\u00dc\u00e4\u00f6\u00fc\u00df", True),
        ("harga {naik} [lagi] ~5% | \u20ac1 ^ \\", True),
        ("\u0394\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e", True),  # Greek capitals
        ("baris 1\nbaris 2\r\n", True),
        ("\u201ckutip\u201d", False),
        ("Padang\u2013Bukittinggi", False),
        ("tunggu\u2026", False),
        ("tab\there", False),
        ("\u0101", False),  # ā
        ("\u00e7", False),  # ç: only the capital is in the table
        (EMOJI, False),
        ("\u0627\u0644\u0633\u0644\u0627\u0645", False),  # Arabic
        ("\u4f60\u597d", False),
        ("\x1b", False),  # the escape is no character
        ("`", False),
    ],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 0), ("abc", 3), ("a\nb", 3), ("\u20ac", 2), ("{x}", 5), (GSM7_EXTENSION, 20)],
)
def test_septets(text: str, expected: int) -> None:
    assert septets(text) == expected


def test_septets_refuses_text_outside_the_alphabet() -> None:
    with pytest.raises(ValueError, match="U\\+0101"):
        septets("jalan \u0101")


# split at the boundaries


@pytest.mark.parametrize(
    ("text", "encoding", "sizes"),
    [
        ("", "gsm7", [0]),
        ("a" * 160, "gsm7", [160]),
        ("a" * 161, "gsm7", [153, 8]),
        ("a" * 153 * 2, "gsm7", [153, 153]),
        ("a" * 153 * 3, "gsm7", [153, 153, 153]),
        ("a" * (153 * 3 + 1), "gsm7", [153, 153, 153, 1]),
        ("\u20ac" * 80, "gsm7", [160]),  # 80 characters, 160 septets
        ("a" * 159 + "\u20ac", "gsm7", [153, 8]),  # 161 septets
        ("a" * 152 + "\u20ac" + "a" * 7, "gsm7", [152, 9]),  # the € goes whole to part 2
        ("a" * 152 + "{" + "a" * 10, "gsm7", [152, 12]),  # no room for the escape pair
        ("a" * 151 + "{" + "a" * 10, "gsm7", [153, 10]),  # exactly room for it
        ("\u0101" * 70, "ucs2", [70]),
        ("\u0101" * 71, "ucs2", [67, 4]),
        ("\u0101" * 67 * 3, "ucs2", [67, 67, 67]),
        ("a" * 68 + EMOJI, "ucs2", [70]),  # 70 code units
        ("a" * 69 + EMOJI, "ucs2", [67, 4]),  # 71 code units
        ("a" * 66 + EMOJI + "a" * 10, "ucs2", [66, 12]),
        ("a" * 65 + EMOJI + "a" * 10, "ucs2", [67, 10]),
        ("a" * 65 + THUMBS_UP_TONED + "a" * 10, "ucs2", [65, 14]),  # tone kept with its hand
    ],
)
def test_split_boundaries(text: str, encoding: str, sizes: list[int]) -> None:
    encoded = split(text)
    assert encoded.encoding == encoding
    assert [units(part, encoding) for part in encoded.parts] == sizes
    assert encoded.count == len(sizes)
    assert_well_split(text, encoded)


def test_split_one_character_forces_ucs2() -> None:
    text = "Laporan Anda sudah diterima " + EMOJI
    assert split(text).encoding == "ucs2"
    assert split(text.replace(EMOJI, ":)")).encoding == "gsm7"


def test_split_breaks_at_whitespace() -> None:
    text = ("kata " * 40).strip()  # 199 characters
    encoded = split(text)
    assert encoded.parts == ["kata " * 30, ("kata " * 10).strip()]
    assert_well_split(text, encoded)


def test_split_breaks_at_a_newline() -> None:
    text = "a" * 100 + "\n" + "b" * 100
    assert split(text).parts == ["a" * 100 + "\n", "b" * 100]


def test_split_hard_cuts_a_word_longer_than_a_part() -> None:
    url = "https://lapor.go.id/laporan/" + "x" * 300
    encoded = split("Lihat " + url)
    assert encoded.parts[0] == "Lihat "
    assert [len(part) for part in encoded.parts[1:]] == [153, 153, 22]


def test_split_reply() -> None:
    encoded = split(PLAIN_REPLY)
    assert encoded.encoding == "gsm7"
    assert encoded.count == 5
    assert_well_split(PLAIN_REPLY, encoded)
    assert split(REPLY).encoding == "ucs2"  # the curly quotes alone do it
    assert split(REPLY).count == 12


# fit


@pytest.mark.parametrize(
    ("max_parts", "expected"),
    [
        (
            1,
            'Laporan 23456789 ditindaklanjuti oleh Dinas PUPR Provinsi Sumatera Barat: "Terima '
            "kasih atas laporan Bapak/Ibu. Tim kami telah melakukan peninjauan lapangan..",
        ),
        (
            2,
            'Laporan 23456789 ditindaklanjuti oleh Dinas PUPR Provinsi Sumatera Barat: "Terima '
            "kasih atas laporan Bapak/Ibu. Tim kami telah melakukan peninjauan lapangan pada ruas "
            "jalan Padang-Bukittinggi km 23 pada 12/07/2026 dan menjadwalkan penambalan lubang "
            "serta perbaikan saluran drainase di kedua sisi..",
        ),
    ],
)
def test_fit_reply(max_parts: int, expected: str) -> None:
    assert fit(REPLY, max_parts) == expected


@pytest.mark.parametrize("max_parts", [1, 2, 3, 4])
def test_fit_reply_cuts_after_the_last_word_that_fits(max_parts: int) -> None:
    fitted = fit(REPLY, max_parts)
    assert split(fitted).encoding == "gsm7"
    assert split(fitted).count == max_parts
    assert fitted.endswith("..")
    kept = fitted.removesuffix("..")
    assert PLAIN_REPLY.startswith(kept)
    assert PLAIN_REPLY[len(kept)] == " "  # whole words only
    next_word = PLAIN_REPLY[: PLAIN_REPLY.index(" ", len(kept) + 1)]
    assert split(next_word + "..").count > max_parts  # and as many as fit


def test_fit_leaves_a_text_that_fits() -> None:
    assert fit(PLAIN_REPLY, 5) == PLAIN_REPLY
    assert fit("Laporan Anda diterima.") == "Laporan Anda diterima."
    assert fit("a" * 160) == "a" * 160
    assert fit("") == ""


def test_fit_exactly_one_more_septet() -> None:
    assert fit("kata " * 31 + "kataku") == ("kata " * 31).strip() + ".."  # 161
    assert fit("kata " * 31 + "katak") == "kata " * 31 + "katak"  # 160
    assert fit("a " * 79 + "a\u20ac") == ("a " * 79).strip() + ".."  # the € costs two
    assert fit("a " * 79 + "\u20ac") == "a " * 79 + "\u20ac"


def test_fit_drops_dangling_punctuation_before_the_marker() -> None:
    text = "a" * 150 + ", " + "b" * 20
    assert fit(text) == "a" * 150 + ".."


def test_fit_hard_cuts_a_first_word_longer_than_a_part() -> None:
    assert fit("x" * 200) == "x" * 158 + ".."
    assert fit("x" * 400, 2) == "x" * 304 + ".."


def test_fit_does_not_cut_a_long_word_that_is_not_first() -> None:
    assert fit("Lihat https://lapor.go.id/" + "x" * 200) == "Lihat.."


def test_fit_ucs2() -> None:
    text = "Terima kasih " + EMOJI + " " + "kata " * 20
    fitted = fit(text)
    assert split(fitted).encoding == "ucs2"
    assert units(fitted, "ucs2") <= 70
    assert fitted == "Terima kasih " + EMOJI + " " + ("kata " * 10).strip() + ".."


def test_fit_never_splits_a_surrogate_pair() -> None:
    fitted = fit(EMOJI * 50)
    assert fitted == EMOJI * 34 + ".."  # 68 code units and the marker
    assert units(fitted, "ucs2") == 70


def test_fit_cutting_off_the_only_emoji_leaves_gsm7() -> None:
    text = "kata " * 40 + EMOJI
    fitted = fit(text)
    assert split(fitted).encoding == "gsm7"
    assert fitted == ("kata " * 31).strip() + ".."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u201cJalan\u201d sudah diperbaiki", '"Jalan" sudah diperbaiki'),
        ("Dinas\u2019s reply \u2018ok\u2019", "Dinas's reply 'ok'"),
        ("Padang\u2013Bukittinggi \u2014 km 23", "Padang-Bukittinggi - km 23"),
        ("tunggu\u2026", "tunggu..."),
        ("Rp\u00a050.000", "Rp 50.000"),
        ("lapor\u200b.go.id", "lapor.go.id"),
        ("\u00abkutip\u00bb", '"kutip"'),
    ],
)
def test_fit_transliterates_typography(text: str, expected: str) -> None:
    assert fit(text) == expected
    assert is_gsm7(fit(text))
    assert fit(text, transliterate=False) == text


@pytest.mark.parametrize(
    "text",
    [
        "Terima kasih " + EMOJI,
        "Jalan K\u0101la",
        "\u0627\u0644\u0633\u0644\u0627\u0645 \u201cok\u201d",
        "\u4f60\u597d",
    ],
)
def test_fit_keeps_real_non_gsm_characters(text: str) -> None:
    fitted = fit(text)
    assert split(fitted).encoding == "ucs2"
    assert fitted.replace('"', "") == text.replace("\u201c", "").replace("\u201d", "")


def test_fit_marker() -> None:
    text = "kata " * 40
    assert fit(text, marker=" (bersambung)").endswith("kata (bersambung)")
    assert len(fit(text, marker=" (bersambung)")) <= 160
    assert fit(text, marker="") == ("kata " * 32).strip()
    with pytest.raises(ValueError, match="GSM-7"):
        fit(text, marker="\u2026")
    with pytest.raises(ValueError, match="max_parts"):
        fit(text, max_parts=0)


# invariants over generated texts

_POOLS = [
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    ".,:;!?-/()'\"@",
    GSM7_EXTENSION.replace("\f", ""),
    "\u00e9\u00e8\u00c4\u00f1\u00dc\u0394",
    "\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u00a0",
    "\u0101\u4f60\u0627\u0301" + EMOJI + THUMBS_UP_TONED + "\u200d",
]
_SPACES = [" ", " ", " ", "  ", "\n"]


def _generated(seed: int) -> str:
    rng = random.Random(seed)
    pools = rng.sample(_POOLS, rng.randint(1, 4))
    alphabet = "".join(pools)
    words = []
    for _ in range(rng.randint(0, 120)):
        size = rng.randint(160, 400) if rng.random() < 0.03 else rng.randint(1, 12)
        words.append("".join(rng.choice(alphabet) for _ in range(size)))
    return "".join(word + rng.choice(_SPACES) for word in words).rstrip(" ")


GENERATED = [_generated(seed) for seed in range(300)]


@pytest.mark.parametrize("text", GENERATED, ids=[f"seed{i}" for i in range(len(GENERATED))])
def test_split_invariants(text: str) -> None:
    assert_well_split(text, split(text))


@pytest.mark.parametrize("max_parts", [1, 2, 3])
@pytest.mark.parametrize("text", GENERATED, ids=[f"seed{i}" for i in range(len(GENERATED))])
def test_fit_invariants(text: str, max_parts: int) -> None:
    fitted = fit(text, max_parts)
    assert split(fitted).count <= max_parts
    assert fit(fitted, max_parts) == fitted
    plain = fit(text, 1000)  # transliterated, never cut
    if split(plain).count <= max_parts:
        assert fitted == plain
        return
    assert fitted.endswith("..")
    kept = fitted.removesuffix("..")
    assert plain.startswith(kept)
    rest = plain[len(kept) :]
    assert re.match(r"[\s,;:(/-]*\s", rest) or not re.search(r"\s", kept.strip())
