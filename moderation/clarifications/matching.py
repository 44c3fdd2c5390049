"""Text normalisation for TikTok Indonesian, pure: no database, no network.

A caption such as ``"GUYS PEMILU DIUNDURRR 😱 #pemiluditunda #fyp udh resmi"`` becomes the
content terms ``pemilu diundur pemilu ditunda resmi``, each with its root (``milu``, ``undur``,
``tunda``, ``resmi``), so that it can be matched against KPU's formal text, which passes through
the same steps:

1. Unicode NFKC (the mathematical bold letters TikTok captions use become plain ones) and
   lower case;
2. links and @mentions dropped, emoji and punctuation become spaces; ``2x`` -> ``2 kali``,
   ``58%`` -> ``58 persen``, ``kata2`` -> ``kata``;
3. hashtags and other run-together words split into words (``#pemiluditunda`` -> ``pemilu
   ditunda``) with a vocabulary: PySastrawi's list of ~30,000 Indonesian root words, plus the
   words of the published clarifications that the caller passes in;
4. repeated letters collapsed (``bangettt`` -> ``banget``);
5. slang and abbreviations expanded: our election terms and code-mixed English words first
   (lexicon.py), then indoNLP's copy of Kamus Alay, the colloquial Indonesian lexicon of
   Salsabila et al. (2018), ~4,200 entries; a foreign country's name (``arab saudi``,
   ``hongkong``) is followed by ``luar negeri``, the words KPU writes about voters abroad;
6. stop words dropped: PySastrawi's list, less the words about time, number and place that
   election rules turn on, plus colloquial particles and TikTok's own noise (lexicon.py);
7. each word reduced to its root with PySastrawi, and, where PySastrawi finds none, after
   undoing Jakarta colloquial affixes (``nyoblos`` -> ``coblos``, ``dicoblosin`` ->
   ``dicoblos``, ``ngitung`` -> ``hitung``).

Both libraries ship their data inside the package; nothing is downloaded at run time.
"""

import ast
import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

from moderation.clarifications.lexicon import (
    COLLOQUIAL_STOP_WORDS,
    ELECTION_TERMS,
    ENGLISH_WORDS,
    FOREIGN_COUNTRIES,
    KEEP_WORDS,
    TIKTOK_NOISE,
)

_URL = re.compile(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"@[\w.]+")
_HASHTAG = re.compile(r"#([^\W_]+)")
_TIMES = re.compile(r"\b(\d+)\s?x\b")
_PERCENT = re.compile(r"(\d)\s?%")
_THOUSANDS = re.compile(r"\b(\d+)\s?(rb|ribu|k)\b")
_MILLIONS = re.compile(r"\b(\d+)\s?(jt|juta)\b")
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_REDUPLICATED = re.compile(r"^([a-z]{2,})2$")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_RUN2 = re.compile(r"([a-z])\1")
_LAUGH = re.compile(r"^(?:(?:wk)+w?|(?:ha)+h?|(?:he)+h?|(?:hi)+h?|(?:xi)+|awok(?:wok)*|ckck+)$")
_NEGATION = frozenset({"enggak", "nggak", "gak", "ga", "tidak", "tak", "engga", "ngga", "kagak"})

# Run-together words shorter than this are left alone unless they are hashtags.
_SEGMENT_MIN_LENGTH = 9
_SEGMENT_MAX_WORD = 20


@dataclass(frozen=True, slots=True)
class Term:
    """One content word of a text: as it reads after normalisation, and its root."""

    word: str
    stem: str


# --- The libraries' data, loaded once per process ---------------------------------------------


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    return StemmerFactory().create_stemmer()


@cache
def root_words() -> frozenset[str]:
    """PySastrawi's dictionary of Indonesian root words (kata dasar)."""
    return frozenset(w.strip() for w in StemmerFactory().get_words() if w.strip())


@cache
def slang_words() -> dict[str, str]:
    """indoNLP's Kamus Alay lexicon. Read from the module file the package ships rather than
    imported: importing indoNLP compiles its emoji tables, about a second per process."""
    spec = importlib.util.find_spec("indoNLP")
    if spec is None or spec.origin is None:  # pragma: no cover - a broken install
        raise RuntimeError("indoNLP is not installed")
    source = Path(spec.origin).parent / "preprocessing" / "slang_data.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SLANG_DATA":
            data = ast.literal_eval(node.value)
            return {str(k): str(v) for k, v in data.items()}
    raise RuntimeError("indoNLP's slang data has an unexpected shape")  # pragma: no cover


@cache
def stop_words() -> frozenset[str]:
    sastrawi = set(StopWordRemoverFactory().get_stop_words())
    return frozenset((sastrawi - KEEP_WORDS) | COLLOQUIAL_STOP_WORDS | TIKTOK_NOISE)


