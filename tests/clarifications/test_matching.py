"""The TikTok-Indonesian normaliser: pure, no database."""

import pytest

from moderation.clarifications.matching import (
    is_known_word,
    normalised_words,
    root_words,
    segment,
    slang_words,
    stem,
    stems,
    stop_words,
    terms,
)


def words(text: str, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    return [t.word for t in terms(text, vocabulary=vocabulary)]


def test_the_libraries_data_ships_with_the_packages():
    assert "makan" in root_words()  # PySastrawi's dictionary
    assert len(root_words()) > 25_000
    assert slang_words()["bgt"] == "banget"  # indoNLP's Kamus Alay
    assert {"yang", "dan", "di"} <= stop_words()  # PySastrawi's stop words


def test_lower_case_emoji_punctuation_and_all_caps():
    assert words("PEMILU DIUNDUR!!! 😱😱🔥 ...") == ["pemilu", "diundur"]
    assert words("Pemilu diundur") == words("PEMILU DIUNDUR") == words("pemilu diundur")


def test_mathematical_bold_letters_become_plain_ones():
    # TikTok captions write "bold" with Unicode's MATHEMATICAL SANS-SERIF BOLD letters.
    def bold(text: str) -> str:
        return "".join(chr(0x1D5D4 + ord(c) - ord("A")) if c.isupper() else c for c in text)

    assert bold("PEMILU DIUNDUR") != "PEMILU DIUNDUR"
    assert words(bold("PEMILU DIUNDUR")) == ["pemilu", "diundur"]


def test_links_and_mentions_are_dropped():
    assert words("cek https://t.co/abc123 kata @kpu_ri pemilu") == ["pemilu"]


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("bangettt", "banget"),
        ("diundurrr", "diundur"),
        ("pemiluuu", "pemilu"),
        ("yaaa", "ya"),
        ("maaf", "maaf"),
    ],
)
def test_repeated_letters_collapse(written, standard):
    assert normalised_words(written) == [standard]


@pytest.mark.parametrize(
    ("slang", "standard"),
    [
        ("udh", ["sudah"]),
        ("sdh", ["sudah"]),
        ("bgt", ["banget"]),
        ("yg", ["yang"]),
        ("dgn", ["dengan"]),
        ("tdk", ["tidak"]),
        ("krn", ["karena"]),
        ("blm", ["belum"]),
        ("gak", ["enggak"]),
        ("nggak", ["enggak"]),
        ("gabisa", ["enggak", "bisa"]),
    ],
)
def test_slang_and_abbreviations(slang, standard):
    assert normalised_words(slang) == standard


def test_slang_function_words_are_stop_words():
    assert words("udh gak yg dgn tdk krn blm sdh bgt sih dong wkwkwk guys") == []


def test_election_abbreviations_win_over_the_general_lexicon():
    # Kamus Alay reads "dpt" as "dapat"; in an election it is the final voters list.
    assert normalised_words("dpt") == ["dpt"]
    assert normalised_words("capres") == ["calon", "presiden"]
    assert normalised_words("paslon") == ["pasangan", "calon"]
    assert normalised_words("pilpres") == ["pemilu", "presiden"]
    assert normalised_words("qc") == ["quick", "count"]


@pytest.mark.parametrize("written", ["e-KTP", "ektp", "KTP-el", "ktp el", "KTP"])
def test_every_way_of_writing_the_id_card(written):
    assert words(written) == ["ktp"]


def test_code_mixed_english_words():
    assert words("election postponed") == ["pemilu", "ditunda"]
    assert stems("ballot fake") == stems("surat suara palsu")


def test_ga_jadi_means_called_off():
    assert words("pemilu gajadi") == words("pemilu ga jadi") == ["pemilu", "batal"]


def test_hashtags_are_split_with_the_clarifications_words():
    vocabulary = frozenset({"pemilu", "ditunda"})
    assert words("#pemiluditunda", vocabulary) == ["pemilu", "ditunda"]


def test_hashtags_are_split_with_general_words_alone():
    assert words("#suratsuaratercoblos") == ["surat", "suara", "tercoblos"]
    assert words("#harilibur") == ["hari", "libur"]
    assert words("#pemilu2024") == ["pemilu", "2024"]


