"""Every email in every language: content, escaping, unsubscribe headers, fallbacks."""

from __future__ import annotations

import gettext
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shared.domain.models import Interest
from shared.domain.recipients import Recipient
from shared.email import rendering as emails
from shared.email.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    drop_unsafe_translations,
    format_money,
    translations,
)
from shared.email.items import GrantProjects, change_item, localise_reason, match_item, project_item
from shared.email.links import LinkSigner
from shared.matching.engine import evaluate
from tests import builders as b

LINKS = LinkSigner("unit-test-secret-" + "x" * 32, "https://alerts.example.org")
SCRIPT = "<script>alert(1)</script> grant"
SHARE = "https://alerts.example.org/share-contact?token=t"
INTEREST = Interest(
    message="We fund radio safety.\nShall we talk?",
    pledge=5000,
    id="i_1",
    funder_id="f_1",
    project_id="p_test",
    currency="USD",
    created_at=b.NOW,
    reply="Yes, write to us.",
)


def _item(recipient: Recipient, **grant_overrides):
    grant = b.grant(**grant_overrides)
    match = evaluate(grant, b.profile(), b.today())
    assert match is not None
    return match_item(recipient, grant, match, LINKS, b.today())


def _all_emails(language: str, title: str = "Digital security for community media"):
    """One of each kind of email, for one language."""
    profile = Recipient.of_profile(b.profile(language=language, currency="KHR", amount_max=4e6))
    project = Recipient.of_project(b.project(language=language))
    funder = Recipient.of_funder("f_1", "Mekong Fund", "grants@fund.example.org", language, False)
    item = _item(profile, title=title)
    match = evaluate(b.grant(), b.project(), b.today())
    fits = GrantProjects(
        title,
        "https://api.example.org/grants/g_1/projects",
        [project_item(b.project(title=title), match, language)],
    )
    cso = Recipient.of_project(b.project(language=language, title=title))
    return {
        "interest": emails.render_interest(cso, "Mekong Fund", INTEREST, SHARE, LINKS, "r"),
        "introduction": emails.render_introduction(
            funder, b.project(title=title), INTEREST, LINKS, "r"
        ),
        "confirmation": emails.render_confirmation(profile, LINKS, "r"),
        "confirmation-project": emails.render_confirmation(project, LINKS, "r"),
        "alerts": emails.render_alerts(profile, [item], LINKS, "r"),
        "alerts-many": emails.render_alerts(profile, [item, item], LINKS, "r"),
        "alerts-project": emails.render_alerts(project, [item], LINKS, "r"),
        "digest": emails.render_digest(profile, [item], 3, LINKS, "r"),
        "reminder": emails.render_reminder(profile, [item], LINKS, "r"),
        "funder": emails.render_funder_digest(funder, [fits], 2, LINKS, "r"),
        "erasure": emails.render_erasure(profile, LINKS, "r"),
        "my_link": emails.render_my_link(profile, [profile, project], LINKS, "r"),
        "changes": emails.render_changes(profile, [_change(profile, title)], LINKS, "r"),
    }


def _change(recipient: Recipient, title: str):
    """A call whose deadline moved, amount grew and countries narrowed since the alert."""
    old = b.grant(title=title)
    new = b.grant(title=title, deadline="2027-04-30", amount_max=50000, countries=["KH"])
    return change_item(recipient, old, new, LINKS)


ENGLISH = _all_emails("en")


def test_compiled_catalogues_are_present_and_current():
    for language in LANGUAGES[1:]:
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        mo, po = folder / "messages.mo", folder / "messages.po"
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
            f"{mo} is missing or older than its .po: run `make messages-compile`"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_renders_in_every_language(language):
    for kind, email in _all_emails(language).items():
        assert email.subject and email.text.strip() and email.html.startswith("<!doctype html>")
        assert f'<html lang="{language}">' in email.html
        unsubscribe = email.headers["List-Unsubscribe"].strip("<>")
        assert unsubscribe.startswith("https://alerts.example.org/unsubscribe?token=")
        assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe in email.text and unsubscribe.replace("&", "&amp;") in email.html
        [erase] = set(re.findall(r"https://alerts\.example\.org/erase\?token=[\w.=-]+", email.text))
        assert erase in email.html, kind  # every email can delete the address's data
        if language != "en":  # really translated, not English passed through
            assert email.subject != ENGLISH[kind].subject, (language, kind)
            assert "Hello" not in email.text and "Why it fits" not in email.text


def test_every_email_to_a_cso_links_to_its_own_page_and_a_funders_does_not():
    for kind, email in ENGLISH.items():
        mine = re.findall(r"https://alerts\.example\.org/my\?token=[\w.=-]+", email.text)
        if kind in ("funder", "introduction"):
            assert mine == [], kind  # funders sign in on the site instead
        else:
            assert mine and mine[-1] in email.html, kind
            assert "My Grant Match" in email.text, kind
    # The asked-for email links to each profile and project of the address.
    asked = re.findall(r"/my\?token=[\w.=-]+", ENGLISH["my_link"].text)
    assert len(set(asked)) == 2


