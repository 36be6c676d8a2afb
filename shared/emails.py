"""Email rendering (pure): Jinja2 templates in, subject/text/HTML out.

HTML templates are autoescaped, so a grant title containing `<script>` arrives as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from shared.models import Grant, Match


@dataclass(frozen=True)
class Email:
    """A rendered email, ready for any sender."""

    to: str
    subject: str
    text: str
    html: str
    category: str
    reference: str
    headers: dict[str, str] = field(default_factory=dict)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("shared", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def format_amount(amount: float | None, currency: str | None) -> str:
    """`25,000 USD`; an empty string when there is no amount."""
    if amount is None:
        return ""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{text} {currency or ''}".strip()


def grant_amount_range(grant: Grant) -> str:
    """`5,000–40,000 USD`, `up to 40,000 USD`, `from 5,000 USD` or ``."""
    low, high, cur = grant.amount_min, grant.amount_max, grant.currency
    if low is not None and high is not None:
        return f"{format_amount(low, None)}–{format_amount(high, cur)}"
    if high is not None:
        return f"up to {format_amount(high, cur)}"
    if low is not None:
        return f"from {format_amount(low, cur)}"
    return ""


def render_match_alert(*, to: str, org_name: str, grant: Grant, match: Match) -> Email:
    """The email telling a CSO that a grant fits its profile or project."""
    context = {
        "org_name": org_name,
        "grant": grant,
        "match": match,
        "amount": grant_amount_range(grant),
        "deadline": grant.deadline.isoformat() if grant.deadline else "rolling (no fixed deadline)",
    }
    env = _environment()
    subject = env.get_template("email/match_alert.subject.j2").render(context).strip()
    return Email(
        to=to,
        subject=subject,
        text=env.get_template("email/match_alert.txt.j2").render(context),
        html=env.get_template("email/match_alert.html.j2").render(context),
        category="match_alert",
        reference=match.id,
    )
