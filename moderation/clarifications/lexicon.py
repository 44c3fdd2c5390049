"""Word lists the normaliser adds to the libraries' own (PySastrawi, indoNLP).

Everything here is general knowledge of Indonesian election vocabulary and of TikTok writing
habits, written from the domain, never from the evaluation captions
(bench/clarifications/eval.json): a word list tuned to those captions would measure nothing.
Keep entries general. A word that only one caption uses does not belong here.
"""

# Election abbreviations and slang, mapped to the form KPU's formal text uses. These win over
# the general slang lexicon, which reads some of them as everyday words ("dpt" -> "dapat").
# Both sides, clarifications and captions, pass through the same map.
ELECTION_TERMS: dict[str, str] = {
    # Institutions and documents keep their abbreviation; listing them protects them.
    "kpu": "kpu",
    "kpud": "kpu",
    "bawaslu": "bawaslu",
    "panwaslu": "panwaslu",
    "dkpp": "dkpp",
    "kpps": "kpps",
    "ppk": "ppk",
    "pps": "pps",
    "ppln": "ppln",
    "kbri": "kbri",
    "tps": "tps",
    "tpsln": "tpsln",
    "ksk": "ksk",
    "dpt": "dpt",
    "dptb": "dptb",
    "dpk": "dpk",
    "dct": "dct",
    "dcs": "dcs",
    "dpr": "dpr",
    "dprd": "dprd",
    "dpd": "dpd",
    "mk": "mk",
    "psu": "psu",
    "apk": "apk",
    "asn": "asn",
    "pns": "pns",
    "tni": "tni",
    "polri": "polri",
    "wni": "wni",
    "c1": "c1",
    "c6": "c6",
    "nik": "nik",
    "kk": "kartu keluarga",
    "ktp": "ktp",
    "ektp": "ktp",
    "ktpel": "ktp",
    "ktp el": "ktp",
    "e ktp": "ktp",
    "golput": "golput",
    "sirekap": "sirekap",
    # Election names and roles, to the words KPU writes out.
    "pemilihan umum": "pemilu",
    "pilpres": "pemilu presiden",
    "pileg": "pemilu legislatif",
    "pilkada": "pilkada",
    "pilgub": "pilkada gubernur",
    "pilbup": "pilkada bupati",
    "pilwalkot": "pilkada wali kota",
    "capres": "calon presiden",
    "cawapres": "calon wakil presiden",
    "caleg": "calon legislatif",
    "paslon": "pasangan calon",
    "parpol": "partai politik",
    "timses": "tim sukses",
    "qc": "quick count",
    "medsos": "media sosial",
    "hp": "ponsel",
    "hape": "ponsel",
    "handphone": "ponsel",
    # Month abbreviations.
    "jan": "januari",
    "feb": "februari",
    "mar": "maret",
    "apr": "april",
    "jun": "juni",
    "jul": "juli",
    "agu": "agustus",
    "agt": "agustus",
    "sep": "september",
    "okt": "oktober",
    "nov": "november",
    "des": "desember",
    # Everyday slang the general lexicon lacks or reads differently.
    "taun": "tahun",
    "negri": "negeri",
    "gajadi": "enggak jadi",
    "gak jadi": "enggak jadi",
    "gaboleh": "enggak boleh",
    "gabisa": "enggak bisa",
    "gaada": "enggak ada",
    "kalo": "kalau",
    "ilang": "hilang",
    "dikasih": "diberi",
    "ngasih": "memberi",
    "pake": "pakai",
    "dipake": "dipakai",
    "tau": "tahu",
    "bener": "benar",
    "beneran": "benar",
}