def test_alert_shows_reasons_amounts_deadline_and_links():
    email = ENGLISH["alerts"]
    for part in (email.text, email.html):
        assert "Digital security for community media" in part
        assert "$5,000 – $40,000" in part  # the grant's currency
        assert "up to KHR4,000,000" in part  # what the applicant asked for, in its own
        assert "March 31, 2027" in part
        assert "Applicant: unregistered group, through a fiscal sponsor" in part
        assert "Country: Cambodia" in part
        assert "does not need to be registered" in part
        assert "/mute?token=" in part
    assert "https://funder.example.org/calls/2027-01" in email.html
    assert (
        email.subject == "New grant for Delta Rights Network: Digital security for community media"
    )


def test_html_escapes_what_users_typed():
    for kind, email in _all_emails("th", title=SCRIPT).items():
        if kind.startswith("confirmation") or kind in ("erasure", "my_link"):
            continue  # they name no grant
        assert "<script>" not in email.html, kind
        assert "&lt;script&gt;alert(1)&lt;/script&gt; grant" in email.html, kind
    assert SCRIPT in _all_emails("en", title=SCRIPT)["alerts"].text  # text is not HTML


def test_funder_email_never_contains_the_contact_address():
    email = ENGLISH["funder"]
    contact = b.project_body()["contact_email"]
    assert contact not in email.text and contact not in email.html
    assert "Mekong Youth Media" in email.text and "2 more projects" in email.text


def test_interest_email_tells_the_cso_who_and_how_to_answer_but_not_the_funders_address():
    email = ENGLISH["interest"]
    assert email.to == b.project_body()["contact_email"]
    assert email.subject == (
        "Mekong Fund is interested in your project “Digital security for community media”"
    )
    for part in (email.text, email.html):
        assert "$5,000" in part and "We have not given them your email address." in part
        assert SHARE in part and "This link works for 30 days." in part
    assert "We fund radio safety.\nShall we talk?" in email.text
    assert "grants@fund.example.org" not in email.text + email.html


def test_introduction_gives_the_funder_the_address_and_the_reply():
    email = ENGLISH["introduction"]
    assert email.to == "grants@fund.example.org"
    assert email.subject == "Mekong Youth Media shared their email address with you"
    for part in (email.text, email.html):
        assert b.project_body()["contact_email"] in part
        assert "Yes, write to us." in part and "$5,000" in part


def test_amounts_and_dates_follow_the_locale():
    assert format_money(40000, "USD", "vi") == "40.000\xa0US$"
    assert format_money(1500000, "KHR", "km") == "1,500,000៛"
    assert format_money(12.5, "EUR", "en") == "€12.50"
    item = _item(Recipient.of_profile(b.profile(language="km")))
    assert item.deadline == "31 មីនា 2027"


def test_screening_reasons_are_translated_and_unknown_ones_kept():
    assert localise_reason("country: LA, KH", "lo") == "ປະເທດ: ລາວ, ກຳປູເຈຍ"
    assert localise_reason("sector: digital-security", "vi") == "Lĩnh vực: An ninh số"
    assert localise_reason("deadline: 2027-03-31", "en") is None  # shown on its own line
    assert localise_reason("text: mentions 'radio'", "th") == "text: mentions 'radio'"


def test_unknown_language_and_missing_string_fall_back_to_english():
    assert _all_emails("fr")["alerts"].subject == ENGLISH["alerts"].subject
    assert translations("km").gettext("A sentence no catalogue has") == (
        "A sentence no catalogue has"
    )


def test_translation_that_would_break_formatting_is_dropped():
    catalog = {
        "": "header",
        "Hello %(name)s,": "Bonjour %(nom)s,",  # wrong placeholder: KeyError at render
        "up to %(amount)s": "50% jusqu'à %(amount)s",  # stray %: ValueError at render
        "Amount": "Montant",
        ("closes in %(num)d day", 0): "ferme dans %(num)d jours",
    }
    assert sorted(drop_unsafe_translations(catalog)) == ["Hello %(name)s,", "up to %(amount)s"]
    fallback = gettext.NullTranslations()
    assert catalog.get("Hello %(name)s,", fallback.gettext("Hello %(name)s,")) == "Hello %(name)s,"
    assert set(catalog) == {"", "Amount", ("closes in %(num)d day", 0)}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_catalogue_is_complete_current_and_safe(language):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=language)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert not [m.id for m in catalog if m.id and not all(_strings(m))], "untranslated"
    assert list(catalog.check()) == []  # placeholders agree with the English
    assert translated == _extracted_msgids(), "run `make messages-update` and translate"


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _extracted_msgids() -> set[str]:
    """What `make messages-extract` would collect today, from the same babel.toml."""
    import tomllib

    from dev.services import REPO

    mappings = tomllib.loads((REPO / "babel.toml").read_text())["mappings"]
    method_map = [(m["pattern"], m["method"]) for m in mappings]
    options_map = {
        m["pattern"]: {k: v for k, v in m.items() if k not in ("pattern", "method")}
        for m in mappings
    }
    found = extract_from_dir(str(REPO), method_map, options_map)
    return {msg if isinstance(msg, str) else msg[0] for _f, _l, msg, _c, _x in found}


