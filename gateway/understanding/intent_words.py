"""The words :mod:`gateway.understanding.intent` reads, by what they signal.

Patterns run over the text as :func:`gateway.mappings.classify.normalise` gives it
(lower case, informal spellings standardised: "gak" is "tidak", "udah" is "sudah"),
joined by single spaces, so ``\\b`` bounds whole words. Indonesian first, then
Javanese, Sundanese, Minang, Banjar, Lampung, Mandar and English where they differ.
"""

from __future__ import annotations

import re


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


#: thanks and acknowledgements
THANKS = _words(
    r"terima ?kasih", r"terimakasi", r"trima ?kasih", r"trimakasi", r"makasih?", r"maksih",
    r"mksh", r"mks", r"makaseh", r"terima ksh", r"trm ksh", r"trmksh", r"tks", r"makasi",
    r"kasih ya", r"trims", r"tengkyu", r"tenkyu", r"thanks?",
    r"thank ?you", r"thankyou", r"thx", r"tq", r"ty", r"tks", r"tx", r"matur ?nuwun",
    r"suwun", r"nuwun", r"hatur nuhun", r"nuhun", r"tarimo ?kasih", r"tarima ?kasih",
    r"tarimakasih", r"kurre sumanga", r"kurrusumanga", r"appreciated?", r"cheers",
)  # fmt: skip
#: acknowledgements that are thanks only in a short message ("siap pak", "ok")
ACK = _words(
    r"ok", r"oke", r"okey", r"okay", r"okeh", r"oce", r"okok", r"sip", r"sipp?", r"siap",
    r"mantap", r"mantab", r"mantul", r"noted", r"alhamdulillah", r"alhamdulilah",
    r"good job", r"great", r"nice", r"cool", r"baik", r"iya", r"iyo", r"ya", r"y", r"yaa",
    r"nggih", r"enggih", r"inggih", r"injih", r"muhun", r"au", r"jos", r"josss?", r"keren",
    r"top", r"luar biasa", r"salut", r"sukses", r"berhasil", r"well done", r"got it",
    r"understood", r"sudah diterima", r"sudah terima", r"amin", r"aamiin",
    r"semoga", r"puas", r"senang", r"lega", r"bagus", r"cepat", r"responsif", r"gercep",
    r"apik", r"sae", r"rancak", r"bungas", r"alhamdulillah",
)  # fmt: skip
_GONE = (
    r"(?:banjir|bau|keruh|macet|gelap|peteng|poek|mati|bocor|padam|tergenang|genangan|"
    r"berlubang|rusak|antri|antre|longsor|kotor|berisik|bising|mampet|tersumbat|becek|licin|"
    r"kumuh|berserakan|numpuk|menumpuk|flooded|dark|dirty|broken|blocked)\b"
)
#: the problem is gone ("jalannya sudah diperbaiki"): thanks, not a problem
RESOLVED = re.compile(
    r"\b(?:sudah|telah|sampun|wis|wes|tos|alah|lah)\s+(?:\w+\s+){0,2}?(?:di|ter)?"
    r"(?:perbaiki|baiki|benerin|benerkan|benahi|beres|bereskan|selesai|normal|nyala|menyala|"
    r"hidup|idup|urup|lancar|bersih|dibersihkan|angkut|diangkut|tambal|ditambal|aspal|diaspal|"
    r"cor|dicor|mengalir|ngalir|cair|diganti|ganti|tangani|ditangani|tindaklanjuti|"
    r"tindak lanjuti|kerjakan|dikerjakan|teratasi|atasi|aman|baik|bagus|apik|beres|diperbaiki|"
    r"dibenerke|dibenakno|dibenerkeun|ditanggapi|dibantu|terima|menerima|dapat|dapet|datang|"
    r"jadi(?! (?:kolam|sungai|lautan|laut|danau|sawah|kubangan|seperti|kayak|kaya|lebih|makin|"
    r"parah|rusak|banjir|licin|lumpur|jalan|tempat|sarang))|rampung|terang|padhang|caang|kelar|"
    r"diurus|dipasang|pasang|lunas|kembali normal|diproses|proses|ditutup|ditertibkan|"
    r"dibubarkan|dikembalikan|ditegakkan|surut|dikeruk|ditangkap)\b"
    r"|\b(?:already|been|is|are|was|got|get)\s+(?:\w+\s+){0,1}?(?:fixed|repaired|resolved|"
    r"cleaned|collected|back|restored|working|done|handled|solved|patched)\b"
    r"|\b(?:works|working) (?:again|fine|now)\b|\bproblem solved\b|\bsudah oke\b"
    r"|\b(?:is|are|has|have|was|were) (?:been )?(?:gone|over|cleared|stopped)\b"
    r"|\b(?:it|they|this) stopped\b|\b(?:noise|smell|flooding|leak) stopped\b"
    # a problem that is no more: "sudah tidak keruh lagi", "saiki wis ora peteng maneh"
    r"|\b(?:sudah|udah|sekarang|skrg|saiki|wis|wes|tos|alah|now)\s+(?:\w+\s+){0,1}?"
    r"(?:tidak|gak|ga|nggak|ndak|ora|teu|kada|indak|no longer|not)\s+(?:\w+\s+){0,1}?"
    + _GONE
    + r"|\b(?:tidak|gak|ga|nggak|ndak|ora|teu|kada|indak)\s+(?:\w+\s+){0,1}?"
    + _GONE
    + r"\s+(?:lagi|lg|maneh|deui|lai|anymore)\b"
)
#: asks about a complaint already made
STATUS = re.compile(
    r"\bstatus\w*\b|\bsa?mp(?:ai|e) ?mana\b|\bsmp mana\b|\bprogres+\w*\b|\bperkembangan\b"
    r"|\bkelanjutan\w*\b|\b(?:di)?tindak ?lanjut\w*\b|\bkejelasan\b|\bditeruskan\b"
    r"|\bfollow ?up\b|\bany (?:update|news|progress)\b"
    r"|\b(?:ada|belum ada|blm ada) (?:\w+ )?(?:kabar|update|info\w*|kejelasan"
    r"|respon\w*|tanggapan|balasan|jawaban)\b"
    r"|\b(?:gimana|bagaimana|gmn|gmna|bgmn|piye|kumaha|baa|bakcamano|kayapa|kaya apa|pripun|"
    r"how|what about|what happened to)\b(?: \w+){0,3} (?:laporan|aduan|pengaduan|keluhan|tiket|"
    r"report|complaint|ticket|lapuran)\w*\b"
    r"|\b(?:laporan|aduan|pengaduan|keluhan|tiket|report|complaint|ticket)\w* (?:\w+ ){0,3}?"
    r"(?:gimana|bagaimana|gmn|kok belum|belum (?:di\w+|ada)|sudah (?:di\w+|sampai)|apa kabar"
    r"|diproses|kapan|how|status|update)\b"
    r"|\b(?:cek|check|lacak|track|cari)\w* (?:\w+ ){0,2}?(?:laporan|aduan|tiket|report|"
    r"complaint|ticket|nomor|no)\b"
    r"|\bkapan (?:\w+ ){0,2}?(?:di|ter)?(?:tindak|proses|perbaiki|tangani|kerjakan|benerin|"
    r"selesai|respon|tanggapi|diperbaiki|ditangani|dikerjakan|datang|cair|ditindaklanjuti)\w*\b"
    r"|\bsudah (?:di)?(?:proses|baca|terima)\w* (?:belum|blm|kah|ya|atau)\b|\bsudah diproses\b"
    r"|\blaporan\w* (?:\w+ ){0,3}?(?:tidak|belum) ada (?:kabar|tanggapan|respon|balasan|jawaban)"
    r"|\bberapa lama\b|\bkok lama\b|\blama\b (?:\w+ ){0,3}prosesnya\b|\bditugaskan\b"
    r"|\bsudah ada (?:\w+ ){0,3}(?:belum|blm)\b|\bhow long\b"
    r"|\bjadwal (?:perbaikan|pengerjaan|penanganan)\b"
    r"|\b(?:sudah|udah) (?:\w+ )?lapor\w* (?:\w+ ){0,6}?(?:belum|tidak) ada (?:tanggapan|respon\w*|"
    r"balasan|jawaban|kabar|tindak\w*)\b"
    r"|\bwhen will\b|\bis (?:my|the) (?:report|complaint)\b|\bwhere is my\b"
)
#: a tracking ID: the national registry's (LPR-2026-000123) or this gateway's (2345 6789)
TRACKING_ID = re.compile(
    r"\b[a-z]{2,5}-\d{4}-\d{3,8}\b|\blpr[- ]?\d{4}[- ]?\d{3,8}\b"
    r"|(?<!\d[ .-])\b\d{4}[ .-]?\d{4}\b(?![ .-]?\d)",
    re.IGNORECASE,
)
#: greetings, tests and fillers: chatter when nothing else is said
GREETING = _words(
    r"halo+", r"hallo+", r"hal+o", r"hai+", r"hi+", r"hello+", r"hey+", r"helo+", r"p+",
    r"ping", r"tes+", r"test", r"testing", r"tst", r"cek", r"check", r"assalamu ?alaikum",
    r"asalamualaikum", r"assalamualaikum", r"assalamu'alaikum", r"ass", r"aslm", r"wr", r"wb",
    r"warahmatullahi", r"wabarakatuh", r"selamat", r"slmt", r"met", r"pagi", r"siang", r"sore",
    r"malam", r"malem", r"permisi", r"punten", r"sampurasun", r"tabe", r"tabik", r"horas",
    r"min", r"mimin", r"admin", r"pak", r"bapak", r"bu", r"ibu", r"om", r"kak", r"gan",
    r"bang", r"mas", r"mbak", r"dik", r"sob", r"bro", r"sis", r"good", r"morning",
    r"afternoon", r"evening", r"night", r"sugeng", r"enjing", r"dalu", r"wilujeng",
    r"salam", r"kenal", r"apa kabar", r"apakabar", r"kabar", r"sehat", r"semua", r"ada",
    r"orang", r"disana", r"di sana", r"sana", r"there", r"anyone", r"nyak", r"ya", r"yo",
    r"dong", r"nih", r"deh", r"kah", r"ko", r"om swastiastu", r"shalom", r"oi", r"woi", r"uy",
    r"bos", r"boss", r"ini", r"saja", r"aja", r"coba", r"dulu", r"lagi", r"masuk", r"gak",
    r"tidak", r"halow", r"hola", r"sist", r"kaka", r"kakak", r"mba", r"ndan", r"ka",
)  # fmt: skip
#: questions about the channel itself
CHANNEL_QUESTION = re.compile(
    r"\bini (?:nomor|no|nomer|akun|bot|layanan|wa|sms|siapa|apa)\b|\bsiapa (?:ini|ya|nih)\b"
    r"|\b(?:cara|gimana|bagaimana|gmn|how (?:do|can|to)) (?:\w+ ){0,2}?(?:lapor|melapor|"
    r"mengadu|adu|pakai|pake|daftar|report|use|complain)\w*\b"
    r"|\bbisa (?:\w+ ){0,2}?(?:lapor|melapor|mengadu|report)\w* (?:apa|apa saja|lewat|via|di sini"
    r"|disini|ke sini|kesini|gak|tidak|ya|kah|juga)\b"
    r"|\b(?:jam|hari) (?:buka|kerja|operasional|layanan)\b|\bformat\w*\b|\bresmi\b|\bofficial\b"
    r"|\bwho is this\b|\bwhat is this\b|\bis this\b|\bnomor (?:pengaduan|aduan|wa|whatsapp)\b"
    r"|\bdapat nomor\b|\bsalah (?:kirim|sambung|nomor)\b|\bwrong number\b|\bterdaftar\b|\bunreg\b"
    r"|\bgratis\b|\bberbayar\b|\bpulsa\b|\b(?:untuk|buat) apa\b|\bngurus apa\b"
    r"|\bapa (?:aja|saja)\b|\bmau tanya\b(?! (?:\w+ ){0,3}(?:laporan|aduan))"
    r"|\b(?:nomer|nomor|no) (?:napa|naon|apa|opo|apo)\b|\b(?:iki|niki|ieu|iko) (?:nomer|nomor)\b"
    r"|\bini kantor\b|\balamat\w* (?:di ?mana|dmn)\b|\b(?:lowongan|loker|rekrutmen|relawan)\b"
    r"|\b(?:kalau|kalo|klo|apakah|apa) (?:mau |ingin )?(?:bisa )?lapor\w*\b|\btanpa nama\b"
    r"|\banonim\w*\b|\blapor\w* (?:\w+ ){0,3}?(?:ke sini|kesini|di sini|disini) atau\b"
    r"|\banak saya yang (?:kirim|ngirim|pegang|main)\b"
)
#: asks for information, not about a problem: "syaratnya apa", "buka jam berapa"
INFO_REQUEST = re.compile(
    r"\bsyarat\w*\b|\bpersyaratan\b|\bprosedur\w*\b|\b(?:buka|tutup) jam\b|\bjam (?:buka|berapa)\b"
    r"|\bcara (?:daftar|mendaftar|bikin|buat|membuat|urus|mengurus|mengajukan|ajukan)\b"
    r"|\b(?:di ?mana|dmn) (?:kantor|tempat|lokasi)\w*\b|\bberapa biaya\w*\b|\bbiaya\w* berapa\b"
    r"|\bopening hours\b|\bwhat are the requirements\b"
)
#: holiday wishes, chain messages, jokes: chatter when no problem is described
WISHES = re.compile(
    r"\bselamat (?:hari raya|idul|lebaran|natal|tahun baru|ulang tahun|hut|menunaikan|"
    r"berpuasa|hari)\b|\bmohon maaf lahir\b|\bminal aidin\b|\bhappy (?:new year|eid|birthday)\b"
    r"|\bdirgahayu\b|\bpesan berantai\b|\bsebarkan\b|\bforward\w*\b|\bviral\b|\bhoax\b"
    r"|\bwk(?:wk)+\w*\b|\bhaha\w*\b|\bmedia tidak disertakan\b|\bmedia omitted\b|\bstiker\b"
    r"|\bsticker\b|\bkok (?:tidak|belum) (?:dibales|dibalas|direspon)\b"
    r"|\bsemoga\b|\b(?:mau|ingin|salam) kenal\w*\b"
    r"|\bperkenalkan\b|\b(?:riset|penelitian|skripsi|survei|survey|kuesioner|magang|"
    r"kerja ?sama|iklan|wawancara|liputan|research|interview)\b"
)
#: promotions and scams
SPAM = _words(
    r"promo\w*", r"diskon", r"discount", r"pinjaman", r"pinjol", r"kredit", r"dana tunai",
    r"hadiah", r"pemenang", r"undian", r"klik", r"click", r"link", r"bit ly", r"http\w*",
    r"www", r"slot", r"gacor", r"judi", r"togel", r"deposit", r"depo", r"bonus", r"cashback",
    r"investasi", r"followers", r"dijual", r"jual", r"murah", r"obral", r"cicilan",
    r"tanpa agunan",
    r"bunga rendah", r"cair cepat", r"hubungi", r"wa me", r"daftar sekarang", r"gratis ongkir",
    r"free", r"win", r"winner", r"prize", r"loan", r"maxwin", r"rtp", r"kuota", r"paket data",
    r"voucher", r"mlm", r"reseller", r"dropship", r"endorse", r"rekening", r"transfer",
    r"jasa", r"dapatkan", r"hub", r"japri", r"minat", r"terima (?:jasa|servis|pesanan|order)",
    r"sponsor\w*", r"subscribe", r"follow",
)  # fmt: skip
#: words and phrases that describe a problem or ask for one to be fixed
PROBLEM = re.compile(
    r"\b(?:di|ter|ber|ke|se|me|mem|men|meng|ng|ny)?(?:rusak|ruksak|lubang|lobang|berlubang|"
    r"mati|padam|gelap|peteng|poek|pareum|putus|roboh|ambruk|tumbang|runtuh|longsor|banjir|"
    r"genang|genangan|tergenang|mampet|sumbat|macet|bocor|keruh|kotor|bau|busuk|sampah|limbah|"
    r"asap|polusi|bising|berisik|pungli|pungut|pungutan|potong|korupsi|suap|sogok|tolak|lambat|"
    r"lelet|antri|antre|mahal|hilang|kering|langka|sulit|susah|hese|kesulitan|"
    r"perbaiki|bahaya|celaka|"
    r"kecelakaan|jatuh|korban|parah|hancur|ancur|retak|ambles|amblas|patah|miring|liar|bakar|"
    r"kebakaran|tebang|penebangan|cemar|pencemaran|nyamuk|dbd|demam|buruk|jelek|kasar|"
    r"judes|bentak|calo|fiktif|tipu|penipuan|tunggak|tagihan|bengkak|melonjak|error|gangguan|"
    r"ganggu|terganggu|halangi|menghalangi|bodol|bolong|ajur|rengat|kubangan|kolam|becek|"
    r"licin|rawan|ngebut|balap|mabuk|maling|curi|pencurian|begal|preman|pkl|mogok|telat|"
    r"terlambat|pecah|copot|lepas|ngadat|rembes|meluap|luap|erosi|"
    r"abrasi|gempa|puting beliung|angin kencang|kekeringan|dipersulit|persulit|"
    r"pungutan|numpuk|tumpuk|menumpuk|berserakan|serak|"
    r"kumuh|terlantar|telantar|mangkrak|terbengkalai|rubuh|tenggelam|hanyut|sedot|cabut|"
    r"terputus|blackout|outage|power cut|broken|damaged|pothole\w*|flood\w*|garbage|trash|"
    r"rubbish|smell\w*|stink\w*|leak\w*|blocked|clogged|dark|illegal|bribe\w*|extort\w*|"
    r"dangerous|accident|collapsed?|landslides?|delayed|rude|nois[ey]|polluted|pollution|"
    r"please fix|no water|no electricity|not working|"
    r"sembarang|sembarangan|seenaknya|semena|sewenang|diskriminasi|pilih kasih|ugal|"
    r"kebut|ngetem|mangkal|tidak adil|nepotisme|pungut|palak|dipalak|peras|pemerasan|"
    r"ditahan|tahan|mahal|kemahalan|kosong|habis|langka|antri|overload|penuh sesak|"
    r"curang|kecurangan|setengah|resah|meresahkan|usut|diusut|joki|tanpa jadwal|keserempet|"
    r"tertimpa|timpa|menimpa|ditimpa|ngambang|kebanjiran|maksa|paksa|brong|diundur|"
    r"gelandangan|pengemis|dihapus|ngusir|usir|diusir|batal|ribet|ruwet|pacah|kariang|"
    r"kekurangan|dimintai|dimintain|dipinta)"
    r"(?:nya|lah|kah|an|kan|in|i|mi|ji|pi|ki)?\b"
    r"|\b(?:tidak|belum|kada|ora|teu|ndak|nda|ndk|kaga|kagak|hana|beluman|not|no|never|"
    r"sanes|ndada|ndak|mboten|dereng|durung|indak)\s+(?:\w+\s+){0,1}?(?:ada|aya|ana|ado|"
    r"ono|wonten|dapat|dapet|dapek|dapok|oleh|kebagian|bisa|saged|hurik|murup|"
    r"iso|kawa|tiasa|jalan|mengalir|ngalir|mili|keluar|kaluar|diangkut|diperbaiki|dilayani|"
    r"cair|menyala|nyala|hidup|urup|hurung|berfungsi|ditanggapi|terdaftar|masuk|sesuai|turun|"
    r"datang|diproses|dibayar|terima|menerima|dapat bantuan|jelas|layak|aman|lancar|"
    r"kasih|ksh|terbit|dikasih|dikasi|diberi|dikasih|selesai|dpt|tuntung|tuntas|diangkat|dijawab|"
    r"digaji|terawat|beroperasi|jls|kunjung|diganti|diurus|dilayani|ditindak|"
    r"received|working|get|got|come|came)\w*\b"
    r"|\b(?:kadada|ndada|taada|tadak)\b|\bmak (?:dapok|hurik|ngalir|wat|mengalir|nyala)\b"
)
#: more about the open complaint: still the same, a detail, a correction
MORE = re.compile(
    r"\b(?:masih|msh|masi|tetap|tetep|tetapi masih|malah|justru|"
    r"still|anymore|ralat|koreksi|revisi|correction|maksud saya|"
    r"maksudnya|salah tulis|salah ketik|typo|lupa|tepatnya|persisnya|lokasinya|lokasi|"
    r"alamatnya|alamat|fotonya|foto|gambar|video|tambahan|menambahkan|tambahin|susulan|"
    r"info tambahan|detail|detailnya|update|sampai sekarang|sampai saat ini|hingga kini|"
    r"sampai hari ini|sampe sekarang|sampai skrg|belum juga|blm juga|tak kunjung|tidak kunjung|"
    r"yang saya laporkan|yg saya laporkan|laporan saya|laporan kemarin|yang kemarin|"
    r"sudah lapor|udah lapor|sudah saya laporkan|sama seperti|sama kayak|yang tadi|"
    r"nomor rumah|patokannya|patokan|ciri|cirinya|dekatnya|nambah|bertambah|"
    r"sampai kapan|mau sampai kapan|udah berapa|sudah berapa|sudah \d+ (?:hari|minggu|bulan)|"
    r"ongga|ketambahan|also the same|same problem|isih|durung|keneh|alun|balum|"
    r"sampai sekarang|smp sekarang|sampe sekarang|bukan|jumlah|tempatnya|sebelah kanan|"
    r"sebelah kiri|dari arah|kalau dari|yang (?:\w+ ){1,3}itu|belum ada petugas|"
    r"sudah seminggu|sudah sebulan|sudah lama|kok belum|kok masih|"
    r"(?:belum|blm|tidak|gak) (?:juga )?(?:di)?(?:perbaiki|tangani|kerjakan|angkut|ganti|benerin|"
    r"tindaklanjuti|proses|respon|cek|datangi|bersihkan|tambal|aspal)\w*|"
    r"petugasnya|orangnya|pelakunya|kejadiannya|waktu itu|oh ya|oh iya|o iya|oiya)(?:nya)?\b"
)
#: "again", "worse": more only together with a problem ("mati lagi")
MORE_WITH_PROBLEM = _words(
    r"lagi",
    r"lg",
    r"again",
    r"kembali",
    r"tambah",
    r"makin",
    r"semakin",
    r"terus",
    r"trus",
    r"pun",
    r"jua",
    r"kian",
)
#: the thing already reported, named with -nya ("airnya", "lampunya", "jalannya")
REFERS_BACK = re.compile(
    r"\b(?:air|lampu|jalan|jembatan|got|selokan|sampah|listrik|pipa|tiang|kabel|pohon|lubang|"
    r"banjir|genangan|petugas|sekolah|guru|bantuan|uang|dana|kantor|pelayanan|aspal|trotoar|"
    r"bau|asap|limbah|banyu|aia|dalan|lampune|dalane)(?:nya|nyo|ne)\b"
)
#: the opening of a fresh report: a greeting, "mau lapor", a place's kind word
FRESH_REPORT = re.compile(
    r"^(?:selamat|slmt|assalamu\w*|asalamu\w*|halo|hallo|hai|hi|permisi|punten|tabik|tabe|"
    r"pagi|siang|sore|malam|good)\b"
    r"|\b(?:lapor|melapor|melaporkan|laporkan|mengadu|mengadukan|izin|ijin|badhe|handak)\b"
    r"|\b(?:jalan|gang|gg|desa|kelurahan|kel|kecamatan|kec|rt|rw|dusun|nagari|jorong|pekon|"
    r"kampung|perumahan|perum|komplek|pasar|simpang|depan|dekat|samping|belakang)\b"
)
#: a problem's words that are part of the thanks ("terima kasih atas bantuannya")
THANKS_FOR = re.compile(
    r"\b(?:atas|untuk|buat|for)\s+(?:\w+\s+){0,1}?(?:bantuan|bantu|respon|tanggapan|info|"
    r"informasi|pelayanan|layanan|perhatian|kerja|help|support|tindak ?lanjut|laporan)\w*"
    r"|\b(?:laporan|nomor|nomornya)\w* (?:sudah )?(?:saya )?(?:terima|diterima)\w*"
)
#: "but": what follows may undo a thanks ("makasih, tapi masih bocor")
CONTRAST = _words(r"tapi", r"tetapi", r"namun", r"but", r"cuma", r"hanya", r"sayang\w*", r"tp")
#: a question: with no problem in it, not a complaint
QUESTION = re.compile(
    r"\?|^(?:apa|apakah|siapa|dimana|di mana|kapan|kenapa|mengapa|bagaimana|gimana|berapa|"
    r"bisakah|boleh|what|who|where|how|is|are|can|do)\b"
)
#: a bare question, with a complaint open: about its state ("gmn pak?")
BARE_QUESTION = re.compile(
    r"^(?:(?:terus|jadi|lalu|trus|so) )?(?:gimana|bagaimana|gmn|gmna|piye|kumaha|kayapa|baa|"
    r"how|gimana nih|apa kabar|kabarnya)(?: (?:pak|bu|min|admin|ya|nih|dong|kak|om))*$"
)
#: a second problem next to the first: new, even with a complaint open
ANOTHER = re.compile(
    r"\b(?:satu lagi|(?<!tidak )(?<!belum )(?<!sudah )ada lagi|lain lagi|yang lain|"
    r"masalah lain|laporan baru|lapor baru|"
    r"selain itu|(?<!belum )(?<!blm )juga ada|also|another|new complaint|new report|"
    r"beda lagi|berbeda|sekalian|(?<!belum )(?<!blm )(?:juga|jg) "
    r"(?:mati|rusak|padam|bocor|banjir|berlubang|retak|"
    r"mampet|gelap|ada|tidak|belum)|sebelah|tetangga)\b"
)
#: thanks and approval emoji; a text of only these is thanks
THANKS_EMOJI = re.compile("[\U0001f64f\U0001f44d\U0001f44c\U0001f917\U0001f60a\U0001f642"
                          "\u2764\U0001f970\U0001f601\U0001f604\U0001f973\U0001f4af\u2705"
                          "\U0001f44f\U0001f91d\U0001f60d\u263a]")  # fmt: skip