# Common English words in code-mixed captions, to the Indonesian word KPU's text uses.
ENGLISH_WORDS: dict[str, str] = {
    "election": "pemilu",
    "elections": "pemilu",
    "vote": "memilih",
    "votes": "suara",
    "voting": "memilih",
    "voter": "pemilih",
    "voters": "pemilih",
    "ballot": "surat suara",
    "ballots": "surat suara",
    "postpone": "tunda",
    "postponed": "ditunda",
    "delay": "tunda",
    "delayed": "ditunda",
    "cancel": "batal",
    "cancelled": "dibatalkan",
    "canceled": "dibatalkan",
    "fake": "palsu",
    "official": "resmi",
    "result": "hasil",
    "results": "hasil",
    "counting": "penghitungan",
    "recount": "hitung ulang",
    "ink": "tinta",
    "overseas": "luar negeri",
    "abroad": "luar negeri",
    "candidate": "calon",
    "candidates": "calon",
    "party": "partai",
    "campaign": "kampanye",
    "debate": "debat",
    "resign": "mundur",
    "resigned": "mundur",
    "withdraw": "mundur",
    "quit": "mundur",
    "rigged": "curang",
    "cheat": "curang",
    "cheating": "curang",
    "fraud": "curang",
    "leak": "bocor",
    "leaked": "bocor",
    "invitation": "undangan",
    "letter": "surat",
    "expired": "kedaluwarsa",
    "holiday": "libur",
    "closed": "tutup",
    "close": "tutup",
    "open": "buka",
    "money": "uang",
    "paid": "dibayar",
    "photo": "foto",
    "selfie": "foto",
    "record": "rekam",
    "winner": "pemenang",
    "illegal": "dilarang",
    "fine": "denda",
    "jail": "penjara",
    "prison": "penjara",
}

# TikTok's own noise: hashtags and words that say nothing about the content.
TIKTOK_NOISE: frozenset[str] = frozenset(
    {
        "fyp",
        "fypシ",
        "fy",
        "foryou",
        "foryoupage",
        "fypage",
        "xyzbca",
        "xyzcba",
        "xybca",
        "viral",
        "viralkan",
        "trending",
        "tiktok",
        "capcut",
        "masukberanda",
        "beranda",
        "storywa",
        "share",
        "sebarkan",
        "like",
        "komen",
        "follow",
        "repost",
        "info",
        "update",
        "breaking",
        "news",
        "cek",
        "hoaks",
        "hoax",
    }
)

# Colloquial function words, particles and forms of address that PySastrawi's stop-word list
# (written for formal text) lacks.
COLLOQUIAL_STOP_WORDS: frozenset[str] = frozenset(
    {
        "gue",
        "gua",
        "gw",
        "lu",
        "lo",
        "elu",
        "ane",
        "aing",
        "sih",
        "deh",
        "nih",
        "tuh",
        "lho",
        "loh",
        "yah",
        "aja",
        "doang",
        "banget",
        "gitu",
        "gini",
        "gimana",
        "kayak",
        "kayaknya",
        "emang",
        "enggak",
        "nggak",
        "gak",
        "ga",
        "kagak",
        "ngga",
        "engga",
        "udah",
        "dah",
        "kalo",
        "cuman",
        "pas",
        "gapapa",
        "apa-apa",
        "guys",
        "gaes",
        "gais",
        "gan",
        "sis",
        "bro",
        "bestie",
        "cuy",
        "coy",
        "min",
        "mimin",
        "kak",
        "kakak",
        "bang",
        "anjir",
        "njir",
        "btw",
        "fyi",
        "lol",
        "omg",
        "pls",
        "plis",
        "please",
        "yuk",
        "ayo",
        "mah",
        "tah",
        "kek",
        "dll",
        "dsb",
        "the",
        "and",
        "is",
        "of",
        "to",
        "in",
        "no",
    }
)

