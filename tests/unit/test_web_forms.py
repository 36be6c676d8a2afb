"""The web layer's pure parts: form fields into the API's models and pydantic's errors back
onto the fields, form tokens, funder sessions, and the pages in every language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from shared.domain.models import InterestSubmission, ProfileSubmission, ProjectSubmission
from shared.email.i18n import LANGUAGES
from shared.web.form_tokens import LIFETIME as FORM_LIFETIME
from shared.web.form_tokens import FormTokens
from shared.web.forms import FormInvalid, form_data, parse_form
from shared.web.funder_session import LIFETIME as SESSION_LIFETIME
from shared.web.funder_session import SessionSigner
from shared.web.pages.site import FormState, home_page, language_links, project_card

SECRET = "unit-test-secret-" + "x" * 32


def _errors(form: MultiDict, model, language: str = "en") -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        parse_form(form, model, language)
    return caught.value.errors


def test_repeated_fields_become_lists_and_blanks_take_the_models_defaults():
    form = MultiDict(
        [
            ("email", " a@b.org "),
            ("countries", "KH"),
            ("countries", ""),
            ("countries", "PH"),
            ("keywords", "radio, digital security\nprivacy၊ ရေဒီယို"),
            ("amount_min", ""),
            ("website", "ignored: not a field of the model"),
        ]
    )
    data = form_data(form, ProfileSubmission)
    assert data == {
        "email": "a@b.org",
        "countries": ["KH", "PH"],
        "keywords": ["radio", "digital security", "privacy", "ရေဒီယို"],
    }


def test_each_bad_field_gets_a_message_a_person_can_act_on():
    form = MultiDict(
        [
            ("org_name", ""),
            ("contact_email", "nope"),
            ("title", "x" * 301),
            ("sectors", "not-a-sector"),
            ("country", "ZZ"),
            ("amount_needed", "lots"),
            ("needed_by", "31/03/2027"),
            ("visibility", "everyone"),
        ]
    )
    assert _errors(form, ProjectSubmission) == {
        "org_name": "Please fill this in.",
        "contact_email": "Enter an email address, for example name@example.org.",
        "title": "This is too long: at most 300 characters.",
        "sectors": "Choose one of the options.",
        "country": "Choose a country from the list.",
        "applicant_type": "Choose one of the options.",
        "amount_needed": "Enter a number, for example 25000.",
        "needed_by": "Enter a date as year-month-day, for example 2027-03-31.",
        "visibility": "Choose one of the options.",
    }


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("\u200b\u200b", "Please fill this in."),  # only zero-width spaces: blank
        ("Grant\u202e", "Remove the control characters from this text."),  # bidi override
        ("Grant\U000e0041", "Remove the control characters from this text."),  # tag
        ("Grant\ufdd0", "Remove the control characters from this text."),  # noncharacter
        ("Grant\x07", "Remove the control characters from this text."),
    ],
)
def test_invisible_and_unsafe_characters_get_a_message_to_act_on(title, message):
    assert _errors(MultiDict([("title", title)]), ProjectSubmission)["title"] == message


def test_rules_across_fields_land_on_the_field_to_fix():
    base = [("email", "a@b.org"), ("org_name", "A"), ("countries", "KH")]
    base.append(("applicant_type", "network"))
    no_currency = MultiDict([*base, ("amount_max", "5000")])
    assert _errors(no_currency, ProfileSubmission) == {
        "currency": "Choose the currency of the amount."
    }
    upside_down = MultiDict([*base, ("amount_min", "9"), ("amount_max", "1"), ("currency", "USD")])
    assert _errors(upside_down, ProfileSubmission) == {
        "amount_min": "The smallest amount must not be larger than the largest."
    }


def test_messages_follow_the_readers_language_and_english_is_the_fallback():
    form = MultiDict([("pledge", "-1")])
    english = _errors(form, InterestSubmission)["pledge"]
    assert english == "Enter a number that is not negative."
    for language in LANGUAGES[1:]:
        assert _errors(form, InterestSubmission, language)["pledge"] != english, language
    assert _errors(form, InterestSubmission, "fr")["pledge"] == english


def test_a_valid_form_is_the_same_model_the_json_api_builds():
    form = MultiDict([("message", "  Hello\nthere  "), ("pledge", "2500.50")])
    assert parse_form(form, InterestSubmission, "en") == InterestSubmission(
        message="Hello\nthere", pledge=2500.5
    )


def test_form_tokens_carry_a_nonce_until_they_expire_and_cannot_be_forged():
    tokens = FormTokens(SECRET)
    token = tokens.issue()
    nonce = tokens.nonce(token, datetime.now(UTC))
    assert nonce and len(nonce) == 32
    assert tokens.nonce(tokens.issue(), datetime.now(UTC)) != nonce  # one per form shown
    later = datetime.now(UTC) + FORM_LIFETIME + timedelta(minutes=1)
    assert tokens.nonce(token, later) is None
    assert tokens.nonce(token + "x", datetime.now(UTC)) is None
    assert FormTokens("another-secret-" + "y" * 32).nonce(token, datetime.now(UTC)) is None


def test_a_session_names_the_key_never_holds_it_and_its_form_token_is_its_own():
    signer = SessionSigner(SECRET)
    now = datetime.now(UTC)
    cookie = signer.cookie_value("f_1", "0123456789abcdef")
    session = signer.read(cookie, now)
    assert session is not None and (session.funder_id, session.key_id) == (
        "f_1",
        "0123456789abcdef",
    )
    assert signer.read(cookie, now + SESSION_LIFETIME + timedelta(seconds=1)) is None
    assert signer.read(cookie[:-2] + "AA", now) is None
    other = signer.read(signer.cookie_value("f_1", "0123456789abcdef"), now)
    assert signer.csrf_ok(session, signer.csrf_token(session))
    assert not signer.csrf_ok(session, signer.csrf_token(other))  # another session's token
    assert not signer.csrf_ok(session, None)


def test_a_posted_token_of_any_text_is_refused_not_an_error():
    signer = SessionSigner(SECRET)
    session = signer.read(signer.cookie_value("f_1", "0123456789abcdef"), datetime.now(UTC))
    assert not signer.csrf_ok(session, "3ø|")  # compare_digest refuses non-ASCII str


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_form_page_renders_in_every_language_without_anything_from_elsewhere(language):
    html = home_page(language, "/ingest", "token").get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert 'action="/ingest/forms/project?lang=' in html  # under the site's path
    for tag in ("<script", "<link", "<img", "<iframe", "http://", "https://"):
        assert tag not in html, tag


def test_values_typed_are_shown_again_escaped():
    state = FormState("project", MultiDict({"title": '"><script>alert(1)</script>'}))
    html = home_page("en", "", "t", project=state).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_the_language_switcher_keeps_filters_and_drops_the_page_cursor():
    links = language_links("/projects", {"sector": "health", "cursor": "abc", "lang": "en"})
    assert [link.value for link in links] == list(LANGUAGES)
    assert links[1].url == "/projects?sector=health&lang=km"


def test_a_project_card_shows_the_share_pledged_in_the_projects_currency():
    item = {
        "id": "p_1",
        "title": "T",
        "org_name": "O",
        "summary": "",
        "country": "KH",
        "applicant_type": "unregistered_group",
        "sectors": ["health"],
        "amount_needed": 4_000_000,
        "currency": "KHR",
        "needed_by": "2027-03-31",
        "pledged": 5_000_000,
    }
    card = project_card(item, "en", None)
    assert (card.percent, card.share) == (100, "125%")  # the bar stops full, the text says more
    assert card.country == "Cambodia" and card.applicant_type == "Unregistered group"
    assert card.needed_by == "March 31, 2027"
    assert project_card({**item, "pledged": 0}, "en", None).pledged == ""
    assert project_card({**item, "currency": None}, "en", None).needs == ""


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_colour_of_the_pages_meets_wcag_aa_on_every_background():
    from shared.email.i18n import LOCALE_DIR

    css = (LOCALE_DIR.parent / "templates" / "pages" / "_style.css.j2").read_text()
    texts = set(re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", css)) - {"#ffffff"}
    backgrounds = {"#ffffff", *re.findall(r"background:(#[0-9a-f]{6})", css)} - {"#1d5c3a"}
    assert texts and len(backgrounds) >= 3
    for text in texts:
        for background in backgrounds:
            assert _contrast(text, background) >= 4.5, (text, background)
    assert _contrast("#ffffff", "#1d5c3a") >= 7  # the buttons' white text
