"""A training's change notice: when, where and at what cost it takes place are told,
old -> new; a change of wording is not."""

from __future__ import annotations

from shared.domain.opportunities import OpportunityKind
from shared.domain.recipients import Recipient
from shared.email.items import change_item
from shared.email.links import LinkSigner
from shared.services.change_notices import describe_changes
from tests import builders as b
from tests.opportunity_builders import stored_item, training_body

LINKS = LinkSigner("unit-test-secret-" + "x" * 32, "https://alerts.example.org")
TRAINING = OpportunityKind.TRAINING


def _training(**details: object):
    body = training_body()
    return stored_item(TRAINING, "g_t", details={**body["details"], **details})


def test_a_training_moved_in_time_and_place_is_told_old_to_new():
    old = _training()
    new = _training(starts_on="2027-03-01", ends_on="2027-03-05", city="Battambang")
    fields = [c.field for c in describe_changes(old, new)]
    assert fields == ["details.starts_on", "details.ends_on", "details.city"]
    recipient = Recipient.of_profile(b.profile(kinds=["grant", "training"], language="en"))
    told = change_item(recipient, old, new, LINKS).lines
    lines = {line.label: (line.old, line.new) for line in told}
    assert lines["Dates"] == (
        "February 15, 2027 – February 19, 2027",
        "March 1, 2027 – March 5, 2027",
    )
    assert lines["Where"] == ("Phnom Penh, Cambodia (on site)", "Battambang, Cambodia (on site)")


def test_a_training_that_starts_charging_a_fee_is_told():
    old = _training()
    new = _training(cost=40, currency="USD")
    assert [c.field for c in describe_changes(old, new)] == [
        "details.cost",
        "details.currency",
        "details.fee_based",
    ]
    recipient = Recipient.of_profile(b.profile(kinds=["training"], language="en"))
    [line] = change_item(recipient, old, new, LINKS).lines
    assert (line.label, line.old, line.new) == ("Cost", "free", "$40")


def test_new_wording_of_how_to_register_notifies_nobody():
    old = _training()
    new = _training(how_to_register="Fill in the form on our website")
    assert describe_changes(old, new) == []
