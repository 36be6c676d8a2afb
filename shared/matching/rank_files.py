"""Ranking from JSON Lines files: the engine behind `grantmatch rank`, with no database.

Each line is one grant or project in the public contract (the fields of `POST /grants`
and `POST /projects`). A line of the grants file with `details` is another kind of
catalogue item (a training, an event or a tech offer: `details.kind` says which), with
the fields of its submission (`shared.domain.opportunities`); it is screened and ranked
as the match function does, through `catalogue_fields`. Two deliberate differences from
the HTTP contract, both because a ranking file is not a submission:

- `contact_email` is optional and never read: ranking needs no personal data, and files
  exported for ranking should not have to carry it. A project must have `external_id`,
  since the output names projects by it.
- a field outside the contract is reported as a warning and ignored (files often carry
  labels or notes), while a missing or invalid contract field makes the line bad.

A bad line is reported with its file and line number and skipped; the rest is ranked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.domain.models import Email, ExternalId, Grant, GrantSubmission, ProjectSubmission
from shared.domain.opportunities import (
    EventSubmission,
    OpportunityKind,
    TechOfferSubmission,
    TrainingSubmission,
    catalogue_fields,
)
from shared.matching.engine import evaluate_applicant
from shared.matching.screening import Applicant


class GrantLine(GrantSubmission):
    """A grant as a ranking file carries it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)


_LINE_CONFIG = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)


class TrainingLine(TrainingSubmission):
    """A training as a ranking file carries it."""

    model_config = _LINE_CONFIG


class EventLine(EventSubmission):
    """An event as a ranking file carries it."""

    model_config = _LINE_CONFIG


class TechOfferLine(TechOfferSubmission):
    """A tech offer as a ranking file carries it."""

    model_config = _LINE_CONFIG


CatalogueLine = GrantLine | TrainingLine | EventLine | TechOfferLine
LINE_MODELS: dict[str, type[TrainingLine | EventLine | TechOfferLine]] = {
    OpportunityKind.TRAINING.value: TrainingLine,
    OpportunityKind.EVENT.value: EventLine,
    OpportunityKind.TECH_OFFER.value: TechOfferLine,
}


def catalogue_line_model(data: dict[str, Any]) -> type[CatalogueLine] | None:
    """The model of one line of a grants file: a grant without `details`, else the kind
    its `details.kind` names (None: a kind we do not know)."""
    details = data.get("details")
    if details is None:
        return GrantLine
    kind = details.get("kind") if isinstance(details, dict) else None
    return LINE_MODELS.get(kind) if isinstance(kind, str) else None


class ProjectLine(ProjectSubmission):
    """A project as a ranking file carries it (no contact data needed)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    external_id: ExternalId
    # A ranking needs no contact: optional here, required in a submission.
    contact_email: Email | None = None  # type: ignore[assignment]


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One line we could not use (or a warning about one)."""

    source: str
    line: int
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        kind = "" if self.fatal else "warning: "
        return f"{self.source}:{self.line}: {kind}{self.message}"


@dataclass
class Parsed(Generic[M]):
    """The valid records of a file, with their line numbers, and what went wrong."""

    records: list[tuple[int, M]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _describe(exc: ValidationError) -> str:
    errors = exc.errors(include_input=False, include_url=False)
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(line)'}: {e['msg']}" for e in errors
    )


def parse_lines(
    source: str,
    lines: Iterable[bytes],
    model: Callable[[dict[str, Any]], type[M] | None],
) -> Parsed[M]:
    """Validate each non-blank line as the model `model` picks for it (a model class
    picks itself: it is called, and a class returns an instance, so pass `lambda _: C`);
    duplicates of an external_id are bad lines (which one is meant would be a guess)."""
    parsed: Parsed[M] = Parsed()
    seen: dict[str | None, int] = {}
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8").lstrip("\ufeff").strip()
        except UnicodeDecodeError:
            parsed.problems.append(Problem(source, number, "not UTF-8 text"))
            continue
        if not text:
            continue
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            parsed.problems.append(Problem(source, number, f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(data, dict):
            parsed.problems.append(Problem(source, number, "not a JSON object"))
            continue
        chosen = model(data)
        if chosen is None:
            kinds = ", ".join(LINE_MODELS)
            parsed.problems.append(Problem(source, number, f"details.kind: one of {kinds}"))
            continue
        try:
            record = chosen.model_validate(data)
        except ValidationError as exc:
            parsed.problems.append(Problem(source, number, _describe(exc)))
            continue
        external_id: str | None = getattr(record, "external_id", None)
        if external_id in seen:
            message = f"duplicate external_id {external_id!r} (first on line {seen[external_id]})"
            parsed.problems.append(Problem(source, number, message))
            continue
        seen[external_id] = number
        unknown = sorted(set(data) - set(chosen.model_fields))
        if unknown:
            message = "ignored fields outside the contract: " + ", ".join(unknown)
            parsed.problems.append(Problem(source, number, message, fatal=False))
        parsed.records.append((number, record))
    return parsed


def as_grant(line: CatalogueLine, loaded_at: datetime) -> Grant:
    """A file grant (or other kind, through its catalogue fields) as the engine's Grant;
    its external_id serves as its id."""
    fields = line.model_dump() if isinstance(line, GrantLine) else catalogue_fields(line)
    return Grant(
        **fields,
        id=line.external_id,
        funder_id="file",
        created_at=loaded_at,
        updated_at=loaded_at,
    )


def rank_projects(
    grants: list[Grant], projects: list[ProjectLine], today: date, top: int
) -> Iterator[dict[str, Any]]:
    """For each project (in file order) its best eligible items, best first."""
    kinds = {g.id: g.kind.value for g in grants}
    for project in projects:
        applicant = Applicant.of(project, project.external_id)
        matches = [m for g in grants if (m := evaluate_applicant(g, applicant, today))]
        matches.sort(key=lambda m: (-m.score, m.grant_id))
        yield {
            "project": project.external_id,
            "matches": [
                {
                    "grant": m.grant_id,
                    "kind": kinds[m.grant_id],
                    "score": m.score,
                    "reasons": m.reasons,
                }
                for m in matches[:top]
            ],
        }


def loaded_at(today: date) -> datetime:
    """A timestamp for file records (they have no stored history)."""
    return datetime.combine(today, time(), tzinfo=UTC)


@dataclass
class RankRun:
    """What ranking two files produced: one result per valid project, and the problems."""

    results: list[dict[str, Any]]
    problems: list[Problem]

    @property
    def bad_lines(self) -> int:
        """Lines that were skipped (warnings do not count)."""
        return sum(1 for p in self.problems if p.fatal)


def rank_jsonl(grants_path: Path, projects_path: Path, today: date, top: int) -> RankRun:
    """Read both files, then rank every valid project against every valid grant."""
    with grants_path.open("rb") as handle:
        grants: Parsed[CatalogueLine] = parse_lines(str(grants_path), handle, catalogue_line_model)
    with projects_path.open("rb") as handle:
        projects = parse_lines(str(projects_path), handle, lambda _: ProjectLine)
    stamp = loaded_at(today)
    engine_grants = [as_grant(g, stamp) for _, g in grants.records]
    results = list(rank_projects(engine_grants, [p for _, p in projects.records], today, top))
    return RankRun(results, [*grants.problems, *projects.problems])
