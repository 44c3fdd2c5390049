"""Shared by run.py and fit.py: a clean database holding the evaluation set, padded with
generated distractor clarifications, and one case per caption."""

import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
EVAL_FILE = ROOT / "bench" / "clarifications" / "eval.json"
BENCH_DB = "saring_bench_clarifications"
PUBLISHED_TOTAL = 500


@dataclass(frozen=True)
class LoadedCaption:
    text: str
    expected: int | None  # the clarification's database id
    expected_slug: str | None
    kind: str
    split: str
    case_id: int


def bench_database_urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saring")
    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def prepare_database() -> None:
    """Drop and re-create the bench database, migrate it, then set Django up on it."""
    import psycopg

    admin, url = bench_database_urls()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    env = {**os.environ, "DATABASE_URL": url, "SARING_ENV": "test", "LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.update({"DATABASE_URL": url, "SARING_ENV": "test", "LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pemilu.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Distractors --------------------------------------------------------------------------------
# Local, administrative clarifications of the kind a season produces by the hundred. They use the
# same election vocabulary as the evaluation set (surat suara, TPS, kampanye, ditunda ...) but
# answer none of its captions: each is about one named regency or city.

REGIONS = (  # noqa: SIM905 (a list literal of 200 names would be 200 lines)
    "Aceh-Besar Pidie Bireuen Langkat Deli-Serdang Simalungun Karo Asahan Agam Tanah-Datar "
    "Pesisir-Selatan Kampar Siak Bengkalis Indragiri-Hulu Muaro-Jambi Kerinci Ogan-Ilir Banyuasin "
    "Musi-Banyuasin Lahat Rejang-Lebong Lampung-Selatan Pringsewu Tanggamus Bangka Belitung "
    "Pandeglang Lebak Serang Bogor Sukabumi Cianjur Garut Tasikmalaya Ciamis Kuningan Cirebon "
    "Indramayu Subang Purwakarta Karawang Bekasi Cilacap Banyumas Purbalingga Banjarnegara "
    "Kebumen Purworejo Wonosobo Magelang Boyolali Klaten Sukoharjo Wonogiri Karanganyar Sragen "
    "Grobogan Blora Rembang Pati Kudus Jepara Demak Semarang Kendal Batang Pekalongan Pemalang "
    "Tegal Brebes Sleman Bantul Gunungkidul Kulon-Progo Pacitan Ponorogo Trenggalek Tulungagung "
    "Blitar Kediri Malang Lumajang Jember Banyuwangi Bondowoso Situbondo Probolinggo Pasuruan "
    "Sidoarjo Mojokerto Jombang Nganjuk Madiun Magetan Ngawi Bojonegoro Tuban Lamongan Gresik "
    "Bangkalan Sampang Pamekasan Sumenep Jembrana Tabanan Badung Gianyar Klungkung Bangli "
    "Karangasem Buleleng Lombok-Barat Lombok-Tengah Lombok-Timur Sumbawa Dompu Bima Kupang "
    "Sikka Ende Manggarai Sambas Bengkayang Landak Sanggau Ketapang Sintang Kapuas Kotawaringin "
    "Barito Tanah-Laut Kotabaru Banjar Tapin Paser Kutai Berau Bulungan Minahasa Bolaang "
    "Gorontalo Boalemo Donggala Poso Banggai Gowa Takalar Jeneponto Bantaeng Bulukumba Sinjai "
    "Maros Pangkep Barru Bone Soppeng Wajo Sidrap Pinrang Enrekang Luwu Buton Muna Konawe Kolaka "
    "Majene Polewali Mamuju Maluku-Tengah Buru Halmahera Jayapura Merauke Jayawijaya Nabire "
    "Biak Sorong Manokwari Fakfak"
).split()

ADHOC = ["PPK", "PPS", "KPPS", "Pantarlih", "PPLN"]
TEMPLATES = [
    (
        "Pendaftaran anggota {adhoc} di Kabupaten {region} ditutup lebih awal.",
        "Pendaftaran {adhoc} Kabupaten {region} dibuka sesuai jadwal",
        "KPU Kabupaten {region} membuka pendaftaran calon anggota {adhoc} sesuai jadwal tahapan. "
        "Pengumuman penutupan lebih awal yang beredar tidak berasal dari KPU Kabupaten {region}.",
        ["pendaftaran {adhoc} {region}", "rekrutmen badan adhoc"],
        ["hoax"],
    ),
    (
        "Gudang logistik KPU Kabupaten {region} terbakar dan seluruh isinya hangus.",
        "Gudang logistik KPU Kabupaten {region} dalam keadaan aman",
        "Tidak ada kebakaran di gudang logistik KPU Kabupaten {region}. Foto yang beredar adalah "
        "kejadian lain di luar daerah. Logistik disimpan dengan penjagaan aparat keamanan.",
        ["gudang logistik {region}", "kebakaran gudang"],
        ["hoax"],
    ),
    (
        "Seluruh TPS di Kecamatan {n} Kabupaten {region} dipindahkan ke balai desa.",
        "Lokasi TPS di Kabupaten {region} tidak dipindahkan",
        "KPU Kabupaten {region} tidak memindahkan lokasi TPS di Kecamatan {n}. Pemindahan lokasi "
        "hanya dilakukan karena bencana dan diumumkan oleh PPS setempat.",
        ["lokasi TPS {region}", "TPS dipindahkan"],
        ["voter_suppression"],
    ),
    (
        "Ketua KPU Kabupaten {region} diberhentikan karena melanggar kode etik.",
        "Ketua KPU Kabupaten {region} masih menjabat",
        "Tidak ada putusan DKPP yang memberhentikan Ketua KPU Kabupaten {region}. Pemberhentian "
        "penyelenggara pemilu hanya dapat dilakukan melalui putusan DKPP.",
        ["ketua KPU {region}", "putusan DKPP"],
        ["defamation"],
    ),
    (
        "Rapat umum kampanye di lapangan Kabupaten {region} dilarang oleh KPU.",
        "Jadwal rapat umum di Kabupaten {region} sesuai ketentuan",
        "KPU Kabupaten {region} menetapkan jadwal dan lokasi rapat umum bersama peserta pemilu "
        "dan kepolisian. Tidak ada larangan rapat umum di lapangan yang telah dijadwalkan.",
        ["rapat umum {region}", "jadwal kampanye daerah"],
        ["hoax"],
    ),
    (
        "Peserta sosialisasi pemilih pemula di Kabupaten {region} dipungut biaya.",
        "Sosialisasi pemilih pemula KPU Kabupaten {region} tidak dipungut biaya",
        "Kegiatan sosialisasi pendidikan pemilih yang diselenggarakan KPU Kabupaten {region} "
        "gratis. Pungutan atas nama KPU dapat dilaporkan.",
        ["sosialisasi pemilih pemula {region}", "pungutan biaya sosialisasi"],
        ["official_impersonation"],
    ),
    (
        "Surat suara DPRD untuk daerah pemilihan {n} Kabupaten {region} tertukar dengan "
        "daerah pemilihan lain.",
        "Surat suara DPRD Kabupaten {region} sudah dicek dan dikirim sesuai daerah pemilihan",
        "Surat suara DPRD Kabupaten {region} daerah pemilihan {n} dicek jumlah dan jenisnya "
        "sebelum didistribusikan. Kekurangan atau kesalahan jenis segera diganti.",
        ["surat suara tertukar {region}", "daerah pemilihan {n}"],
        ["hoax"],
    ),
    (
        "Pencocokan dan penelitian data pemilih di Kabupaten {region} memakai data tahun 2014.",
        "Coklit di Kabupaten {region} memakai data terbaru",
        "Pantarlih di Kabupaten {region} melakukan pencocokan dan penelitian dari rumah ke rumah "
        "berdasarkan data pemilih terakhir yang dimutakhirkan.",
        ["coklit {region}", "pemutakhiran data pemilih"],
        ["disinformation"],
    ),
    (
        "Bimbingan teknis KPPS di Kabupaten {region} dibatalkan karena anggaran habis.",
        "Bimbingan teknis KPPS Kabupaten {region} tetap berjalan",
        "Bimbingan teknis bagi KPPS di Kabupaten {region} dilaksanakan bertahap sesuai jadwal. "
        "Anggaran kegiatan tersedia dan tidak ada pembatalan.",
        ["bimtek KPPS {region}", "anggaran bimbingan teknis"],
        ["hoax"],
    ),
    (
        "Hasil rekapitulasi di Kecamatan {n} Kabupaten {region} diubah oleh PPK.",
        "Rekapitulasi Kecamatan {n} Kabupaten {region} sesuai formulir dari TPS",
        "Rekapitulasi di tingkat kecamatan Kabupaten {region} dilakukan terbuka di hadapan saksi "
        "dan Panwaslu Kecamatan. Keberatan dicatat dalam formulir kejadian khusus.",
        ["rekapitulasi kecamatan {region}", "PPK {region}"],
        ["defamation", "disinformation"],
    ),
    (
        "Alat peraga kampanye di Kabupaten {region} dipasang oleh KPU untuk calon tertentu.",
        "KPU Kabupaten {region} memasang alat peraga untuk semua peserta",
        "KPU Kabupaten {region} memfasilitasi alat peraga kampanye bagi semua peserta pemilu "
        "dengan jumlah dan ukuran yang sama, di lokasi yang ditetapkan bersama pemerintah daerah.",
        ["alat peraga kampanye {region}", "APK"],
        ["defamation"],
    ),
    (
        "Debat calon anggota DPD di Provinsi asal Kabupaten {region} digelar tertutup.",
        "Dialog calon anggota DPD terbuka untuk umum",
        "Kegiatan dialog calon anggota DPD yang difasilitasi KPU Provinsi disiarkan dan terbuka "
        "untuk umum. Masyarakat Kabupaten {region} dapat menyaksikannya.",
        ["dialog calon DPD", "calon DPD {region}"],
        ["hoax"],
    ),
]


def distractors(count: int, seed: int = 2024) -> list[dict[str, object]]:
    rng = random.Random(seed)
    combos = [(t, r) for t in range(len(TEMPLATES)) for r in REGIONS]
    rng.shuffle(combos)
    out: list[dict[str, object]] = []
    for template_index, region_slug in combos[:count]:
        claim, title, body, keywords, reasons = TEMPLATES[template_index]
        values = {
            "region": region_slug.replace("-", " "),
            "adhoc": rng.choice(ADHOC),
            "n": rng.randint(1, 9),
        }
        out.append(
            {
                "claim": claim.format(**values),
                "title": title.format(**values),
                "body": body.format(**values),
                "keywords": [k.format(**values) for k in keywords],
                "reasons": reasons,
                "rating": "false",
            }
        )
    return out


def load(*, published_total: int = PUBLISHED_TOTAL) -> tuple[dict[str, int], list[LoadedCaption]]:
    """Publish the evaluation clarifications and enough distractors to reach
    ``published_total``; one open case (video + flag) per caption. Returns the slug -> id map
    and the captions with their case ids."""
    from django.utils import timezone

    from moderation.choices import (
        CaseStatus,
        ClarificationStatus,
        FlagSource,
        OrganisationKind,
        Reason,
    )
    from moderation.clarifications.search import clarification_search_refresh
    from moderation.models import Case, Clarification, Flag, Organisation, Platform, User, Video

    data = json.loads(EVAL_FILE.read_text(encoding="utf-8"))
    now = timezone.now()
    kpu, _ = Organisation.objects.get_or_create(
        slug="kpu", defaults={"name": "KPU RI", "kind": OrganisationKind.KPU}
    )
    author, _ = User.objects.get_or_create(username="bench-author", defaults={"organisation": kpu})
    approver, _ = User.objects.get_or_create(
        username="bench-approver", defaults={"organisation": kpu}
    )
    rows = [dict(c) for c in data["clarifications"]]
    rows += distractors(max(0, published_total - len(rows)))
    ids: dict[str, int] = {}
    for row in rows:
        clarification = Clarification.objects.create(
            claim=row["claim"],
            rating=row["rating"],
            title=row["title"],
            body=row["body"],
            title_en=row.get("title_en", ""),
            body_en=row.get("body_en", ""),
            keywords=row["keywords"],
            reasons=row["reasons"],
            sources=["https://www.kpu.go.id/"],
            status=ClarificationStatus.PUBLISHED,
            version=1,
            author=author,
            approver=approver,
            published_at=now,
        )
        clarification_search_refresh(clarification=clarification)
        if "id" in row:
            ids[str(row["id"])] = clarification.pk

    platform_org, _ = Organisation.objects.get_or_create(
        slug="tiktok", defaults={"name": "TikTok", "kind": OrganisationKind.PLATFORM}
    )
    platform, _ = Platform.objects.get_or_create(
        slug="tiktok",
        defaults={
            "name": "TikTok",
            "organisation": platform_org,
            "callback_url": "http://127.0.0.1:9/callbacks",
            "callback_secret": "whsec_" + "A" * 44,
        },
    )
    captions: list[LoadedCaption] = []
    for index, item in enumerate(data["captions"]):
        video = Video.objects.create(
            platform=platform,
            platform_video_id=f"bench-{index}",
            caption=item["text"],
            language="id",
            region="ID",
        )
        case = Case.objects.create(
            platform=platform,
            video=video,
            status=CaseStatus.NEW,
            reasons=[Reason.HOAX],
            flag_count=1,
            language="id",
            opened_at=now,
        )
        Flag.objects.create(
            platform=platform,
            platform_flag_id=f"bench-flag-{index}",
            video=video,
            case=case,
            reason=Reason.HOAX,
            source=FlagSource.USER_REPORT,
            flagged_at=now,
            received_at=now,
        )
        slug = item["expected"]
        captions.append(
            LoadedCaption(
                text=item["text"],
                expected=ids[slug] if slug else None,
                expected_slug=slug,
                kind=item["kind"],
                split=item["split"],
                case_id=case.pk,
            )
        )
    return ids, captions


def captions_in_database() -> list[LoadedCaption]:
    """The captions of a database ``load()`` filled earlier (fit.py --reuse)."""
    from moderation.models import Case, Clarification

    data = json.loads(EVAL_FILE.read_text(encoding="utf-8"))
    by_title = dict(Clarification.objects.values_list("title", "pk"))
    ids = {str(c["id"]): by_title[c["title"]] for c in data["clarifications"]}
    cases = {
        case.video.platform_video_id: case.pk
        for case in Case.objects.select_related("video").filter(
            video__platform_video_id__startswith="bench-"
        )
    }
    return [
        LoadedCaption(
            text=item["text"],
            expected=ids[item["expected"]] if item["expected"] else None,
            expected_slug=item["expected"],
            kind=item["kind"],
            split=item["split"],
            case_id=cases[f"bench-{index}"],
        )
        for index, item in enumerate(data["captions"])
    ]
