"""Text relevance for Mekong-language texts (pure; the word lists ship in `shared/data/`).

Thai, Lao, Khmer and Burmese do not put spaces between words; Vietnamese puts spaces
between syllables, not words. We compare texts with **character n-grams** rather than a
word segmenter, because:

- one method covers all five scripts (and English, and mixed-script text such as a Khmer
  summary with English acronyms), where segmenters exist per language (PyThaiNLP, laonlp,
  khmer-nltk, a Burmese one) or need the ICU C library built into every function;
- n-grams need no dictionary, so they degrade gracefully on the names, loanwords and
  spelling variants that dictionary segmenters cut wrongly (Burmese and Lao segmenters
  are the weakest), and they are deterministic and fast;
- retrieval studies on Thai and other unsegmented scripts find overlapping bigrams and
  trigrams about as effective as segmented words.

For unspaced scripts the n-grams are trigrams of *grapheme clusters* (a base
letter with its vowel signs, tone marks and stacked consonants), so a Khmer subscript or a
Thai vowel mark is never split from its consonant. For spaced scripts the features are
words (lightly stemmed by truncation) and word pairs, which catches Vietnamese compounds
("quyền con người"). Grammar words and words every CSO text uses are removed first
(`stopwords.json`), so two texts do not look alike merely for sharing a language.

N-grams cannot see that a Khmer project and an English grant speak of the same thing, so a
small multilingual thesaurus (`topics.json`) maps terms in all six languages onto topics;
topic overlap is the cross-language half of text relevance.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from shared.domain.taxonomy import sector_label

# Scripts written without spaces between words (Thai, Lao, Myanmar + extensions, Khmer).
_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x19E0, 0x19FF),
    (0xA9E0, 0xA9FF),
    (0xAA60, 0xAA7F),
)
_UNSPACED_LANGUAGES = ("th", "lo", "km", "my")
# A Khmer coeng or Burmese virama joins the next consonant to the cluster (a stack).
_STACKERS = ("\u17d2", "\u1039")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_UNSPACED_CLASS = "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
_SPACE_IN_UNSPACED = re.compile(f"(?<={_UNSPACED_CLASS}) +(?={_UNSPACED_CLASS})")
STEM_LENGTH = 7
# Cluster trigrams: bigrams of Thai or Lao clusters (often one letter each) recur across
# unrelated texts; trigrams are about a syllable and rarely do.
NGRAM_SIZES = (3,)
MIN_SHARED_CLUSTERS = 3


def _is_unspaced(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _UNSPACED_RANGES)


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def normalise(text: str) -> str:
    """NFC, case-folded, with spaces inside unspaced-script text dropped (Burmese and
    Khmer writers put spaces between phrases, and sometimes inside them)."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = _INVISIBLE.sub("", text)  # zero-width spaces separate Khmer/Burmese words
    return _SPACE_IN_UNSPACED.sub("", text)


def _runs(text: str) -> list[tuple[str, bool]]:
    """Maximal runs of word characters of one kind: (run, written without spaces)."""
    runs: list[tuple[str, bool]] = []
    current, kind = "", False
    for char in text:
        if not _is_word_char(char):
            if current:
                runs.append((current, kind))
            current = ""
            continue
        char_kind = _is_unspaced(char) or (
            bool(current) and kind and unicodedata.category(char)[0] == "M"
        )
        if current and char_kind != kind:
            runs.append((current, kind))
            current = ""
        current, kind = current + char, char_kind
    if current:
        runs.append((current, kind))
    return runs


def clusters(run: str) -> list[str]:
    """Grapheme clusters: a base letter with its marks and stacked consonants."""
    out: list[str] = []
    for char in run:
        if out and (unicodedata.category(char)[0] == "M" or out[-1].endswith(_STACKERS)):
            out[-1] += char
        else:
            out.append(char)
    return out


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:STEM_LENGTH]


@dataclass(frozen=True)
class _Lexicon:
    stop_words: frozenset[str]
    stop_phrases: tuple[tuple[str, ...], ...]
    unspaced_stop: re.Pattern[str]
    topics: dict[str, tuple[re.Pattern[str] | None, tuple[str, ...]]]
    labels: dict[str, str]


def _data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("shared").joinpath(f"data/{name}").read_text("utf-8")
    )
    return data


