"""Screen + rank + deterministic id."""

from __future__ import annotations

from shared.ids import match_id
from shared.matching import evaluate
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
