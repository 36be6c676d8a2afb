"""Screen + rank + deterministic id."""

from __future__ import annotations

from shared.domain.ids import match_id
from shared.matching.engine import evaluate
from tests import builders as b


def test_match_id_is_deterministic_per_grant_and_target():
    first = evaluate(b.grant(), b.project(), b.today())
    again = evaluate(b.grant(title="Edited title"), b.project(), b.today())
    assert first is not None and again is not None
    assert first.id == again.id == match_id("g_test", "project", "p_test")


def test_profile_and_project_with_same_id_get_different_matches():
    assert match_id("g", "profile", "x") != match_id("g", "project", "x")


def test_ineligible_pair_gives_no_match():
    assert evaluate(b.grant(countries=["TH"]), b.project(country="LA"), b.today()) is None


def test_match_carries_reasons_and_a_bounded_score():
    match = evaluate(b.grant(), b.project(), b.today())
    assert match is not None
    assert 0 <= match.score <= 1
    assert "sector: digital-security" in match.reasons


def test_exclude_keyword_removes_the_grant_for_that_profile():
    profile = b.profile(exclude_keywords=["radio"])
    assert evaluate(b.grant(description="Community radio."), profile, b.today()) is None
    assert evaluate(b.grant(description="Printing press."), profile, b.today()) is not None


def test_exclude_keyword_matches_whole_words_only():
    profile = b.profile(exclude_keywords=["oil"])
    assert evaluate(b.grant(description="Soil health."), profile, b.today()) is not None


def test_match_reasons_end_with_the_deadline():
    match = evaluate(b.grant(), b.project(), b.today())
    assert match is not None
    assert match.reasons[0] == "sector: digital-security"
    assert match.reasons[-1] == "deadline: 2027-03-31"
    assert "amount fits: 25,000 USD in 5,000–40,000 USD" in match.reasons
