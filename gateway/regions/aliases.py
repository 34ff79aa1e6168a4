"""Names people write that are not Kemendagri's: abbreviations in everyday use and old
names. Each maps to a region's name as the gazetteer has it; loading fails if one names
no region or more than one (a test loads them all). Extend per province as exports show.
"""

ALIASES: dict[str, str] = {
    # Lampung
    "Balam": "Kota Bandar Lampung",
    "Lamsel": "Kabupaten Lampung Selatan",
    "Lamteng": "Kabupaten Lampung Tengah",
    "Lampura": "Kabupaten Lampung Utara",
    "Lambar": "Kabupaten Lampung Barat",
    "Lamtim": "Kabupaten Lampung Timur",
    "Tuba": "Kabupaten Tulang Bawang",
    "Tubaba": "Kabupaten Tulang Bawang Barat",
    "Pesibar": "Kabupaten Pesisir Barat",
    # Kalimantan Selatan
    "Batola": "Kabupaten Barito Kuala",
    "HSS": "Kabupaten Hulu Sungai Selatan",
    "HST": "Kabupaten Hulu Sungai Tengah",
    "HSU": "Kabupaten Hulu Sungai Utara",
    "Tala": "Kabupaten Tanah Laut",
    "Tanbu": "Kabupaten Tanah Bumbu",
    # Sumatera Barat
    "Pessel": "Kabupaten Pesisir Selatan",
    "Solsel": "Kabupaten Solok Selatan",
    "Pasbar": "Kabupaten Pasaman Barat",
    "Limapuluh Kota": "Kabupaten Lima Puluh Kota",
    "Mentawai": "Kabupaten Kepulauan Mentawai",
    # Sulawesi Barat (Mamuju Utara was renamed Pasangkayu in 2017)
    "Polman": "Kabupaten Polewali Mandar",
    "Mateng": "Kabupaten Mamuju Tengah",
    "Mamuju Utara": "Kabupaten Pasangkayu",
    "Matra": "Kabupaten Pasangkayu",
    # DKI Jakarta
    "Jakpus": "Kota Administrasi Jakarta Pusat",
    "Jakut": "Kota Administrasi Jakarta Utara",
    "Jakbar": "Kota Administrasi Jakarta Barat",
    "Jaksel": "Kota Administrasi Jakarta Selatan",
    "Jaktim": "Kota Administrasi Jakarta Timur",
    # old names elsewhere
    "Toba Samosir": "Kabupaten Toba",
    "Maluku Tenggara Barat": "Kabupaten Kepulauan Tanimbar",
    "Pangkep": "Kabupaten Pangkajene dan Kepulauan",
    "DKI": "Daerah Khusus Ibukota Jakarta",
    "Jakarta": "Daerah Khusus Ibukota Jakarta",
    "DIY": "Daerah Istimewa Yogyakarta",
}
