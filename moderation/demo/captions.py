"""Captions for the demo data, written for this project (not taken from real posts).

Each reason has a handful of templates; ``{place}``, ``{name}``, ``{no}`` and ``{day}`` are
filled from the lists below so that 300 videos do not read as copies of one another.
"""

PLACES = [
    "Jakarta Timur",
    "Bekasi",
    "Bandung",
    "Surabaya",
    "Medan",
    "Makassar",
    "Semarang",
    "Palembang",
    "Denpasar",
    "Pontianak",
    "Manado",
    "Kupang",
    "Jayapura",
    "Padang",
    "Malang",
    "Yogyakarta",
    "Banjarmasin",
    "Ambon",
    "Mataram",
    "Pekanbaru",
]
NAMES = ["Paslon 01", "Paslon 02", "Paslon 03", "Caleg Dapil 3", "Partai X", "Partai Y"]
DAYS = ["Rabu 14 Februari", "hari Selasa", "besok pagi", "tanggal 15", "minggu depan"]

CAPTIONS: dict[str, list[str]] = {
    "hoax": [
        "BREAKING!! Surat suara di {place} sudah dicoblos duluan, lihat sendiri videonya 😡",
        "Katanya kotak suara kardus gampang dibobol, ini buktinya dari gudang KPU {place}",
        "Ribuan KTP palsu ditemukan di {place} buat menangin {name}?! Sebarkan!",
        "Server KPU dikuasai asing, hasil sudah diatur dari awal. Info orang dalam.",
        "Tinta pemilu tahun ini bisa dihapus pakai pemutih, coba aja!",
    ],
    "disinformation": [
        "Hasil quick count palsu beredar, {name} katanya menang 80% di {place}",
        "Video lama 2019 diunggah ulang: kericuhan TPS {place} katanya terjadi hari ini",
        "Data DPT bocor! Cek apakah nama kamu dihapus oleh {name}",
        "Potongan pidato {name} dipelintir, aslinya bukan begini konteksnya",
        "Grafik suara naik turun sendiri di Sirekap, pasti dicurangi (tanpa sumber)",
    ],
    "defamation": [
        "{name} ternyata koruptor kelas kakap, sudah pasti masuk penjara setelah pemilu",
        "Ketua KPPS {place} terima amplop dari {name}, semua warga tahu!",
        "Istri caleg {place} selingkuh sama tim sukses, makanya dia nyalon",
        "Petugas PPK {place} disebut penipu dan pencuri suara rakyat",
    ],
    "hate_speech": [
        "Pendukung {name} itu orang-orang bodoh, tidak pantas punya hak pilih",
        "Usir saja pendatang dari {place}, mereka yang bikin kacau pemilu",
        "Kelompok itu sampah masyarakat, jangan biarkan mereka ke TPS",
    ],
    "sara": [
        "Jangan pilih {name} karena bukan dari agama kita! Haram hukumnya",
        "Suku pendatang mau kuasai {place}, lawan lewat pemilu ini",
        "{name} keturunan asing, tidak layak pimpin negeri ini",
        "Pemimpin harus dari golongan kita, yang lain pasti mengkhianati",
    ],
    "incitement": [
        "Kalau {name} kalah di {place}, kita turun ke jalan bakar kantor KPU!",
        "Kumpul di depan kantor KPU {place} {day}, bawa perlengkapan, kita kepung",
        "Saksi partai lawan datang ke TPS? Hadang saja, jangan kasih masuk",
    ],
    "quiet_period_campaign": [
        "Besok jangan lupa coblos {name}! Bagikan ke grup keluarga #pemilu2024",
        "Masih masa tenang tapi yuk ingatkan saudara: pilih {name} demi {place} maju",
        "Live bagi-bagi sembako dari tim {name} di {place}, sambil ingat nomor urutnya ya",
        "Giveaway pulsa untuk yang janji pilih {name}, syarat follow dan share",
    ],
    "official_impersonation": [
        "[AKUN RESMI KPU] Pemungutan suara diundur ke {day} karena cuaca buruk",
        "Pengumuman Bawaslu {place}: TPS di wilayah ini ditiadakan tahun ini",
        "Saya {name}, mohon transfer donasi kampanye ke rekening pribadi berikut",
        "KPU {place} info: pemilih wajib daftar ulang lewat tautan ini sebelum {day}",
    ],
    "voter_suppression": [
        "INFO PENTING: pemilih yang belum dapat undangan C6 tidak boleh mencoblos!",
        "TPS di {place} tutup jam 10 pagi, jangan datang siang-siang percuma",
        "Yang KTP-nya luar kota tidak bisa memilih sama sekali, jangan repot ke TPS",
        "Pemilu di {place} diundur ke {day}, sudah resmi katanya",
        "Coblos dua kali otomatis suaranya batal semua, lebih baik golput",
    ],
    "civil_servant_partisanship": [
        "Pak camat {place} ajak seluruh ASN dukung {name} di acara dinas",
        "Guru honorer diminta kepala dinas foto pakai kaos {name}",
        "Lurah {place} pidato di kantor kelurahan: wajib pilih {name}",
    ],
    "other": [
        "Pemilu kali ini ribet banget, antre berjam-jam di {place}",
        "Ada yang tahu cara cek DPT online? Share dong",
        "Parodi debat capres, jangan dibawa serius ya 😂",
    ],
}

HANDLES = [
    "@info.tps.terkini",
    "@suara.rakyat.id",
    "@relawan.suara.rakyat",
    "@kabar_pemilu24",
    "@warga{place}",
    "@netizen.kritis",
    "@berita.viral.id",
    "@mamah.update",
    "@anak.muda.memilih",
    "@pemilu.santai",
    "@ronda.digital",
    "@kopi.politik",
    "@jejak.caleg",
    "@ruang.demokrasi",
]

NOTES = [
    "Diunggah ulang dari akun lain, klaim tanpa sumber.",
    "Banyak komentar yang mempercayai klaim ini.",
    "Dilaporkan relawan pemantau pemilu.",
    "Video beredar juga di grup WhatsApp keluarga.",
    "",
    "",
]
