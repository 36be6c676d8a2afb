"""Which font draws which script, and where a line may break in scripts without spaces.

The fonts are Noto Sans (Latin, Vietnamese) and Noto Sans Khmer, Lao, Myanmar and Thai,
vendored in `shared/data/fonts` (SIL OFL, see OFL.txt there) so a Cloud Function, which
has no fonts, embeds the same glyphs as a developer's machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

FONT_DIR: Final = Path(__file__).resolve().parents[1] / "data" / "fonts"
ZWSP: Final = "\u200b"


@dataclass(frozen=True)
class Script:
    """A script the product writes in: its font family, the characters it covers, and the
    language tag Word needs to pick the right font and spell checker."""

    name: str
    family: str
    file_stem: str
    pattern: re.Pattern[str]
    word_lang: str

    def font_file(self, bold: bool = False) -> Path:
        return FONT_DIR / f"{self.file_stem}-{'Bold' if bold else 'Regular'}.ttf"

    def used_in(self, text: str) -> bool:
        return bool(self.pattern.search(text))


LATIN = Script("latin", "Noto Sans", "NotoSans", re.compile(r"[A-Za-z\u00c0-\u1eff]"), "en-US")
SCRIPTS: Final = {
    "km": Script(
        "khmer", "Noto Sans Khmer", "NotoSansKhmer", re.compile("[\u1780-\u17ff]"), "km-KH"
    ),
    "lo": Script("lao", "Noto Sans Lao", "NotoSansLao", re.compile("[\u0e80-\u0eff]"), "lo-LA"),
    "my": Script(
        "myanmar", "Noto Sans Myanmar", "NotoSansMyanmar", re.compile("[\u1000-\u109f]"), "my-MM"
    ),
    "th": Script("thai", "Noto Sans Thai", "NotoSansThai", re.compile("[\u0e00-\u0e7f]"), "th-TH"),
}
VIETNAMESE = Script("latin", "Noto Sans", "NotoSans", LATIN.pattern, "vi-VN")


def script_of(language: str) -> Script:
    """The script a product language is written in (Latin for English and Vietnamese)."""
    return SCRIPTS.get(language, VIETNAMESE if language == "vi" else LATIN)


def scripts_in(texts: list[str]) -> list[Script]:
    """The complex scripts that occur in `texts` (a Khmer plan may quote Thai)."""
    joined = "\n".join(texts)
    return [script for script in SCRIPTS.values() if script.used_in(joined)]


# A syllable may start at these letters (consonants, independent vowels, and the Thai and
# Lao vowels written before their consonant), never after a sign that joins two letters
# (Khmer coeng, Burmese virama) or a vowel written before its consonant, and never at a
# letter that a following sign makes the end of the syllable before it (Burmese asat,
# Khmer bantoc, Thai thanthakhat: the letter is that syllable's final).
_STARTS = "\u1780-\u17b3\u0e01-\u0e2e\u0e40-\u0e44\u0e81-\u0eae\u0ec0-\u0ec4\u1000-\u102a"
_JOINS = "\u17d2\u1039\u0e40-\u0e44\u0ec0-\u0ec4"
_ENDS = "\u17cb\u17ce\u17cf\u1039\u103a\u0e4c"
_BREAK = re.compile(
    f"(?<=[\u1780-\u17ff\u0e00-\u0eff\u1000-\u109f])(?<![{_JOINS}])(?=[{_STARTS}](?![{_ENDS}]))"
)


def with_break_hints(text: str) -> str:
    """`text` with a zero-width space where a line may break inside a run of Khmer, Lao,
    Thai or Burmese, which write words without spaces: only between syllables, so a
    stacked consonant, a medial or a vowel never leaves its cluster. (Without a
    dictionary these are syllable, not word, boundaries: a line may end mid-word.)"""
    return _BREAK.sub(ZWSP, text)