# Words in PySastrawi's stop-word list that carry meaning in election rules: time, number,
# place and quantity ("pukul 13.00", "luar negeri", "masa tenang", "pemilih khusus").
KEEP_WORDS: frozenset[str] = frozenset(
    {
        "hari",
        "bulan",
        "luar",
        "masa",
        "khusus",
        "kerja",
        "masuk",
        "pukul",
        "kali",
        "lebih",
        "satu",
        "dua",
        "tiga",
        "empat",
        "lima",
        "pertama",
        "akhir",
        "awal",
        "terakhir",
        "baru",
        "jumlah",
        "tempat",
        "setempat",
    }
)


# Foreign countries, written the Indonesian way: a caption naming one is about voters abroad (the
# PPLN, TPSLN and postal voting of KPU's text), so it also reads "luar negeri". The UN member
# states as faker's id_ID address provider lists them (a general list, not the captions'), less
# Indonesia, plus the places most Indonesian migrant workers vote from that are not UN members
# (Hong Kong, Taiwan, Makau). Words of a name are joined by "-". Names that are also everyday
# Indonesian words (kenya "girl", laos "galangal", palau) are left out.
FOREIGN_COUNTRIES: list[str] = (  # noqa: SIM905 (one name a line would be 200 lines)
    "Afganistan Afrika-Selatan Afrika-Tengah Albania Aljazair Amerika-Serikat Andorra "
    "Angola Antigua-dan-Barbuda Arab-Saudi Argentina Armenia Australia Austria Azerbaijan "
    "Bahama Bahrain Bangladesh Barbados Belanda Belarus Belgia Belize Benin Bhutan Bolivia "
    "Bosnia-dan-Herzegovina Botswana Brasil Britania-Raya Brunei Bulgaria Burkina-Faso "
    "Burundi Ceko Chad Chili Denmark Djibouti Dominika Ekuador El-Salvador Eritrea Estonia "
    "Ethiopia Federasi-Mikronesia Fiji Filipina Finlandia Gabon Gambia Georgia Ghana "
    "Grenada Guatemala Guinea Guinea-Khatulistiwa Guinea-Bissau Guyana Haiti Honduras "
    "Hongaria India Irak Iran Islandia Israel Italia Jamaika Jepang Jerman Kamboja Kamerun "
    "Kanada Kazakhstan Kepulauan-Marshall Kepulauan-Solomon Kirgizstan Kiribati Kolombia "
    "Komoro Korea-Selatan Korea-Utara Kosta-Rika Kroasia Kuba Kuwait Latvia Lebanon Lesotho "
    "Liberia Libya Liechtenstein Lituania Luksemburg Madagaskar Makedonia-Utara Maladewa "
    "Malawi Malaysia Mali Malta Maroko Mauritania Mauritius Meksiko Mesir Moldova Monako "
    "Mongolia Montenegro Mozambik Myanmar Namibia Nauru Nepal Niger Nigeria Nikaragua "
    "Norwegia Oman Pakistan Panama Pantai-Gading Papua-Nugini Paraguay Perancis Peru "
    "Polandia Portugal Qatar Republik-Demokratik-Kongo Republik-Dominika Republik-Irlandia "
    "Republik-Kongo Republik-Rakyat-Tiongkok Rumania Rusia Rwanda Saint-Kitts-dan-Nevis "
    "Saint-Lucia Saint-Vincent-dan-Grenadine Samoa San-Marino São-Tomé-dan-Príncipe "
    "Selandia-Baru Senegal Serbia Seychelles Sierra-Leone Singapura Siprus Slovenia "
    "Slowakia Somalia Spanyol Sri-Lanka Sudan Sudan-Selatan Suriah Suriname Swaziland "
    "Swedia Swiss Tajikistan Tanjung-Verde Tanzania Thailand Timor-Leste Togo Tonga "
    "Trinidad-dan-Tobago Tunisia Turki Turkmenistan Tuvalu Uganda Ukraina Uni-Emirat-Arab "
    "Uruguay Uzbekistan Vanuatu Vatikan Venezuela Vietnam Yaman Yordania Yunani Zambia "
    "Zimbabwe Hong-Kong Taiwan Makau"
).split()
