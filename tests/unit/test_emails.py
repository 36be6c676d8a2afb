"""Rendering the match alert: content, escaping, fiscal-sponsor wording."""

from __future__ import annotations

from shared.emails import format_amount, grant_amount_range, render_match_alert
from shared.matching import evaluate
from tests import builders as b


def _render(**grant_overrides):
    grant = b.grant(**grant_overrides)
    target = b.project(applicant_type="unregistered_group")
    match = evaluate(grant, target, b.today())
    assert match is not None
    return render_match_alert(to="x@example.org", org_name="Org <b>", grant=grant, match=match)


def test_alert_shows_title_reasons_amount_deadline_and_link():
    email = _render()
    for part in (email.text, email.html):
        assert "Digital security for community media" in part
        assert "5,000–40,000 USD" in part
        assert "2027-03-31" in part
        assert "applicant: unregistered group via fiscal sponsor" in part
    assert "https://funder.example.org/calls/2027-01" in email.html
    assert email.subject.startswith("Grant match for Org <b>")


def test_html_escapes_what_users_typed():
    email = _render(title="<script>alert(1)</script> grant")
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; grant" in email.html
    assert "Org &lt;b&gt;" in email.html


def test_fiscal_sponsor_is_explained_neutrally():
    assert "does not need to be registered" in _render().text


def test_rolling_deadline_is_said_in_words():
    assert "rolling (no fixed deadline)" in _render(deadline=None).text


def test_amount_formats():
    assert format_amount(25000, "USD") == "25,000 USD"
    assert format_amount(12.5, "EUR") == "12.50 EUR"
    assert grant_amount_range(b.grant(amount_min=None, amount_max=1000)) == "up to 1,000 USD"
    assert grant_amount_range(b.grant(amount_min=100, amount_max=None)) == "from 100 USD"