#: weaker signs of a problem: count only with another sign or a topic's noun
WEAK = _words(
    r"tolong", r"tlg", r"mohon", r"minta", r"lapor\w*", r"melapor\w*", r"aduan", r"mengadu\w*",
    r"adukan", r"masalah\w*", r"keluh\w*", r"mengeluh\w*", r"uang\w*", r"bayar\w*",
    r"dibayar\w*", r"biaya\w*", r"tarif\w*", r"kurang\w*", r"sedikit", r"penuh", r"sakit",
    r"problem\w*", r"issues?", r"complain\w*", r"segera", r"harap", r"please", r"help",
    r"bantu\w*", r"dibantu", r"kapan", r"kenapa", r"mengapa", r"why", r"sudah \d+ \w+",
    r"sejak", r"since", r"berhari hari", r"berminggu minggu", r"bertahun tahun", r"tiap",
    r"setiap", r"sering", r"selalu", r"every", r"always", r"often", r"warga", r"masyarakat",
    r"residents", r"kami", r"kampung", r"desa", r"kasihan", r"kecewa", r"disappointed",
    r"marah", r"kesal", r"jengkel", r"capek", r"cape",
)  # fmt: skip
#: what complaints are about: with one weak sign, a problem
TOPIC_NOUN = _words(
    r"jalan\w*", r"jembatan", r"lampu\w*", r"pju", r"got", r"selokan", r"drainase", r"parit",
    r"gorong", r"sampah", r"tps", r"tpa", r"air", r"pdam", r"sumur", r"listrik", r"pln",
    r"meteran", r"token", r"sekolah", r"guru", r"puskesmas", r"rumah sakit", r"rs", r"rsud",
    r"dokter", r"bidan", r"obat", r"bpjs", r"kis", r"ktp", r"kk", r"akta", r"dukcapil", r"bansos",
    r"blt", r"pkh", r"bpnt", r"sembako", r"kip", r"pip", r"ppdb", r"zonasi", r"angkot", r"bus",
    r"parkir", r"ojek", r"terminal", r"pasar", r"pedagang", r"sertifikat", r"tanah", r"lahan",
    r"asn", r"pns", r"pegawai", r"petugas", r"camat", r"lurah", r"kades", r"kepala desa",
    r"perangkat desa", r"dana desa", r"sungai", r"hutan", r"pabrik", r"rambu", r"traffic light",
    r"road", r"street", r"streetlights?", r"bridge", r"water", r"electricity", r"power",
    r"school", r"hospital", r"clinic", r"bus", r"drain\w*", r"teacher", r"permit", r"izin",
    r"imb", r"pbg", r"posyandu", r"vaksin", r"imunisasi", r"banjir", r"pengungsi\w*",
    r"bantuan", r"dalan", r"dalane", r"jalanan",
)  # fmt: skip
#: says it is reporting something: a thanks with this goes on to a new report
REPORTS = re.compile(
    r"\b(?:mau|ingin|hendak|handak|izin|ijin|mohon izin|badhe|nak) (?:\w+ )?(?:lapor|melapor|"
    r"melaporkan|laporkan|menyampaikan|sampaikan|mengadu|mengadukan|menanyakan)\b"
    r"|\bi (?:want|would like) to (?:report|complain)\b"
)
#: a chain message, a forward or an invitation to a group: chatter, whatever it says
FORWARDED = re.compile(
    r"\b(?:tolong |mohon |harap )?(?:sebarkan|sebar luaskan|viralkan|teruskan ke|forward ke)\b"
    r"|\bpesan berantai\b|\b(?:info|forward|copas) dari grup\b|\bplease share\b"
    r"|\b(?:berita|info)\w* (?:\w+ ){0,6}?(?:benar|bener|betul) (?:tidak|apa|atau)\b"
    r"|\batau hoax\b|\bundangan (?:rapat|pengajian|kerja bakti|syukuran|arisan)\b"
)
#: a problem's words that describe none: "maaf mengganggu", "jatuh tempo"
HARMLESS = re.compile(
    r"\b(?:maaf|mohon maaf|punten|sorry) (?:\w+ )?(?:ganggu|mengganggu|menganggu|merepotkan|"
    r"ngerepotin)\w*(?: (?:waktunya|malam \w+|malam|pagi|siang|sore))?\b|\bjatuh tempo\b"
)
