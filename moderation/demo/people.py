"""The demo's people, flag sources and published clarifications (seed_demo loads them)."""

from moderation.choices import FlagSource, Reason, Role

USERS = [
    # username, full name, organisation slug, role
    ("moderator", "Rina Moderator", "tiktok", Role.PLATFORM_MODERATOR),
    ("moderator2", "Budi Moderator", "tiktok", Role.PLATFORM_MODERATOR),
    ("klarifikator", "Sari Klarifikator", "kpu", Role.KPU_CLARIFIER),
    ("penyetuju", "Hasan Penyetuju", "kpu", Role.KPU_APPROVER),
    ("supervisor", "Dewi Supervisor", "tiktok", Role.SUPERVISOR),
    ("admin", "Andi Administrator", "kpu", Role.ADMINISTRATOR),
]

SOURCES = [
    (FlagSource.USER_REPORT, 70),
    (FlagSource.AUTOMATED, 18),
    (FlagSource.TRUSTED_FLAGGER, 8),
    (FlagSource.KPU, 4),
]

CLARIFICATIONS = [
    {
        "claim": "Pemilih tanpa undangan C6 tidak boleh mencoblos.",
        "rating": "false",
        "title": "Pemilih cukup membawa KTP-el, undangan C6 tidak wajib",
        "body": (
            "Pemilih yang terdaftar di DPT tetap dapat menggunakan hak pilihnya dengan "
            "menunjukkan KTP-el di TPS, meskipun tidak menerima surat pemberitahuan (C6)."
        ),
        "title_en": "Voters only need their e-ID card; the C6 notice is not required",
        "sources": ["https://www.kpu.go.id/berita/baca/pemilih-cukup-bawa-ktp-el"],
        "reason": Reason.VOTER_SUPPRESSION,
    },
    {
        "claim": "TPS tutup pukul 10.00 pagi.",
        "rating": "false",
        "title": "TPS buka pukul 07.00 sampai 13.00 waktu setempat",
        "body": "Sesuai PKPU, pemungutan suara di TPS berlangsung pukul 07.00-13.00.",
        "title_en": "Polling stations are open from 07:00 to 13:00 local time",
        "sources": ["https://jdih.kpu.go.id/pkpu-pemungutan-suara"],
        "reason": Reason.VOTER_SUPPRESSION,
    },
    {
        "claim": "Surat suara sudah dicoblos sebelum hari pemungutan suara.",
        "rating": "misleading",
        "title": "Video surat suara tercoblos berasal dari simulasi pelatihan KPPS",
        "body": "Surat suara dalam video adalah contoh untuk pelatihan petugas, bukan logistik.",
        "title_en": "The video shows training ballots, not real ones",
        "sources": ["https://www.kpu.go.id/berita/baca/klarifikasi-surat-suara"],
        "reason": Reason.HOAX,
    },
    {
        "claim": "Pemungutan suara diundur karena cuaca buruk.",
        "rating": "false",
        "title": "Jadwal pemungutan suara tidak berubah",
        "body": "KPU tidak pernah mengumumkan penundaan. Pengumuman resmi hanya di kanal KPU.",
        "title_en": "Voting day has not been moved",
        "sources": ["https://www.kpu.go.id/"],
        "reason": Reason.OFFICIAL_IMPERSONATION,
    },
]
