"""The public contract: what submissions accept, refuse and normalise."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.domain.models import MAX_TITLE, GrantSubmission, ProfileSubmission, ProjectSubmission
from tests.builders import grant_body, profile_body, project_body


def _fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.value.errors()}


def test_valid_grant_is_accepted_and_codes_are_normalised():
    grant = GrantSubmission(**grant_body(countries=["kh", "la", "KH"], currency="usd"))
    assert grant.countries == ["KH", "LA"]
    assert grant.currency == "USD"


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError) as exc:
        GrantSubmission(**grant_body(budget=5))
    assert _fields(exc) == {"budget"}


def test_every_bad_field_is_named_at_once():
    body = grant_body(title="", sectors=["basket-weaving"], countries=["XX"], currency="ZZZ")
    with pytest.raises(ValidationError) as exc:
        GrantSubmission(**body)
    assert {"title", "sectors.0", "countries.0", "currency"} <= _fields(exc)


def test_title_over_the_limit_is_refused():
    with pytest.raises(ValidationError) as exc:
        GrantSubmission(**grant_body(title="x" * (MAX_TITLE + 1)))
    assert _fields(exc) == {"title"}


def test_amount_min_above_max_is_refused():
    with pytest.raises(ValidationError, match="amount_min must not be greater"):
        GrantSubmission(**grant_body(amount_min=50_000, amount_max=10_000))


def test_amount_without_currency_is_refused():
    with pytest.raises(ValidationError, match="currency is required"):
        GrantSubmission(**grant_body(currency=None))


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "javascript:alert(1)", "file:///etc/passwd"]
)
def test_only_http_and_https_links_are_accepted(url: str):
    with pytest.raises(ValidationError) as exc:
        GrantSubmission(**grant_body(url=url))
    assert _fields(exc) == {"url"}


def test_grant_needs_at_least_one_applicant_type():
    with pytest.raises(ValidationError) as exc:
        GrantSubmission(**grant_body(applicant_types=[]))
    assert _fields(exc) == {"applicant_types"}


def test_empty_countries_means_worldwide_and_is_valid():
    assert GrantSubmission(**grant_body(countries=[])).countries == []


def test_rolling_deadline_is_null():
    assert GrantSubmission(**grant_body(deadline=None)).deadline is None


def test_project_contact_email_must_be_an_address():
    with pytest.raises(ValidationError) as exc:
        ProjectSubmission(**project_body(contact_email="not-an-address"))
    assert _fields(exc) == {"contact_email"}


def test_project_visibility_defaults_to_private():
    body = project_body()
    del body["visibility"]
    assert ProjectSubmission(**body).visibility == "private"


def test_profile_needs_a_country():
    with pytest.raises(ValidationError) as exc:
        ProfileSubmission(**profile_body(countries=[]))
    assert _fields(exc) == {"countries"}


def test_language_must_be_iso_639_1():
    with pytest.raises(ValidationError) as exc:
        ProfileSubmission(**profile_body(language="khm"))
    assert _fields(exc) == {"language"}


def test_control_characters_are_refused_in_text():
    with pytest.raises(ValidationError) as exc:
        GrantSubmission(**grant_body(description="bell\x07"))
    assert _fields(exc) == {"description"}


def test_zawgyi_burmese_is_converted_to_unicode():
    zawgyi = "ျမန္မာ"  # "Myanmar" typed with a Zawgyi font
    project = ProjectSubmission(**project_body(title=zawgyi, country="MM"))
    assert project.title == "မြန်မာ"


def test_unicode_burmese_is_left_alone():
    project = ProjectSubmission(**project_body(title="မြန်မာ", country="MM"))
    assert project.title == "မြန်မာ"


def test_thai_lao_khmer_and_vietnamese_titles_are_kept_as_sent():
    for title in ("ความปลอดภัยดิจิทัล", "ຄວາມປອດໄພດິຈິຕອນ", "សុវត្ថិភាពឌីជីថល", "An toàn số"):
        assert GrantSubmission(**grant_body(title=title)).title == title
