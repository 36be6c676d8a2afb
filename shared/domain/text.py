"""Text normalisation at the edge: Unicode NFC, no control characters, no Zawgyi.

Burmese text often arrives in the legacy Zawgyi encoding, which looks like Burmese on a
Zawgyi-font phone but is different code points. Mixing the two would make the matcher
blind, so Zawgyi is detected (Google's myanmartools model) and converted to Unicode
(python-myanmar's converter) before anything is stored.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# A fast pre-check: Zawgyi is only possible in text that has Myanmar-block characters.
_MYANMAR_BLOCK = re.compile(r"[\u1000-\u109f]")
# C0/C1 controls other than tab/newline/carriage return never belong in user text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ZAWGYI_THRESHOLD = 0.95


@cache
def _zawgyi_detector():
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector()


def is_zawgyi(text: str) -> bool:
    """True when the text is (very probably) Zawgyi-encoded Burmese."""
    if not _MYANMAR_BLOCK.search(text):
        return False
    return _zawgyi_detector().get_zawgyi_probability(text) >= ZAWGYI_THRESHOLD


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi-encoded Burmese to standard Unicode Burmese."""
    from myanmar import converter

    return converter.convert(text, "zawgyi", "unicode")


def normalise_text(text: str) -> str:
    """NFC-normalise, convert Zawgyi to Unicode and refuse control characters."""
    if _CONTROL.search(text):
        raise ValueError("contains control characters")
    if is_zawgyi(text):
        text = zawgyi_to_unicode(text)
    return unicodedata.normalize("NFC", text)
