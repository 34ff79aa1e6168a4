"""The place a free text names (gateway.understanding.place)."""

from __future__ import annotations

import pytest

from gateway.understanding.place import find_place


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # streets in any spelling, lower-case names, abbreviation dots inside
        ("Jl. Hasanuddin berlubang sejak kemarin", "Jl. Hasanuddin"),
        ("jl. ryacudu depan gg. mawar rusak parah", "jl. ryacudu depan gg. mawar"),
        ("Sampah di Jl. Ahmad Yani no 5 tdk diangkut", "Jl. Ahmad Yani no 5"),
        ("JALAN SOEKARNO HATTA KM 12 AMBLAS", "JALAN SOEKARNO HATTA KM 12"),
        ("jln pramuka rajabasa sudah 3 bulan rusak", "jln pramuka rajabasa"),
        ("lampu di Jl. H. Agus Salim No. 12 mati", "Jl. H. Agus Salim No. 12"),
        ("Jln. Cut Nyak Dien gelap", "Jln. Cut Nyak Dien"),
        # gang, RT/RW, kelurahan, kecamatan, desa, nagari, jorong, pekon
        ("got mampet di RT 03/RW 05 kel. Sukarame", "RT 03/RW 05 kel. Sukarame"),
        ("jalan di jorong koto baru berlubang", "jorong koto baru"),
        ("listrik pekon gisting atas padam dari kemarin", "pekon gisting atas"),
        (
            "air tdk keluar di Desa Way Huwi Kecamatan Jati Agung",
            "Desa Way Huwi Kecamatan Jati Agung",
        ),
        ("Nagari Sungai Pua kebanjiran", "Nagari Sungai Pua"),
        # landmarks with their names; "depan" is kept, "dekat" and "di" are not
        ("Lampu mati di depan SDN 3 Padang", "depan SDN 3 Padang"),
        ("jalan rusak dekat pasar Raya Padang, parah", "pasar Raya Padang"),
        ("Lampu PJU di simpang empat Kedaton mati", "simpang empat Kedaton"),
        ("got depan masjid Al-Ikhlas mampet", "depan masjid Al-Ikhlas"),
        ("pungli di kantor camat Natar", "kantor camat Natar"),
        ("jalan rusak depan pasar", "depan pasar"),
        # regency, city and kecamatan names through the gazetteer
        ("Frequent blackouts in Kotabumi since last week", "Kotabumi"),
        ("lampu jalan mati di Kedaton sejak 3 hari", "Kedaton"),
        ("banyu kada mengalir di Kelayan B Banjarmasin Selatan", "Kelayan B Banjarmasin Selatan"),
        ("bpjs di metro ribet bgt", "metro"),
        # a comma that leads to more of the place
        (
            "Jl. Ryacudu depan Gg. Mawar, Way Halim, lampunya mati",
            "Jl. Ryacudu depan Gg. Mawar, Way Halim",
        ),
        # no place: generic words, agencies, the topic's own nouns
        ("pelayanan lambat sekali", None),
        ("di rumah saya air pdam kecil sekali", None),
        ("jalan rusak parah tolong diperbaiki", None),
        ("Petugas di kantor kelurahan kasar sekali", None),
        ("Senin lalu saya urus KIS di BPJS ditolak", None),
        ("Sejak 1 Juli 2026 sampah tidak diangkut", None),
        ("di gang kami gelap", None),
    ],
)
def test_find_place(text: str, place: str | None) -> None:
    found = find_place(text, region_code="18")
    assert (found.text if found else None) == place


@pytest.mark.parametrize(
    ("text", "within", "code"),
    [
        ("sampah numpuk di pasar Kedaton", "18", "18.71.01"),  # kecamatan in Bandar Lampung
        ("di Jl. Teuku Umar, Bandar Lampung", "18", "18.71"),
        ("kab lamsel jalan rusak", "18", "18.01"),
        ("jalan di Kedaton rusak", "18.71", "18.71.01"),
        ("Kecamatan Martapura Barat kebanjiran", "63", "63.03.14"),
        ("lampu mati di depan SDN 3 Padang", "18", "13.71"),  # a city named unambiguously
        ("listrik pringsewu padam 6 jam", "18", "18.10"),  # lower case, a regency's name
        ("Jl. Hasanuddin berlubang", "18", None),
    ],
)
def test_region_code(text: str, within: str, code: str | None) -> None:
    found = find_place(text, region_code=within)
    assert found is not None
    assert found.region_code == code


def test_a_district_in_lower_case_needs_the_tenant() -> None:
    # "sumur" is a kecamatan far away (Pandeglang) and a well: not a place in Lampung
    assert find_place("sudah sebulan air sumur keruh", region_code="18") is None
    found = find_place("pdam kemiling air tdk keluar", region_code="18")
    assert found is not None and found.region_code == "18.71.13"
