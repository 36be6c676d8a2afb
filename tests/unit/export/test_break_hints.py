"""Where a PDF line may break in scripts written without spaces: between syllables only."""

import unicodedata

import pytest

from shared.export.scripts import ZWSP, script_of, scripts_in, with_break_hints
from tests.unit.export.plans import KHMER, SCRIPT_SAMPLES

JOINERS = {"\u17d2", "\u1039"}  # Khmer coeng, Burmese virama: join the next letter
SAMPLES = [KHMER["title"], KHMER["summary"], KHMER["outputs"][0][0], *SCRIPT_SAMPLES.values()]


@pytest.mark.parametrize("text", SAMPLES)
def test_hints_never_split_a_cluster(text: str) -> None:
    hinted = with_break_hints(text)

    assert hinted.replace(ZWSP, "") == text
    assert hinted.count(ZWSP) > 0
    for n, char in enumerate(hinted):
        if char != ZWSP:
            continue
        before, after = hinted[n - 1], hinted[n + 1]
        assert unicodedata.category(after) not in ("Mn", "Mc"), (text, n)
        assert before not in JOINERS, (text, n)
        # A Burmese letter killed by asat ends the syllable before it.
        assert hinted[n + 2 : n + 3] != "\u103a", (text, n)


def test_khmer_stacks_and_finals_stay_with_their_syllable() -> None:
    assert with_break_hints("ស្ត្រី").count(ZWSP) == 0
    assert with_break_hints("នាក់") == "នាក់"


def test_latin_and_vietnamese_text_is_left_alone() -> None:
    assert with_break_hints("Trainers trained, Đào tạo viên") == "Trainers trained, Đào tạo viên"


def test_each_language_has_its_script_and_a_khmer_plan_quoting_thai_gets_both() -> None:
    assert script_of("km").family == "Noto Sans Khmer"
    assert script_of("vi").family == "Noto Sans"
    assert [s.name for s in scripts_in([KHMER["title"], SCRIPT_SAMPLES["th"]])] == ["khmer", "thai"]