RANKING_REASONS = [
    "topic: digital security, land rights",
    "keywords: training",
    "words in common: radio",
    "language: km",
    "language: apply in en, th (not lo)",
    "amount fits: 25,000 USD in 5,000–40,000 USD",
    "amount: 90,000 USD is above up to 40,000 USD",
    "amount: 900 USD is below from 1,000 USD",
]


def test_ranking_reasons_are_said_in_the_readers_language():
    from shared.email.items import localise_reason

    english = [localise_reason(r, "en") for r in RANKING_REASONS]
    for language in ("km", "lo", "my", "th", "vi"):
        localised = [localise_reason(r, language) for r in RANKING_REASONS]
        same = [e for e, t in zip(english, localised, strict=True) if e == t]
        assert same == [], (language, same)


def test_topics_are_named_in_the_readers_words():
    from shared.email.items import localise_reason

    assert "សុវត្ថិភាពឌីជីថល" in localise_reason("topic: digital security", "km")
    assert "ខ្មែរ" in localise_reason("language: km", "km")


def test_amount_and_closing_reasons_are_left_to_their_own_lines():
    from shared.email.items import localise_reason

    for reason in ("closes in 9 days", "closes today", "amount: no exchange rate for XXX/USD"):
        assert localise_reason(reason, "vi") is None


def test_change_notice_says_what_changed_old_to_new():
    profile = Recipient.of_profile(b.profile(language="en"))
    email = emails.render_changes(
        profile, [_change(profile, "Radio safety")], LINKS, "changes:profile:a_test:run-1"
    )
    assert email.subject == "1 grant you heard about from us has changed"
    assert "Deadline: March 31, 2027 → April 30, 2027" in email.text
    assert "Amount: $5,000 – $40,000 → $5,000 – $50,000" in email.text
    assert "Countries: Cambodia, Laos → Cambodia" in email.text
    assert "Who may apply" not in email.text  # unchanged fields are not listed


def test_change_notice_is_in_the_readers_language():
    profile = Recipient.of_profile(b.profile(language="vi"))
    email = emails.render_changes(profile, [_change(profile, "Radio")], LINKS, "r")
    assert "Quốc gia: Campuchia, Lào → Campuchia" in email.text


def test_what_speaks_against_a_match_is_said_apart_from_why_it_fits():
    grant = b.grant(amount_min=5000, amount_max=10000, currency="USD")
    match = evaluate(
        grant, b.profile(amount_min=60000, amount_max=90000, currency="USD"), b.today()
    )
    assert match is not None and any(" is above " in r for r in match.reasons)
    profile = b.profile(amount_min=60000, amount_max=90000, currency="USD", language="en")
    item = match_item(Recipient.of_profile(profile), grant, match, LINKS, b.today())
    assert "Amount: you need more than this grant gives" not in item.reasons
    assert item.concerns == ["Amount: you need more than this grant gives"]
    email = emails.render_alerts(Recipient.of_profile(profile), [item], LINKS, "ref")
    for part in (email.text, email.html):
        fits, against = part.split("Why it fits:")[1].split("Keep in mind:")
        assert "you need more than this grant gives" in against
        assert "you need more than this grant gives" not in fits


def test_the_funder_digest_says_what_speaks_against_a_project_apart_from_why_it_fits():
    grant = b.grant(amount_min=5000, amount_max=10000, currency="USD")
    project = b.project(amount_needed=60000, currency="USD", title="Big radio")
    match = evaluate(grant, project, b.today())
    assert match is not None and any(" is above " in r for r in match.reasons)
    item = project_item(project, match, "en")
    assert item.concerns and not any("more than this grant" in r for r in item.reasons)
    funder = Recipient.of_funder("f_1", "Mekong Fund", "grants@fund.example.org", "en", False)
    fits = GrantProjects("Radio call", "https://api.example.org/grants/g_1/projects", [item])
    email = emails.render_funder_digest(funder, [fits], 0, LINKS, "r")
    for part in (email.text, email.html):
        fits_part, against = part.split("Why it fits:")[1].split("Keep in mind:")
        assert item.concerns[0] in against and item.concerns[0] not in fits_part
