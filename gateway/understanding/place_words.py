"""The words :mod:`gateway.understanding.place` reads: what starts a place, what may
stand inside one, and what ends it (the start of what happened there). Lower case.
"""

from __future__ import annotations

import re

#: words before a street's name
STREET = frozenset({
    "jl", "jln", "jalan", "jalur", "lorong", "lr", "gang", "gg", "ggs", "jlan", "dalan",
})  # fmt: skip
#: words before an area's name or number
AREA = frozenset({
    "rt", "rw", "no", "nomor", "nmr", "nomer", "blok", "blk", "kav", "km", "kel", "kelurahan",
    "desa", "ds", "nagari", "jorong", "pekon", "kampung", "kp", "kampong", "gampong", "dusun",
    "dsn", "lingkungan", "ling", "lk", "komplek", "kompleks", "komp", "perumahan", "perum",
    "perumnas", "kec", "kecamatan", "kab", "kabupaten", "kota", "tiyuh", "korong", "kampuang",
    "lembang", "wilayah", "dukuh", "banjar", "handil", "pulau", "kawasan",
    "griya", "villa", "residence", "cluster", "asrama", "rusun", "rusunawa", "pemukiman",
    "permukiman", "transmigrasi", "umbul", "talang", "marga", "lrg", "kab.", "provinsi", "prov",
})  # fmt: skip
#: kinds of landmark; a name after them ("pasar Kedaton", "SDN 3") is part of the place
LANDMARK = frozenset({
    "pasar", "pasa", "masjid", "mesjid", "musholla", "mushola", "musala", "musholah", "langgar",
    "surau", "gereja", "pura", "vihara", "klenteng", "sd", "sdn", "mi", "min", "smp", "smpn",
    "mts", "mtsn", "sma", "sman", "smk", "smkn", "ma", "man", "sekolah", "tk", "paud",
    "pesantren", "ponpes", "kampus", "universitas", "univ", "puskesmas", "pkm", "pustu",
    "poskesdes", "polindes", "posyandu", "rs", "rsud", "rsu", "rsia", "klinik", "kantor",
    "balai", "aula", "terminal", "stasiun", "pelabuhan", "dermaga", "bandara", "jembatan",
    "simpang", "simpangan", "pertigaan", "perempatan", "prapatan", "bundaran", "tugu",
    "lapangan", "taman", "alun", "pantai", "sungai", "bendungan", "danau", "pos", "polsek",
    "polres", "koramil", "kodim", "spbu", "indomaret", "alfamart", "bank", "pabrik", "tpa",
    "tps", "makam", "pemakaman", "tpu", "stadion", "hotel", "mall", "plaza", "gedung", "lapas",
    "gor", "toko", "warung", "rm", "bengkel", "bukit", "gunung", "tanjakan", "tikungan",
    "gerbang", "gapura", "flyover", "underpass", "pertokoan", "ruko", "pemda", "pemkab",
    "pemkot", "dinas", "dprd", "bri", "bni", "kuburan", "rumah sakit", "sdit", "sdi", "smpit",
    "pom", "apotek", "perkebunan", "kebun", "tambang",
    "tol", "pintu", "muara", "kuala", "teluk", "bendung", "irigasi", "waduk", "embung",
    "pangkalan", "depot", "gudang", "kios", "lapak", "kolam", "pemandian", "wisata",
    "uin", "iain",
})  # fmt: skip
#: a landmark that says where even without a name, after a relation word ("depan pasar")
LANDMARK_ALONE = frozenset({
    "pasar", "masjid", "mesjid", "musholla", "mushola", "terminal", "puskesmas", "pustu",
    "jembatan", "simpang", "pertigaan", "perempatan", "bundaran", "tugu", "lapangan",
    "stasiun", "pelabuhan", "dermaga", "bandara", "spbu", "indomaret", "alfamart", "sd",
    "sdn", "smp", "sma", "smk", "balai", "posyandu", "polsek", "koramil", "makam", "tpu",
    "rsud", "gereja", "surau", "pantai", "sungai", "pabrik", "tps", "tanjakan", "tikungan",
    "gerbang", "gapura",
})  # fmt: skip
#: words that relate a place to another ("depan", "dekat"); kept inside a place
RELATION = frozenset({
    "depan", "dpn", "dekat", "dkt", "deket", "samping", "smpg", "sebelah", "sblh", "sbelah",
    "belakang", "blkg", "seberang", "sbrg", "ujung", "pinggir", "sekitar", "skitar", "arah",
    "antara", "persis", "tepat", "sepanjang", "menuju", "dari", "ke", "hingga",
    "sampai", "depannya", "sampingnya", "belakangnya", "seberangnya", "near", "across",
    "opposite", "behind", "ngarep", "ngajeng", "mburi", "wingking", "cedhak", "cedak", "cerak",
    "sandhing", "payuneun", "hareupeun", "caket", "tukangeun", "gigireun", "muko", "dakek",
    "balakang", "sampiang", "muka", "parak", "higa",
})  # fmt: skip
#: a relation dropped from the front of a place ("dekat pasar Raya" -> "pasar Raya")
DROPPED_LEADING = frozenset({
    "neng", "ning", "ing", "nang", "dakek", "parak", "caket", "cedhak", "cedak", "cerak",
    "di", "dkt", "dekat", "deket", "sekitar", "skitar", "ke", "dari", "arah", "menuju",
    "persis", "tepat", "sepanjang", "antara", "hingga", "sampai", "near", "in", "at", "on",
    "dalam", "atas", "bawah", "daerah", "kawasan",
})  # fmt: skip
#: words that may join two parts of one place ("Gg. Mawar di Way Halim")
JOINERS = frozenset({"di", "dan", "/", "-", "&", "kel.", "ke", "dari", "in", "at", "on"})
#: words before a name that is a place without a kind word ("di Kedaton")
BEFORE_NAME = frozenset({
    "neng", "ning", "ing", "nang", "dakek", "parak", "caket", "cedhak", "cedak",
    "di", "ke", "dari", "daerah", "wilayah", "kawasan", "sekitar", "area", "in", "at", "near",
    "around", "dekat", "dkt", "depan", "seberang", "samping", "belakang", "sebelah", "dr",
})  # fmt: skip
#: generic places that are not a place without a name ("di rumah", "di sini")
GENERIC = frozenset({
    "rumah", "rmh", "sini", "situ", "sana", "kantor", "tempat", "lokasi", "jalan", "jln",
    "jl", "kampung", "desa", "kota", "daerah", "wilayah", "lingkungan", "sekolah", "kawasan",
    "area", "pinggir", "tengah", "dalam", "luar", "atas", "bawah", "mana", "manapun",
    "sekitar", "here", "there", "home", "sebelah", "gang", "lorong", "pasar", "loket",
    "ruang", "ruangan", "kamar", "kelas", "halaman", "teras", "dapur",
})  # fmt: skip
#: a name that a kind word may be followed by but that is not a name ("jalan rusak")
STOP = frozenset({
    # function words, pronouns, particles
    "yang", "yg", "dan", "tapi", "tetapi", "namun", "karena", "krn", "karna", "sehingga",
    "jadi", "jd", "agar", "supaya", "biar", "untuk", "utk", "buat", "dengan", "dgn", "sama",
    "sm", "atau", "ini", "itu", "tsb", "tersebut", "nya", "saya", "sy", "aku", "kami", "kita",
    "warga", "mereka", "dia", "beliau", "anak", "orang", "ada", "adalah", "ialah", "pun",
    "juga", "jg", "lagi", "lg", "aja", "saja", "sangat", "sekali", "banget", "bgt", "amat",
    "terlalu", "cukup", "paling", "lebih", "kurang", "mohon", "mhn", "tolong", "tlg", "harap",
    "pak", "bu", "bapak", "ibu", "min", "admin", "mas", "mbak", "kak", "bang", "om", "gan",
    "sudah", "sdh", "udah", "udh", "dah", "telah", "sejak", "semenjak", "selama", "tidak",
    "tdk", "gak", "ga", "gk", "nggak", "ngga", "enggak", "tak", "belum", "blm", "blum",
    "masih", "msh", "sering", "selalu", "terus", "trus", "kok", "kenapa", "mengapa", "kapan",
    "bagaimana", "gimana", "apa", "siapa", "mana", "dimana", "bisa", "bs", "mau", "akan",
    "harus", "perlu", "segera", "tiap", "setiap", "semua", "banyak", "byk", "bnyk", "para",
    "pernah", "di", "hampir", "mulai", "makin", "semakin", "oleh", "bagi", "pada", "tentang",
    "soal", "masalah", "kalau", "kalo", "klo", "jika",
    "bila", "apabila", "ketika", "saat", "waktu", "sewaktu", "hingga", "padahal", "walau",
    "the", "is", "are", "was", "has", "have", "been", "and", "but", "for", "since", "there",
    "it", "its", "my", "our", "we", "i", "this", "that", "very", "not", "no.", "please",
    "ya", "yah", "dong", "deh", "sih", "nih", "lho", "loh", "kan", "kah", "lah", "pula",
    "ulun", "ambo", "awak", "nyak", "aing", "abdi", "kula", "kulo", "gue", "gw",
    "pulang", "pergi", "datang", "masuk", "keluar", "naik", "turun", "lewat", "swasta",
    "terdekat", "setempat", "sana", "sini", "antar", "penghubung", "ka", "kmi", "kmu", "radu",
    "jarang", "bukan", "terkait",
    "seminggu", "sebulan", "setahun", "sehari", "semalaman", "besok", "balik", "nyuruh",
    "ngasih", "kada", "kawa", "ndak", "nda", "ora", "teu", "indak", "hana", "kaga", "juo",
    "lai", "alah", "bana", "banar", "pisan", "sanget", "pol", "parah", "jualan",
    "beneran", "anda", "kamu", "kalian", "situ", "nyo", "ni", "tu", "ke", "dari", "menuju",
    "sampai", "januari", "februari", "maret",
    "april", "mei", "juni", "juli", "agustus", "september",
    "oktober", "november", "desember", "jan", "feb", "mar", "apr", "jun", "jul", "agu", "agt",
    "sep", "sept", "okt", "nov", "des", "nopember", "pebruari",
    # time
    "jam", "pukul", "pkl", "tadi", "kemarin", "kemaren", "kmrn", "kmarin", "semalam", "hari",
    "hr", "minggu", "mgg", "pekan", "bulan", "bln", "tahun", "thn", "pagi", "siang", "sore",
    "malam", "malem", "subuh", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "tgl",
    "tanggal", "sekarang", "skrg", "barusan", "yesterday", "today", "tonight", "last",
    "ago", "lalu", "yll", "wingi", "kamari", "kapatang", "bengi", "wengi", "dini",
    # what complaints are about, and what happened
    "lampu", "lampunya", "listrik", "air", "airnya", "sampah", "got", "selokan", "drainase",
    "parit", "pipa", "kabel", "tiang", "pohon", "aspal", "aspalnya", "lubang", "lobang",
    "genangan", "banjir", "jalannya", "jembatannya", "pju", "pdam", "pln", "motor", "mobil",
    "truk", "angkot", "bus", "becak", "ojek", "anak2", "sekolahnya", "gurunya", "petugas",
    "pegawai", "oknum", "pelayanan", "layanan", "antrian", "antrean", "bantuan", "dana",
    "uang", "biaya", "pungli", "pungutan", "bau", "asap", "limbah", "kotoran", "debu",
    "kondisi", "keadaan", "kondisinya", "penerangan", "gelap", "lokasi", "lokasinya",
    "tempatnya", "titik", "bagian", "sisi", "depan.", "kena", "terkena", "photo", "foto",
    "video", "gambar", "pic", "road", "street", "water", "power",
})  # fmt: skip
#: capitalised, these are names even though they are stop words ("Gedong Air", "Air Tawar")
CAPITALISED_NAMES = frozenset({
    "air", "aia", "banyu", "baru", "lama", "raya", "bulan", "bunga", "nyak", "awak", "abdi",
    "kulon", "wetan", "lor", "kidul", "dalam", "atas", "bawah", "tengah", "ujung", "pasar",
})  # fmt: skip
#: agencies and services: where one turned to, not where something happened ("di BPJS")
AGENCIES = frozenset({
    "bpjs", "pln", "pdam", "disdukcapil", "dukcapil", "capil", "samsat", "kua", "polisi",
    "dinas", "dishub", "dlh", "bpn", "kemenag", "dinsos", "disdik", "dinkes",
    "pegadaian", "telkom", "pertamina", "imigrasi", "bpbd", "satpol", "pp",
})  # fmt: skip
#: relation words that make a bare landmark a place ("depan pasar", not "di pasar")
NEAR = frozenset({
    "depan", "dpn", "dekat", "dkt", "deket", "samping", "smpg", "sebelah", "sblh", "belakang",
    "blkg", "seberang", "sbrg", "ujung", "pinggir",
})  # fmt: skip
#: a word that begins what happened: a verb or an adjective of damage or lack
PREDICATE = re.compile(
    r"^(?:di|ter|ber|me|mem|men|meng|meny|ke|ng|ny|se)?(?:rusak|lubang|lobang|mati|padam|"
    r"putus|roboh|ambruk|tumbang|runtuh|longsor|banjir|genang|mampet|sumbat|macet|bocor|keruh|"
    r"kotor|busuk|hancur|ancur|retak|ambles|amblas|patah|miring|bakar|tebang|cemar|jatuh|"
    r"pecah|bolong|bodol|becek|licin|gelap|sepi|ramai|rame|numpuk|tumpuk|serak|ganggu|"
    r"halangi|tutup|buka|luap|hanyut|tenggelam|terlantar|lantar|mangkrak|bengkalai|parah|"
    r"perbaiki|baiki|benerin|angkut|minta|pungut|potong|tolak|suruh|bayar|tarik|tanya|"
    r"lapor|laporkan|keluh|keluhkan|kirim|lihat|liat|dengar|tunggu|nunggu|butuh|perlu|"
    r"tahan|hilang|habis|kering|kurang|naik|turun|lambat|telat|bau|berisik|bising|sering|"
    r"jadi|dapat|dapet|kena|alami|terjadi|jalan|lewat|pakai|pake|punya|ada|nyala|hidup|"
    r"bikin|buat|ngetem|bilang|kata|katanya|suruh|kasih|beri|kena|lihat|tahu|tau|mau|"
    r"kasar|judes|lama|mahal|sepi|cepat|kencang|sempit|curam|tajam|terjal|sulit|susah|"
    r"broken|damaged|flooded|blocked|dark|leaking|collapsed|closed|full|dirty)"
    r"(?:nya|kan|an|i|in|lah|kah)?$"
    # any verb built with di-/me-/ber-/ter- and -kan/-i ("diliburkan", "menutupi")
    r"|^(?:di|ter|ber|me|mem|men|meng|meny)[a-z]{3,}(?:kan|kannya|inya)$"
)
#: abbreviations whose dot never ends a place ("gg. mawar", "Jl. H. Agus Salim")
ABBREVIATIONS = frozenset({
    "jl", "jln", "jlan", "gg", "no", "nmr", "kel", "kec", "kab", "ds", "dsn", "kp", "perum",
    "komp", "rt", "rw", "blk", "lk", "lr", "lrg", "h", "hj", "ir", "dr", "drs", "st", "prof",
    "kh", "pkl", "sdn", "smpn", "sman", "smkn", "prov", "kav", "ling", "dpn", "dkt", "sblh",
    "mt", "kol", "jend", "brig", "letjen", "mayjen", "p", "k", "m", "a", "r", "s", "t",
})  # fmt: skip
#: district names that are everyday words: a place only with a kind word before them
COMMON_NAMES = frozenset({
    "panjang", "gambut", "jorong", "taman", "sumber", "bandar", "tanjung", "limau", "pauh",
    "panti", "rumbia", "luak", "baso", "bayang", "sutera", "matur", "kubu", "waru", "talun",
    "jetis", "parigi", "enggal", "pasaman", "palas", "bulok", "pugung", "harau", "candung",
    "rao", "mungka", "alalak", "tamban", "cerbon", "kurau", "hampang", "pasar", "kota",
    "tengah", "utara", "selatan", "barat", "timur", "baru", "lama", "gunung", "sungai",
    "pantai", "bukit", "air", "batu", "teluk", "pulau", "banyumas", "sukabumi", "ambarawa",
    "pekalongan", "wonosobo", "banjar", "kuripan", "balai", "pagar", "simpang", "sampit",
    "jabung", "semaka", "suoh", "sukau", "mataram", "ketapang", "metro", "padang",
    "raya", "indah", "jaya", "makmur", "sejahtera", "damai", "harapan", "mulya", "agung",
})  # fmt: skip
