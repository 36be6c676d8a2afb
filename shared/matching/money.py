"""Currency conversion from one dated rate table (`shared/data/fx_rates.json`).

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
