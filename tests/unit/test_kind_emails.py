"""Emails that tell of several kinds: items grouped under a heading per kind, in one
email, each with its kind's key facts, in every language."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest

from shared.domain.opportunities import OpportunityKind
from shared.domain.recipients import Recipient
from shared.email import rendering as emails
from shared.email.i18n import LANGUAGES, format_day, translations
from shared.email.items import match_item
from shared.email.links import LinkSigner
from shared.matching.engine import evaluate
from tests import builders as b
from tests.opportunity_builders import stored_item, training_body

LINKS = LinkSigner("unit-test-secret-" + "x" * 32, "https://alerts.example.org")
KINDS = [k.value for k in OpportunityKind]
TRAINING, TECH_OFFER, EVENT = (
    OpportunityKind.TRAINING,
    OpportunityKind.TECH_OFFER,
    OpportunityKind.EVENT,
)


def _profile(language: str = "en"):
    return b.profile(language=language, kinds=KINDS)


def _items(recipient: Recipient, profile, *catalogue):
    out = []
    for grant in catalogue:
        match = evaluate(grant, profile, b.today())
        assert match is not None, grant.kind
        out.append(match_item(recipient, grant, match, LINKS, b.today()))
    return out


def _mixed(language: str):
    profile = _profile(language)
    recipient = Recipient.of_profile(profile)
    catalogue = [
        stored_item(TECH_OFFER),
        b.grant(countries=["KH"]),
        stored_item(TRAINING),
    ]
    return recipient, _items(recipient, profile, *catalogue)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_mixed_weekly_digest_renders_in_every_language(language):
    recipient, items = _mixed(language)
    email = emails.render_digest(recipient, items, 0, LINKS, "r")
    say = translations(language).gettext
    headings = [say("Grants"), say("Trainings"), say("Technology offers")]
    if language != "en":
        assert say("Trainings") != "Trainings" and say("Technology offers") != "Technology offers"
    for part in (email.text, unescape(email.html)):
        positions = [part.index(h) for h in headings]
        assert positions == sorted(positions)  # grants, then trainings, then tech offers
        assert say("Events") not in part  # no heading for a kind with nothing in it
        assert "Phnom Penh" in part and format_day(date(2027, 2, 15), language) in part
        assert "Fill in the form on our site" in part  # how to register
        assert "Write to the programme with your group's needs" in part  # how to request
        assert "Ten refurbished laptops" in part  # what is offered
        assert say("Language of instruction") in part
        assert say("How to request") in part
    assert email.subject


def test_each_kind_shows_its_key_facts():
    recipient, items = _mixed("en")
    email = emails.render_alerts(recipient, items, LINKS, "r")
    text = email.text
    assert "Dates: February 15, 2027 – February 19, 2027" in text
    assert "Where: Phnom Penh, Cambodia (on site)" in text
    assert "Language of instruction: Khmer" in text
    assert "Cost: free" in text
    assert "Who may attend: Staff of community groups" in text
    assert "Register by: January 31, 2027" in text
    assert "What is offered: Ten refurbished laptops with full-disk encryption" in text
    assert "For whom: Groups of fewer than 20 staff" in text
    assert "Fee: $25" in text
    assert "How to request: Write to the programme" in text
    assert "Deadline: March 31, 2027" in text  # the grant's own line is unchanged
    assert "fiscal sponsor: an organisation" not in text.split("Trainings")[1]


def test_an_online_event_says_where_and_that_it_is_free():
    profile = _profile()
    recipient = Recipient.of_profile(profile)
    event = stored_item(EVENT)
    [item] = _items(recipient, profile, event)
    text = emails.render_alerts(recipient, [item], LINKS, "r").text
    assert "Where: online" in text and "Events" in text
    assert "Cost: free" in text


def test_one_item_of_a_kind_names_its_kind_in_the_subject():
    profile = _profile()
    recipient = Recipient.of_profile(profile)
    [item] = _items(recipient, profile, stored_item(TRAINING))
    subject = emails.render_alerts(recipient, [item], LINKS, "r").subject
    assert (
        subject == "New training for Delta Rights Network: Digital security for community trainers"
    )
    recipient, items = _mixed("en")
    assert emails.render_alerts(recipient, items, LINKS, "r").subject == (
        "3 new opportunities for Delta Rights Network"
    )


def test_an_email_of_grants_only_has_no_kind_headings():
    profile = _profile()
    recipient = Recipient.of_profile(profile)
    [item] = _items(recipient, profile, b.grant(countries=["KH"]))
    email = emails.render_digest(recipient, [item], 0, LINKS, "r")
    assert "Grants\n" not in email.text and "Trainings" not in email.text
    assert email.subject == "Your weekly grants: 1 match"


def test_a_reminder_names_the_registration_deadline():
    profile = _profile()
    recipient = Recipient.of_profile(profile)
    [item] = _items(recipient, profile, stored_item(TRAINING))
    email = emails.render_reminder(recipient, [item], LINKS, "r")
    assert "Register by: January 31, 2027" in email.text
    assert "registration" in email.text.lower()


def test_a_fee_whose_amount_is_unknown_is_never_called_free():
    profile = _profile()
    recipient = Recipient.of_profile(profile)
    body = training_body()
    details = {**body["details"], "fee_based": True}
    training = stored_item(TRAINING, details=details)
    [item] = _items(recipient, profile, training)
    text = emails.render_alerts(recipient, [item], LINKS, "r").text
    assert "Cost: a fee (amount not given)" in text and "Cost: free" not in text


def test_an_unregistered_group_not_listed_by_a_provider_is_not_admitted_via_a_sponsor():
    profile = b.profile(kinds=KINDS, applicant_type="unregistered_group")
    training = stored_item(TRAINING, applicant_types=["registered_ngo"])
    assert evaluate(training, profile, b.today()) is None