@cache
def foreign_countries() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each way of writing a foreign country's name as tokens (``arab saudi``, and run together
    ``arabsaudi``) -> its words."""
    forms: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name in FOREIGN_COUNTRIES:
        words = tuple(
            _TOKEN.findall(unicodedata.normalize("NFKC", name).casefold().replace("-", " "))
        )
        forms[words] = words
        forms[("".join(words),)] = words
    return forms


_COUNTRY_MAX_WORDS = 5
_ABROAD = ("luar", "negeri")


@cache
def _general_words() -> frozenset[str]:
    """Words we recognise without any clarification: roots, slang, lexicon, stop words."""
    slang = slang_words()
    words = set(root_words()) | set(slang) | stop_words() | set(ELECTION_TERMS)
    words |= set(ENGLISH_WORDS)
    words |= {form[0] for form in foreign_countries() if len(form) == 1}
    for expansion in list(slang.values()) + list(ELECTION_TERMS.values()):
        words.update(expansion.split())
    return frozenset(w for w in words if " " not in w)


# --- Stemming ----------------------------------------------------------------------------------


def _colloquial_forms(word: str) -> Iterator[str]:
    """Candidate standard forms of a Jakarta-colloquial word, most likely first."""
    bases = [word]
    if word.endswith("in") and len(word) > 5:
        bases.insert(0, word[:-2])  # dicoblosin -> dicoblos, ngitungin -> ngitung
    for base in bases:
        if base.startswith("nge") and len(base) > 5:
            yield base[3:]  # ngerekam -> rekam
        if base.startswith("ny"):
            yield "c" + base[2:]  # nyoblos -> coblos
            yield "s" + base[2:]  # nyampe -> sampe
        elif base.startswith("ng"):
            yield "k" + base[2:]  # ngirim -> kirim
            yield "h" + base[2:]  # ngitung -> hitung
            yield base[2:]  # ngurus -> urus
        elif base.startswith("m") and not base.startswith("me"):
            yield "p" + base[1:]  # milih -> pilih
        elif base.startswith("n"):
            yield "t" + base[1:]  # nunggu -> tunggu
        if base.startswith("ke") and len(base) > 5:
            yield base[2:]  # kecoblos -> coblos, kedaftar -> daftar
        if base is not word:
            yield base


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The root of one normalised word: PySastrawi's, or after undoing colloquial affixes."""
    if not word.isalpha() or len(word) < 4:
        return word
    roots = root_words()
    stemmer = _stemmer()
    found: str = stemmer.stem(word)
    if found != word and found in roots and not _affixes_explain(word, found):
        # PySastrawi over-strips a few words: menangis -> menang (cry -> win), relawan ->
        # rawan (volunteer -> vulnerable). Prefer prefix + root read with regular affixes, or
        # else the word itself (and its colloquial forms below).
        found = _regular_root(word) or word
    if found in roots or len(word) < 5:
        return found
    for form in _colloquial_forms(word):
        candidate: str = stemmer.stem(form)
        if candidate in roots:
            return candidate
    return found


# Suffixes a root can carry, in their order: derivational, possessive, particle.
_SUFFIX_CHAINS = sorted(
    {
        d + p + q
        for d in ("kan", "an", "i", "")
        for p in ("ku", "mu", "nya", "")
        for q in ("lah", "kah", "pun", "")
    },
    key=len,
    reverse=True,
)
_ROOT_PREFIXES = (
    *("memper", "member", "menge", "penge", "meng", "meny", "peng", "peny", "mem", "men"),
    *("pem", "pen", "ber", "ter", "per", "me", "pe", "di", "ke", "se", "be", "te"),
)


def _affixes_explain(word: str, root: str) -> bool:
    """Whether ``word`` ends with ``root`` (its first letter possibly swallowed by a nasal
    prefix: memilih = mem + pilih) followed by regular suffixes only."""
    for chain in _SUFFIX_CHAINS:
        if chain and not word.endswith(chain):
            continue
        core = word[: len(word) - len(chain)]
        if core.endswith(root) or (len(root) > 3 and root[0] in "ptks" and core.endswith(root[1:])):
            return True
    return False


def _regular_root(word: str) -> str | None:
    """A root that a regular prefix and regular suffixes explain: menangis = men + tangis."""
    roots = root_words()
    for chain in _SUFFIX_CHAINS:
        if chain and not word.endswith(chain):
            continue
        core = word[: len(word) - len(chain)]
        for prefix in _ROOT_PREFIXES:
            if not core.startswith(prefix):
                continue
            rest = core[len(prefix) :]
            swallowed = [c + rest for c in "ptks"] if prefix[-1] in "mny" else []
            for root in (rest, *swallowed):
                if len(root) >= 3 and root in roots:
                    return root
    return None


