"""The soft score: each part moves the score the way a person would expect, with reasons."""

from __future__ import annotations

from datetime import timedelta

from shared.matching.money import RateTable
from shared.matching.ranking import WEIGHTS, rank
from shared.matching.screening import Applicant
from tests import builders as b

TODAY = b.today()


def _rank(grant_kwargs: dict | None = None, target=None, rates=None):
    target = target or b.project()
    return rank(b.grant(**(grant_kwargs or {})), Applicant.of(target), TODAY, rates)


def test_weights_add_up_to_one_and_score_stays_in_bounds():
    assert abs(sum(WEIGHTS.values()) - 1) < 1e-9
    result = _rank()
    assert 0 <= result.score <= 1
    assert set(result.parts) == set(WEIGHTS)


def test_exact_sector_beats_partial_overlap_beats_any_sector():
    project = b.project(sectors=["digital-security"])
    exact = _rank({"sectors": ["digital-security"]}, project).parts["sector"]
    partial = _rank({"sectors": ["digital-security", "health", "youth"]}, project).parts["sector"]
    any_sector = _rank({"sectors": []}, project).parts["sector"]
    assert exact == 1 and exact > partial > any_sector


def test_amount_inside_the_range_fits_and_says_so():
    result = _rank({}, b.project(amount_needed=25000, currency="USD"))
    assert result.parts["amount"] == 1
    assert "amount fits: 25,000 USD in 5,000–40,000 USD" in result.reasons


def test_amount_is_converted_with_the_rate_table():
    rates = RateTable("2025-01-02", "test", "USD", {"USD": 1, "VND": 25000})
    project = b.project(amount_needed=250_000_000, currency="VND")
    result = _rank({}, project, rates)
    assert result.parts["amount"] == 1
    assert "amount fits: 250,000,000 VND (≈ 10,000 USD) in 5,000–40,000 USD" in result.reasons


def test_need_above_the_maximum_scores_the_share_the_grant_covers():
    result = _rank({}, b.project(amount_needed=80000, currency="USD"))
    assert result.parts["amount"] == 0.5
    assert "amount: 80,000 USD is above 5,000–40,000 USD" in result.reasons


def test_need_below_the_minimum_scores_lower_too():
    result = _rank({}, b.project(amount_needed=1000, currency="USD"))
    assert result.parts["amount"] == 0.2


def test_unknown_rate_or_amount_is_neutral():
    rates = RateTable("2025-01-02", "test", "USD", {"USD": 1})
    result = _rank({}, b.project(amount_needed=5000, currency="KHR"), rates)
    assert result.parts["amount"] == 0.5
    assert "amount: no exchange rate for KHR/USD" in result.reasons
    assert _rank({"amount_min": None, "amount_max": None}).parts["amount"] == 0.5


def test_profile_amount_range_overlapping_the_grant_fits():
    profile = b.profile(amount_min=30000, amount_max=60000, currency="USD")
    assert _rank({}, profile).parts["amount"] == 1


def test_own_language_beats_english_beats_neither():
    project = b.project(language="km")
    own = _rank({"languages": ["km", "en"]}, project)
    english = _rank({"languages": ["en"]}, project)
    neither = _rank({"languages": ["th"]}, project)
    assert own.parts["language"] > english.parts["language"] > neither.parts["language"]
    assert "language: km" in own.reasons
    assert "language: apply in th (not km)" in neither.reasons


def test_closing_soon_is_more_urgent_than_far_away_or_rolling():
    soon = _rank({"deadline": (TODAY + timedelta(days=10)).isoformat()})
    far = _rank({"deadline": (TODAY + timedelta(days=200)).isoformat()})
    assert soon.parts["urgency"] > far.parts["urgency"]
    assert "closes in 10 days" in soon.reasons


def test_text_about_the_same_thing_scores_higher_in_thai():
    project = b.project(
        title="ความช่วยเหลือทางกฎหมายแก่แรงงานข้ามชาติ",
        summary="ทนายความช่วยแรงงานข้ามชาติที่ถูกละเมิดสิทธิ",
        sectors=["digital-security"],
    )
    same = _rank({"title": "ทุนช่วยเหลือทางกฎหมายแก่แรงงานข้ามชาติ", "description": ""}, project)
    other = _rank({"title": "ทุนปลูกป่าชายเลน", "description": ""}, project)
    assert same.parts["text"] > other.parts["text"]


def test_text_meets_across_languages_through_topics():
    project = b.project(title="សុវត្ថិភាពឌីជីថលសម្រាប់អ្នកសារព័ត៌មាន", summary="")
    about = _rank({"title": "Digital security for journalists", "description": ""}, project)
    unrelated = _rank({"title": "Rice seed banks", "description": ""}, project)
    assert about.parts["text"] > unrelated.parts["text"] == 0
    assert "topic: digital security, media freedom" in about.reasons


def test_profile_keywords_found_in_the_grant_are_named():
    profile = b.profile(keywords=["radio", "land rights"])
    result = _rank({"description": "Community radio stations."}, profile)
    assert "keywords: radio" in result.reasons
    assert result.parts["text"] > _rank({"description": "Stations."}, profile).parts["text"]


def test_profile_without_keywords_is_neutral_on_text():
    assert _rank({}, b.profile(keywords=[])).parts["text"] == 0.5


def test_what_a_tech_offer_offers_and_to_whom_is_text_it_is_matched_on():
    from shared.domain.opportunities import TechOfferDetails

    project = b.project(
        title="Password managers for our field staff", summary="Secure passwords for staff"
    )
    offer = TechOfferDetails(
        offered="Donated password manager licences for every staff member",
        for_whom="small human rights groups",
        how_to_request="Apply on the donation programme's page",
    )
    bare = b.grant(title="Technology donation", description="", sectors=[])
    with_details = bare.model_copy(update={"details": offer})
    applicant = Applicant.of(project)
    assert (
        rank(with_details, applicant, TODAY).parts["text"]
        > (rank(bare, applicant, TODAY).parts["text"])
    )


def test_who_may_attend_a_training_is_text_it_is_matched_on():
    from shared.domain.opportunities import TrainingDetails
    from shared.matching.ranking import grant_text

    details = TrainingDetails(who_may_attend="Community radio journalists", how_to_register="x")
    training = b.grant(title="A course").model_copy(update={"details": details})
    assert "Community radio journalists" in grant_text(training)
    assert "x" not in grant_text(training).split("\n")  # how to register is not topical
