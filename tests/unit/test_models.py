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


def test_project_visibility_defaults_to_funders_only():
    """A CSO submits a project to be found by funders; the public (in some of the
    region's countries, the authorities too) sees it only if the CSO says so."""
    body = project_body()
    del body["visibility"]
    assert ProjectSubmission(**body).visibility == "funders"


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


def _refused_field(title: str) -> list[dict]:
    with pytest.raises(ValidationError) as exc:
        GrantSubmission(**grant_body(title=title))
    return [e for e in exc.value.errors() if e["loc"] == ("title",)]


@pytest.mark.parametrize(
    "title",
    [
        "\u200b\u200b\u200b",  # zero-width spaces
        " \u200b \u200c\u200d ",  # spaces, a zero-width space, non-joiner and joiner
        "\u2060\ufeff\u00ad",  # word joiner, zero-width no-break space, soft hyphen
        "\u2800\u3164",  # braille blank, Hangul filler: they draw nothing either
    ],
)
def test_a_title_of_only_invisible_characters_is_blank_like_one_of_spaces(title):
    [error] = _refused_field(title)
    assert error["type"] == _refused_field("   ")[0]["type"] == "string_too_short"


def _hex(code: int) -> str:
    return f"U+{code:04X}"


@pytest.mark.parametrize("code", [*range(0x202A, 0x202F), *range(0x2066, 0x206A)], ids=_hex)
def test_bidirectional_overrides_embeddings_and_isolates_are_refused(code):
    [error] = _refused_field(f"Grant for {chr(code)}gnp.exe")
    assert "bidirectional" in error["msg"]


@pytest.mark.parametrize("code", [0xE0001, 0xE0020, 0xE0041, 0xE007F], ids=_hex)
def test_tag_characters_are_refused_as_hidden_text(code):
    [error] = _refused_field(f"Digital safety{chr(code)}")
    assert "tag" in error["msg"]


def test_an_emoji_flag_written_with_tag_characters_is_kept():
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    title = f"Grants from {scotland} Scotland"
    assert GrantSubmission(**grant_body(title=title)).title == title


@pytest.mark.parametrize("code", [0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF], ids=_hex)
def test_noncharacters_are_refused(code):
    [error] = _refused_field(f"Digital{chr(code)} safety")
    assert "noncharacter" in error["msg"]


@pytest.mark.parametrize(
    "title",
    [
        "\u179f\u17bb\u179c\u178f\u17d2\u1790\u17b7\u200b\u1797\u17b6\u1796",  # Khmer, ZWSP
        "\u1019\u103c\u1014\u103a\u200c\u1019\u102c",  # Burmese with a zero-width non-joiner
        "\u0e04\u0e27\u0e32\u0e21\u200b\u0e1b\u0e25\u0e2d\u0e14\u0e20\u0e31\u0e22",  # Thai, ZWSP
        "\u0e84\u0ea7\u0eb2\u0ea1\u200d\u0e9b\u0ead\u0e94",  # Lao with a zero-width joiner
        "Women in tech \U0001f469\u200d\U0001f4bb",  # an emoji joined by ZWJ
        "\u05e2\u05de\u05d5\u05ea\u05d4\u200f (NGO)",  # a right-to-left mark is not an override
    ],
)
def test_zero_width_characters_inside_real_text_are_kept_as_sent(title):
    assert GrantSubmission(**grant_body(title=title)).title == title


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