# --- Segmentation of run-together words --------------------------------------------------------


def _piece_cost(piece: str, vocabulary: frozenset[str]) -> float:
    if piece.isdigit():
        return 1.0
    if piece in vocabulary:
        return 1.0
    if piece in _general_words() or piece in ELECTION_TERMS:
        return 1.3 + (1.2 if len(piece) <= 2 else 0.0)
    if len(piece) >= 5 and _affixed_root(piece):
        return 1.8  # an affixed form of a known root: ditunda, tercoblos
    return 2.0 + len(piece)


_PREFIXES = ("di", "ter", "ke", "se", "ber", "me", "mem", "men", "meng", "meny", "pe", "pen", "pem")
_SUFFIXES = ("", "kan", "an", "nya", "i")
# The first letter a nasal prefix swallows: memilih = mem + pilih, menunda = men + tunda.
_NASAL_SWALLOWED = {"mem": "p", "men": "t", "meng": "k", "meny": "s", "pem": "p", "pen": "t"}


@lru_cache(maxsize=100_000)
def _affixed_root(piece: str) -> bool:
    """Cheaply, whether ``piece`` is prefix + known root (+ suffix). Segmentation tries every
    substring of a hashtag, too many to run the full stemmer on each."""
    roots = root_words()
    for prefix in _PREFIXES:
        if not piece.startswith(prefix):
            continue
        rest = piece[len(prefix) :]
        for suffix in _SUFFIXES:
            if suffix and not rest.endswith(suffix):
                continue
            core = rest[: len(rest) - len(suffix)]
            if len(core) >= 3 and (
                core in roots or _NASAL_SWALLOWED.get(prefix, "") + core in roots
            ):
                return True
    return False


