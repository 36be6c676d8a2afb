"""The pure parts of storing harvested calls: identity keys, what counts as a change a
CSO is told about, and screening of held and closed calls."""

from __future__ import annotations

from shared.domain.models import GrantProvenance, GrantSubmission
from shared.matching.engine import evaluate
from shared.services.change_notices import describe_changes
from shared.services.harvest import normalise_url
from tests.builders import NOW, grant, grant_body, profile, today


def _provenance(**overrides) -> GrantProvenance:
    fields = {
        "source": "eu_funding_tenders",
        "source_id": "TOPIC-1",
        "source_url": "https://example.org/t/1",
        "fetched_at": NOW,
        "checksum": "0" * 64,
    }
    return GrantProvenance(**(fields | overrides))


def _harvested(**provenance) -> object:
    return grant().model_copy(update={"provenance": _provenance(**provenance)})


def test_two_spellings_of_one_url_normalise_alike():
    assert normalise_url("HTTPS://www.Example.org/calls/7/?utm_source=x&b=2&a=1#apply") == (
        normalise_url("http://example.org/calls/7?a=1&b=2")
    )


def test_different_pages_do_not_normalise_alike():
    assert normalise_url("https://example.org/calls/7") != normalise_url(
        "https://example.org/calls/8"
    )


def test_a_moved_deadline_and_amount_are_changes_old_to_new():
    new = GrantSubmission(**grant_body(deadline="2027-04-30", amount_max=50000))
    changes = describe_changes(grant(), new)
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("deadline", "2027-03-31", "2027-04-30"),
        ("amount_max", "40,000", "50,000"),
    ]


def test_reordered_countries_and_a_new_title_are_no_change_to_notify():
    new = GrantSubmission(**grant_body(countries=["LA", "KH"], title="A new title"))
    assert describe_changes(grant(), new) == []


def test_a_narrowed_eligibility_is_a_change():
    new = GrantSubmission(**grant_body(countries=["KH"], fiscal_sponsor_ok=False))
    assert [c.field for c in describe_changes(grant(), new)] == ["countries", "fiscal_sponsor_ok"]


def test_a_harvested_call_open_at_its_source_matches_like_a_posted_grant():
    assert evaluate(_harvested(), profile(), today()) is not None


def test_a_held_call_matches_nobody():
    held = _harvested(hold="foreign applicants may apply but the call names no country")
    assert held.alertable is False
    assert evaluate(held, profile(), today()) is None


def test_a_call_closed_here_matches_nobody():
    assert evaluate(_harvested(closed_at=NOW), profile(), today()) is None