def _spaced_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Whole words (plural allowed), or word prefixes for terms ending in '*'."""
    parts = []
    for term in terms:
        if term.endswith("*"):
            parts.append(re.escape(normalise(term[:-1])) + r"\w*")
        else:
            parts.append(re.escape(normalise(term)) + r"(?:e?s)?")
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


@cache
def _lexicon() -> _Lexicon:
    stop = _data("stopwords.json")
    spaced = [
        normalise(w)
        for lang, words in stop.items()
        if lang not in _UNSPACED_LANGUAGES and not lang.startswith("_")
        for w in words
    ]
    unspaced = sorted(
        {normalise(w) for lang in _UNSPACED_LANGUAGES for w in stop.get(lang, [])},
        key=len,
        reverse=True,
    )
    topics, labels = {}, {}
    for slug, entry in _data("topics.json").items():
        if slug.startswith("_"):
            continue
        by_language = {lang: terms for lang, terms in entry.items() if lang != "label"}
        labels[slug] = entry.get("label") or sector_label(slug).lower()
        spaced_terms = [
            t for lang, ts in by_language.items() if lang not in _UNSPACED_LANGUAGES for t in ts
        ]
        unspaced_terms = tuple(
            normalise(t) for lang in _UNSPACED_LANGUAGES for t in by_language.get(lang, [])
        )
        topics[slug] = (_spaced_pattern(spaced_terms), unspaced_terms)
    return _Lexicon(
        stop_words=frozenset(w for w in spaced if " " not in w),
        stop_phrases=tuple(tuple(w.split()) for w in spaced if " " in w),
        unspaced_stop=re.compile("|".join(re.escape(w) for w in unspaced)),
        topics=topics,
        labels=labels,
    )


@dataclass(frozen=True)
class TextView:
    """A text as the matcher sees it: features, topics, and its normalised form."""

    normalised: str
    features: frozenset[str]
    topics: frozenset[str]
    words: tuple[tuple[str, str], ...]  # (stem, surface) of kept words, for reasons
    unspaced: tuple[tuple[str, ...], ...]  # cluster lists of kept unspaced runs


def _drop_stop_phrases(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    kept, i = [], 0
    while i < len(words):
        phrase = next((p for p in phrases if tuple(words[i : i + len(p)]) == p), None)
        if phrase:
            i += len(phrase)
            continue
        kept.append(words[i])
        i += 1
    return kept


@lru_cache(maxsize=16_384)
def analyse(text: str) -> TextView:
    """Features and topics of a text (cached: a grant is analysed once per process)."""
    lex = _lexicon()
    norm = normalise(text)
    features: set[str] = set()
    words: list[tuple[str, str]] = []
    unspaced_runs: list[tuple[str, ...]] = []
    spaced_words = [run for run, unspaced in _runs(norm) if not unspaced]
    kept = [
        w
        for w in _drop_stop_phrases(spaced_words, lex.stop_phrases)
        if w not in lex.stop_words and len(w) > 1 and not w.isdigit()
    ]
    stems = [_stem(w) for w in kept]
    features.update("w:" + s for s in stems)
    features.update(f"b:{a}_{b}" for a, b in pairwise(stems))
    words = list(zip(stems, kept, strict=True))
    for run, unspaced in _runs(norm):
        if not unspaced:
            continue
        for piece in lex.unspaced_stop.split(run):
            cl = clusters(piece)
            if not cl:
                continue
            unspaced_runs.append(tuple(cl))
            if len(cl) < min(NGRAM_SIZES):
                features.add("c:" + "".join(cl))
            for n in NGRAM_SIZES:
                features.update("c:" + "".join(cl[i : i + n]) for i in range(len(cl) - n + 1))
    return TextView(norm, frozenset(features), _topics(norm), tuple(words), tuple(unspaced_runs))


def _topics(norm: str) -> frozenset[str]:
    found = set()
    for slug, (pattern, unspaced_terms) in _lexicon().topics.items():
        if any(term in norm for term in unspaced_terms) or (pattern and pattern.search(norm)):
            found.add(slug)
    return frozenset(found)


def topic_label(slug: str) -> str:
    """How a topic is named in reasons ("digital security", "land rights")."""
    return _lexicon().labels.get(slug, slug)


def topic_named(label: str) -> str | None:
    """The topic a reason's label names (the inverse of `topic_label`), if any."""
    return next((slug for slug, text in _lexicon().labels.items() if text == label), None)


@cache
def topic_term(slug: str, language: str) -> str | None:
    """How the thesaurus first names a topic in a language (not a '*' prefix), if it does:
    a reader's own word for the topic in a reason."""
    terms = _data("topics.json").get(slug, {}).get(language, [])
    return next((t for t in terms if not t.endswith("*")), None)


def cosine(a: TextView, b: TextView) -> float:
    """Cosine of the two texts' binary feature vectors, in [0, 1]."""
    if not a.features or not b.features:
        return 0.0
    return len(a.features & b.features) / math.sqrt(len(a.features) * len(b.features))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice overlap of two sets, in [0, 1]."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def mentions(view: TextView, phrase: str) -> bool:
    """Whether the text names `phrase`: as a substring in unspaced scripts, else as whole
    words (a plural allowed), so 'oil' does not fire on 'soil'."""
    term = normalise(phrase).strip()
    if not term:
        return False
    if any(_is_unspaced(c) for c in term):
        return term in view.normalised
    pattern = _spaced_pattern([term])
    return bool(pattern and pattern.search(view.normalised))


def shared_terms(query: TextView, document: TextView, limit: int = 3) -> list[str]:
    """Up to `limit` words or phrases of `query` that `document` also uses, longest first,
    to show a person why two texts were found alike."""
    found: list[str] = []
    doc_stems = {stem for stem, _ in document.words}
    used: set[int] = set()
    pairs = [f"b:{a}_{b}" in document.features for (a, _), (b, _) in pairwise(query.words)]
    i = 0
    while i < len(pairs):
        # Shared word pairs ("nhân quyền", "legal aid") say more than their words: a run
        # of them is shown as one phrase.
        if not pairs[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(pairs) and pairs[j + 1]:
            j += 1
        phrase = " ".join(surface for _, surface in query.words[i : min(j + 2, i + 4)])
        if phrase not in found:
            found.append(phrase)
        used.update(range(i, j + 2))
        i = j + 1
    for i, (stem, surface) in enumerate(query.words):
        if i not in used and stem in doc_stems and surface not in found:
            found.append(surface)
    doc_text = "|".join("".join(run) for run in document.unspaced)
    for run in query.unspaced:
        i = 0
        while i < len(run):
            j = i + 1
            while j <= len(run) and "".join(run[i:j]) in doc_text:
                j += 1
            if j - 1 - i >= MIN_SHARED_CLUSTERS:
                phrase = "".join(run[i : j - 1])
                if phrase not in found:
                    found.append(phrase)
                i = j - 1
            else:
                i += 1
    return sorted(found, key=len, reverse=True)[:limit]
