"""Text normalisation at the edge: Unicode NFC, no control characters, no Zawgyi.

Characters that make text read differently from what is stored are refused like control
characters: bidirectional overrides, embeddings and isolates, tag characters (hidden
text) outside an emoji flag, and noncharacters. Text made only of characters that draw
nothing (zero-width spaces, joiners…) is blank, as text of spaces is; inside real text
they stay, since Khmer, Burmese, Thai and Lao use them between words and letters.

Burmese text often arrives in the legacy Zawgyi encoding, which looks like Burmese on a
Zawgyi-font phone but is different code points. Mixing the two would make the matcher
blind, so Zawgyi is detected (Google's myanmartools model) and converted to Unicode
(python-myanmar's converter) before anything is stored.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Protocol

# A fast pre-check: Zawgyi is only possible in text that has Myanmar-block characters.
_MYANMAR_BLOCK = re.compile(r"[\u1000-\u109f]")
# C0/C1 controls other than tab/newline/carriage return never belong in user text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The bidirectional embeddings, overrides and isolates (LRE…RLO, LRI…PDI). The marks
# LRM, RLM and ALM only set the direction of neutral characters and stay.
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Tag characters spell text that is not shown; they belong only in the emoji tag sequences
# of subdivision flags (black flag, tag letters or digits, cancel tag).
_TAG = re.compile(r"[\U000e0000-\U000e007f]")
_EMOJI_FLAG = re.compile(r"\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
# Noncharacters: U+FDD0..U+FDEF and the last two code points of each of the 17 planes.
_NONCHARACTER = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(chr(p << 16 | 0xFFFE) + chr(p << 16 | 0xFFFF) for p in range(17))
    + "]"
)
# Whitespace and what draws nothing: Unicode's Default_Ignorable_Code_Point (zero-width
# spaces and joiners, soft hyphen, variation selectors, fillers, tags…) and the braille
# blank.
_INVISIBLE = re.compile(
    r"[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]*"
)
ZAWGYI_THRESHOLD = 0.95


class UnsafeText(ValueError):
    """Text holding characters that never belong in what a person typed (the message
    says which)."""


class _ZawgyiDetector(Protocol):
    """What is used of myanmartools' detector (the library ships no types)."""

    def get_zawgyi_probability(self, text: str) -> float: ...


@cache
def _zawgyi_detector() -> _ZawgyiDetector:
    from myanmartools import ZawgyiDetector

    detector: _ZawgyiDetector = ZawgyiDetector()
    return detector


def is_zawgyi(text: str) -> bool:
    """True when the text is (very probably) Zawgyi-encoded Burmese."""
    if not _MYANMAR_BLOCK.search(text):
        return False
    return _zawgyi_detector().get_zawgyi_probability(text) >= ZAWGYI_THRESHOLD


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi-encoded Burmese to standard Unicode Burmese."""
    from myanmar import converter

    converted: str = converter.convert(text, "zawgyi", "unicode")
    return converted


def blank_if_invisible(value: object) -> object:
    """'' for text made only of whitespace and characters that draw nothing, so a
    required field refuses it as it refuses spaces; anything else unchanged."""
    if isinstance(value, str) and _INVISIBLE.fullmatch(value):
        return ""
    return value


def normalise_text(text: str) -> str:
    """NFC-normalise, convert Zawgyi to Unicode, and refuse control characters and the
    characters that make text read differently from what is stored."""
    if _CONTROL.search(text):
        raise UnsafeText("contains control characters")
    if _BIDI_CONTROL.search(text):
        raise UnsafeText(
            "contains bidirectional control characters (U+202A-U+202E, U+2066-U+2069), "
            "which make text read differently from what it is"
        )
    if _TAG.search(_EMOJI_FLAG.sub("", text)):
        raise UnsafeText("contains tag characters (U+E0000-U+E007F), which hide text")
    if _NONCHARACTER.search(text):
        raise UnsafeText("contains noncharacters (U+FDD0-U+FDEF, U+FFFE, U+FFFF…), not text")
    if is_zawgyi(text):
        text = zawgyi_to_unicode(text)
    return unicodedata.normalize("NFC", text)
