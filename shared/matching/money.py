"""Money: currency conversion from one dated rate table (`shared/data/fx_rates.json`), and
amounts as machine-neutral text (`25,000 USD`, `5,000–40,000 USD`) for match reasons and
`grantmatch rank`, whose output must not depend on a reader's locale (emails format money
per locale with Babel, `shared.email.i18n.format_money`).

Grants and projects in the Mekong region name amounts in KHR, LAK, MMK, THB, VND, USD or
EUR side by side. Ranking compares them in one currency; the table is dated and sourced
so anyone can see how old the rates are, and it is the only place to refresh them. The
file ships inside the package, so loading it is reading our own code, not I/O on user data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from shared.domain.models import Grant


@dataclass(frozen=True)
class RateTable:
    """Units of each currency per one unit of `base`, as of `date`."""

    date: str
    source: str
    base: str
    rates: dict[str, float]

    def convert(self, amount: float, from_currency: str, to_currency: str) -> float | None:
        """`amount` in `to_currency`, or None when either currency has no rate."""
        if from_currency == to_currency:
            return amount
        src, dst = self.rates.get(from_currency), self.rates.get(to_currency)
        if not src or not dst:
            return None
        return amount / src * dst


@cache
def fx_rates() -> RateTable:
    """The packaged rate table (read once per process)."""
    raw = json.loads(resources.files("shared").joinpath("data/fx_rates.json").read_text("utf-8"))
    return RateTable(
        date=raw["date"],
        source=raw["source"],
        base=raw["base"],
        rates={code: float(rate) for code, rate in raw["rates"].items()},
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