def segment(run: str, *, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """Split a run-together word into the cheapest sequence of known words.

    Known words are the clarifications' own (``vocabulary``), then general Indonesian ones;
    an unknown stretch costs by its length, so it is kept only when nothing better fits.
    """
    n = len(run)
    best = [0.0] + [float("inf")] * n
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(max(0, end - _SEGMENT_MAX_WORD), end):
            cost = best[start] + _piece_cost(run[start:end], vocabulary)
            if cost < best[end]:
                best[end], back[end] = cost, start
    pieces: list[str] = []
    end = n
    while end > 0:
        pieces.append(run[back[end] : end])
        end = back[end]
    return pieces[::-1]


# --- Normalisation -----------------------------------------------------------------------------


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    return word in vocabulary or word in _general_words()


def _collapse_repeats(word: str, vocabulary: frozenset[str]) -> str:
    """bangettt -> banget; yaa -> ya; maaf stays maaf."""
    word = _RUN3.sub(r"\1", word)
    if _known(word, vocabulary) or not _RUN2.search(word):
        return word
    single = _RUN2.sub(r"\1", word)
    if _known(single, vocabulary) or _known(stem(single), vocabulary):
        return single
    return word


def _expand(word: str, *, slang: bool = True) -> list[str]:
    """Slang, abbreviations and English words to the standard words they stand for. What an
    entry expands to passes through our own two tables once more, so that every way of
    writing a term ends in the same words."""
    for table in (ELECTION_TERMS, ENGLISH_WORDS):
        if word in table:
            expansion = table[word].split()
            break
    else:
        found = slang_words().get(word) if slang else None
        if found is None:
            return [word]
        expansion = found.replace("-", " ").split()
    if expansion == [word]:
        return expansion
    return [out for part in expansion for out in _expand(part, slang=False)]


def _pre_clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _TIMES.sub(r"\1 kali", text)
    text = _PERCENT.sub(r"\1 persen", text)
    text = _THOUSANDS.sub(r"\1 ribu", text)
    return _MILLIONS.sub(r"\1 juta", text)


def _raw_tokens(text: str, vocabulary: frozenset[str]) -> Iterator[str]:
    """Lower-case word tokens, hashtags split, before slang and stop words."""
    position = 0
    for match in _HASHTAG.finditer(text):
        yield from _tokens_of(text[position : match.start()], vocabulary, hashtag=False)
        tag = match.group(1)
        if tag not in TIKTOK_NOISE:
            yield from _tokens_of(tag, vocabulary, hashtag=True)
        position = match.end()
    yield from _tokens_of(text[position:], vocabulary, hashtag=False)


def _tokens_of(text: str, vocabulary: frozenset[str], *, hashtag: bool) -> Iterator[str]:
    for token in _TOKEN.findall(text):
        if "-" in token:
            joined = token.replace("-", "")
            if joined in ELECTION_TERMS:  # e-ktp, ktp-el
                yield joined
                continue
            parts = token.split("-")
            if len(parts) == 2 and parts[0] == parts[1]:  # kata-kata
                yield from _tokens_of(parts[0], vocabulary, hashtag=hashtag)
                continue
            for part in parts:  # di-cancel, ke-punch
                if part not in ("di", "ke", "ter"):
                    yield from _tokens_of(part, vocabulary, hashtag=hashtag)
            continue
        reduplicated = _REDUPLICATED.match(token)
        if reduplicated:
            token = reduplicated.group(1)  # hati2 -> hati
        if not any(c.isdigit() for c in token):
            token = _collapse_repeats(token, vocabulary)
        token = _without_clitic(token, vocabulary)
        if (token,) in foreign_countries():  # #hongkong, #arabsaudi: one name, not two words
            yield token
        elif hashtag and len(token) > 3:
            yield from _split_letters_digits(segment(token, vocabulary=vocabulary))
        elif (
            len(token) >= _SEGMENT_MIN_LENGTH
            and not _known(token, vocabulary)
            and stem(token) not in root_words()
            and token not in slang_words()
        ):
            # Outside hashtags, split only when every piece is a word we know.
            pieces = segment(token, vocabulary=vocabulary)
            if len(pieces) > 1 and all(
                _known(p, vocabulary) or p.isdigit() or _affixed_root(p) for p in pieces
            ):
                yield from _split_letters_digits(pieces)
            else:
                yield token
        else:
            yield token


_CLITICS = ("nya", "ny", "ku", "mu")


def _without_clitic(token: str, vocabulary: frozenset[str]) -> str:
    """tpsnya -> tps, calegnya -> caleg: the stemmer strips -nya only from root words, not
    from abbreviations and slang."""
    if _known(token, vocabulary) or stem(token) in root_words():
        return token
    for clitic in _CLITICS:
        base = token[: -len(clitic)]
        if (
            token.endswith(clitic)
            and len(base) >= 2
            and (base in ELECTION_TERMS or base in slang_words() or _known(base, vocabulary))
        ):
            return base
    return token


def _split_letters_digits(pieces: Iterable[str]) -> Iterator[str]:
    for piece in pieces:
        yield from re.findall(r"[a-z]+|\d+", piece) if piece not in ELECTION_TERMS else [piece]


def normalised_words(text: str, *, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """Every word of ``text`` after steps 1-5 (stop words still in), in order."""
    raw = list(_raw_tokens(_pre_clean(text), vocabulary))
    words: list[str] = []
    index = 0
    while index < len(raw):
        token = raw[index]
        country = _country_at(raw, index)
        if country:
            words.extend(foreign_countries()[tuple(raw[index : index + country])])
            words.extend(_ABROAD)
            index += country
            continue
        following = raw[index + 1] if index + 1 < len(raw) else ""
        pair = f"{token} {following}"
        if following and pair in ELECTION_TERMS:
            words.extend(ELECTION_TERMS[pair].split())
            index += 2
            continue
        words.extend(_expand(token))
        index += 1
    # "ga jadi" / "tidak jadi": called off.
    merged: list[str] = []
    for word in words:
        if word == "jadi" and merged and merged[-1] in _NEGATION:
            merged[-1] = "batal"
        else:
            merged.append(word)
    return merged


def _country_at(raw: list[str], index: int) -> int:
    """How many tokens from ``index`` on name a foreign country (the longest name), or 0."""
    forms = foreign_countries()
    for length in range(min(_COUNTRY_MAX_WORDS, len(raw) - index), 0, -1):
        if tuple(raw[index : index + length]) in forms:
            return length
    return 0


def _is_content(word: str) -> bool:
    if word in stop_words() or _LAUGH.match(word):
        return False
    if word.isdigit():
        return word.strip("0") != ""
    return len(word) > 1


def terms(text: str, *, vocabulary: frozenset[str] = frozenset()) -> list[Term]:
    """The content words of ``text``, normalised and stemmed, in order (repeats kept)."""
    return [
        Term(word=word, stem=stem(word))
        for word in normalised_words(text, vocabulary=vocabulary)
        if _is_content(word)
    ]


def stems(text: str, *, vocabulary: frozenset[str] = frozenset()) -> str:
    """The roots of ``text``'s content words, space-separated: what gets indexed."""
    return " ".join(term.stem for term in terms(text, vocabulary=vocabulary))


def is_known_word(word: str, *, vocabulary: frozenset[str] = frozenset()) -> bool:
    """Whether ``word`` (normalised) is Indonesian we recognise, or one of the clarifications'
    own words. Unknown words are the candidates for typo matching."""
    return _known(word, vocabulary) or stem(word) in root_words()
