"""Amounts as machine-neutral text (`25,000 USD`, `5,000–40,000 USD`).

Used in match reasons and by `grantmatch rank`, whose output must not depend on a
reader's locale; emails format money per locale with Babel (`shared.email.i18n.format_money`).
"""

from __future__ import annotations

from shared.domain.models import Grant


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
