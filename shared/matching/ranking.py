"""Ranking: how well a grant that passed screening fits, as a score in [0, 1] with reasons.

The score is a weighted sum of five parts, each in [0, 1], so anyone can see why one grant
ranks above another (`Ranking.parts` keeps them):

| part     | weight | 1.0 when                                       | neutral (unknown)         |
|----------|--------|------------------------------------------------|---------------------------|
| sector   | 0.35   | the grant funds exactly the target's sectors   | grant for any sector: 0.3 |
| text     | 0.35   | same words, or same topics in any language     | profile w/o keywords: 0.5 |
| amount   | 0.15   | the need (converted) lies in the grant's range | an amount missing: 0.5    |
| language | 0.10   | the grant accepts the target's language        | grant names none: 0.5     |
| urgency  | 0.05   | the deadline is within 30 days                 | rolling: 0.4              |

Sector and text carry most of the weight because they say whether the grant is *about*
the applicant's work; amount and language say whether applying is practical; urgency only
breaks near-ties, so a closing grant is not missed. Nothing here excludes: screening
decides eligibility, ranking only orders what is eligible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.domain.models import Grant
from shared.domain.opportunities import TechOfferDetails
from shared.domain.taxonomy import TargetKind
from shared.matching.money import RateTable, format_amount, fx_rates, grant_amount_range
from shared.matching.relevance import analyse, cosine, dice, mentions, shared_terms, topic_label
from shared.matching.screening import Applicant

WEIGHTS = {"sector": 0.35, "text": 0.35, "amount": 0.15, "language": 0.10, "urgency": 0.05}
ANY_SECTOR = 0.3  # a grant open to every sector is less focused than one naming yours
NEUTRAL = 0.5
ROLLING_URGENCY = 0.4
# A character-n-gram cosine this high already means "about the same thing" (texts rarely
# exceed it even when they are); lower cosines scale linearly.
COSINE_SATURATION = 0.3
URGENT_DAYS = 30
UNHURRIED_DAYS = 365


@dataclass(frozen=True)
class Ranking:
    """The score, each part of it, and the reasons a person can read."""

    score: float
    parts: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


def grant_text(grant: Grant) -> str:
    """The text a grant is matched on; for other kinds, also what their details say about
    their subject and audience (what a tech offer offers and to whom, who may attend a
    training or an event), never how to register or request."""
    details = grant.details
    extra: tuple[str, ...] = ()
    if isinstance(details, TechOfferDetails):
        extra = (details.offered, details.for_whom)
    elif details is not None:
        extra = (details.who_may_attend,)
    return "\n".join((grant.title, grant.description, *(e for e in extra if e)))


def rank(
    grant: Grant, applicant: Applicant, today: date, rates: RateTable | None = None
) -> Ranking:
    """Score an eligible (grant, applicant) pair."""
    rates = rates or fx_rates()
    parts: dict[str, float] = {}
    reasons: list[str] = []
    parts["sector"] = _sector_fit(grant, applicant)
    parts["text"], text_reasons = _text_fit(grant, applicant)
    parts["amount"], amount_reason = _amount_fit(grant, applicant, rates)
    parts["language"], language_reason = _language_fit(grant, applicant)
    parts["urgency"], urgency_reason = _urgency(grant, today)
    reasons += [r for r in (amount_reason, language_reason) if r]
    reasons += text_reasons
    if urgency_reason:
        reasons.append(urgency_reason)
    total = sum(WEIGHTS[name] * value for name, value in parts.items())
    return Ranking(round(min(1.0, max(0.0, total)), 4), parts, tuple(reasons))


def _sector_fit(grant: Grant, applicant: Applicant) -> float:
    """Half coverage (how much of the applicant's work the grant funds), half Dice overlap
    (how focused the two are on the same thing): 1 when the grant funds exactly the
    applicant's sectors. A grant naming your sector among many still beats one for any
    sector, which names none."""
    if not grant.sectors:
        return ANY_SECTOR
    if not applicant.sectors:
        return NEUTRAL
    funded = frozenset(s.value for s in grant.sectors)
    coverage = len(funded & applicant.sectors) / len(applicant.sectors)
    return 0.5 * coverage + 0.5 * dice(funded, frozenset(applicant.sectors))


def _text_fit(grant: Grant, applicant: Applicant) -> tuple[float, list[str]]:
    """Same words (character n-grams) or same topics (any language), combined as a
    noisy-or: either kind of evidence alone can make two texts relevant."""
    document = analyse(grant_text(grant))
    if applicant.kind is TargetKind.PROFILE and not applicant.keywords:
        return NEUTRAL, []
    query = analyse(applicant.text)
    if applicant.keywords:
        hits = [k for k in applicant.keywords if mentions(document, k)]
        words = min(1.0, len(hits) / min(2, len(applicant.keywords)))
        shown = hits[:3]
    else:
        words = min(1.0, cosine(query, document) / COSINE_SATURATION)
        shown = shared_terms(query, document) if words > 0 else []
    common_topics = sorted(query.topics & document.topics)
    topics = dice(query.topics, document.topics)
    reasons = []
    if common_topics:
        reasons.append("topic: " + ", ".join(topic_label(t) for t in common_topics[:3]))
    if shown:
        reasons.append(
            "keywords: " + ", ".join(shown)
            if applicant.keywords
            else "words in common: " + ", ".join(shown)
        )
    return 1 - (1 - words) * (1 - topics), reasons


def _amount_fit(grant: Grant, applicant: Applicant, rates: RateTable) -> tuple[float, str | None]:
    """1 when the need lies in the grant's range; otherwise the share of the gap covered
    (a grant giving up to 10k for a 40k need scores 0.25). Unknown amounts are neutral."""
    low, high = applicant.amount_min, applicant.amount_max
    if applicant.kind is TargetKind.PROJECT:
        low = high
    if (low is None and high is None) or applicant.currency is None:
        return NEUTRAL, None
    if grant.currency is None or (grant.amount_min is None and grant.amount_max is None):
        return NEUTRAL, None
    need_low = rates.convert(low, applicant.currency, grant.currency) if low is not None else None
    need_high = (
        rates.convert(high, applicant.currency, grant.currency) if high is not None else None
    )
    if (low is not None and need_low is None) or (high is not None and need_high is None):
        return NEUTRAL, f"amount: no exchange rate for {applicant.currency}/{grant.currency}"
    need = _describe_need(low, high, applicant.currency, need_low, need_high, grant.currency)
    offered = grant_amount_range(grant)
    if grant.amount_max is not None and need_low is not None and need_low > grant.amount_max:
        return grant.amount_max / need_low, f"amount: {need} is above {offered}"
    if grant.amount_min is not None and need_high is not None and need_high < grant.amount_min:
        return need_high / grant.amount_min, f"amount: {need} is below {offered}"
    return 1.0, f"amount fits: {need} in {offered}"


def _describe_need(
    low: float | None,
    high: float | None,
    currency: str,
    low_converted: float | None,
    high_converted: float | None,
    grant_currency: str,
) -> str:
    """`25,000 USD`, or `100,000,000 VND (≈ 3,929 USD)`, or a range for a profile."""

    def one(amount: float | None, converted: float | None) -> str:
        text = format_amount(amount, currency)
        if currency != grant_currency and converted is not None:
            text += f" (≈ {format_amount(round(converted), grant_currency)})"
        return text

    if low is not None and high is not None and low != high:
        return f"{one(low, low_converted)}–{one(high, high_converted)}"
    if low is None:
        return "up to " + one(high, high_converted)
    if high is None:
        return "from " + one(low, low_converted)
    return one(high, high_converted)


def _language_fit(grant: Grant, applicant: Applicant) -> tuple[float, str | None]:
    """1 when the applicant can apply in its own language; 0.3 when only in English (many
    CSOs can, at a cost); 0 when in neither; neutral when the grant does not say."""
    if not grant.languages or applicant.language is None:
        return NEUTRAL, None
    if applicant.language in grant.languages:
        return 1.0, f"language: {applicant.language}"
    accepted = ", ".join(grant.languages)
    if "en" in grant.languages:
        return 0.3, f"language: apply in {accepted} (not {applicant.language})"
    return 0.0, f"language: apply in {accepted} (not {applicant.language})"


def _urgency(grant: Grant, today: date) -> tuple[float, str | None]:
    """1 within 30 days of the deadline, falling to 0 a year out; rolling in between."""
    if grant.deadline is None:
        return ROLLING_URGENCY, None
    days = (grant.deadline - today).days
    if days <= URGENT_DAYS:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return 1.0, f"closes {when}"
    return max(0.0, 1 - (days - URGENT_DAYS) / (UNHURRIED_DAYS - URGENT_DAYS)), None