def test_tiktok_noise_hashtags_are_dropped():
    assert words("#fyp #foryou #xyzbca #viral pemilu") == ["pemilu"]


def test_a_long_unknown_word_outside_a_hashtag_is_split_only_into_known_words():
    assert words("suratsuaratercoblos") == ["surat", "suara", "tercoblos"]
    assert words("screenshotnya") == ["screenshotnya"]


def test_segment_prefers_known_words():
    assert segment("pilkadaditunda", vocabulary=frozenset({"pilkada"})) == ["pilkada", "ditunda"]


def test_stop_words_go_but_words_election_rules_turn_on_stay():
    assert words("katanya yang di sana itu") == []
    assert words("hari luar negeri pukul masa tenang") == [
        "hari",
        "luar",
        "negeri",
        "pukul",
        "masa",
        "tenang",
    ]


@pytest.mark.parametrize(
    "form", ["coblos", "dicoblos", "mencoblos", "tercoblos", "coblosan", "nyoblos", "dicoblosin"]
)
def test_every_form_of_coblos_has_one_root(form):
    assert stem(form) == "coblos"


@pytest.mark.parametrize(
    ("colloquial", "root"),
    [("ngitung", "hitung"), ("milih", "pilih"), ("kecoblos", "coblos"), ("ngerekam", "rekam")],
)
def test_colloquial_affixes(colloquial, root):
    assert stem(colloquial) == root


def test_clitics_on_abbreviations():
    assert words("tpsnya") == ["tps"]
    assert words("calegnya") == ["calon", "legislatif"]


def test_numbers_times_and_reduplication():
    assert words("coblos 2x") == ["coblos", "2", "kali"]
    assert words("jam 10.00") == ["jam", "10"]
    assert words("58%") == ["58", "persen"]
    assert words("300rb") == ["300", "ribu"]
    assert words("hati2 berkali2") == ["hati", "berkali"]


def test_empty_and_symbol_only_text():
    assert terms("") == []
    assert terms("😱🔥!!! ... #fyp") == []


def test_known_words():
    assert is_known_word("pemilu") or is_known_word("pemilu", vocabulary=frozenset({"pemilu"}))
    assert is_known_word("dicoblos")
    assert not is_known_word("sirekep")
    assert is_known_word("sirekep", vocabulary=frozenset({"sirekep"}))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("pmi di Arab Saudi", ["pmi", "arab", "saudi", "luar", "negeri"]),
        ("KOREA SELATAN", ["korea", "selatan", "luar", "negeri"]),
        ("di taiwan", ["taiwan", "luar", "negeri"]),
        ("hongkong", ["hong", "kong", "luar", "negeri"]),
        ("#hongkong", ["hong", "kong", "luar", "negeri"]),
        ("#arabsaudi", ["arab", "saudi", "luar", "negeri"]),
        ("Uni Emirat Arab", ["uni", "emirat", "arab", "luar", "negeri"]),
    ],
)
def test_a_foreign_country_reads_as_abroad(written, expected):
    assert words(written) == expected


def test_abroad_is_said_once_and_only_after_a_country():
    assert words("coblos di luar negeri") == ["coblos", "luar", "negeri"]
    assert words("dari Malaysia ke Singapura") == [
        "malaysia",
        "luar",
        "negeri",
        "singapura",
        "luar",
        "negeri",
    ]
    # Country names that are everyday words are not on the list: kenya (girl), laos (galangal).
    assert "luar" not in words("si kenya masak pake laos")
    assert "luar" not in words("arab")  # a people and a script, not a country by itself


def test_country_names_are_known_words_not_typos():
    assert is_known_word("taiwan")
    assert is_known_word("malaysia")


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("menangis", "tangis"),  # PySastrawi: menang (to win)
        ("nangis", "tangis"),
        ("relawan", "relawan"),  # PySastrawi: rawan (vulnerable), as in "TPS rawan"
        ("kemenangan", "menang"),
        ("menyampaikan", "sampai"),
        ("berlakunya", "laku"),
        ("mengundurkan", "undur"),
    ],
)
def test_roots_that_regular_affixes_do_not_explain_are_not_taken(word, root):
    assert stem(word) == root
