"""Evaluate the engine on a labelled set: nDCG@3 and screening errors.

    .venv/bin/python bench/evaluate_ranking.py              # the set in tests/data/ranking
    .venv/bin/python bench/evaluate_ranking.py --data DIR   # grants/projects .jsonl, labels.json

Ranking runs through the same code as `grantmatch rank` (shared.matching.rank_files). Screening is
checked against this script's own reading of the four rules, written from the issue text
on the raw JSON, so a bug in shared/matching/screening.py shows up as an error instead of agreeing
with itself. Labels are graded 0-3 per eligible (project, grant) pair; nDCG uses the
exponential gain 2^rel - 1 over the engine's top 3 of the eligible grants.

The grants file may also hold trainings, events and tech offers (lines with `details`).
Each kind is scored apart, over the engine's top 3 of that kind only (emails group items
by kind), so `nDCG@3` stays the grants' figure and `by kind` gives the others'.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from shared.matching.rank_files import rank_jsonl

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "ranking"
K = 3
GRANT = "grant"
EVERY_APPLICANT = [
    "registered_ngo",
    "unregistered_group",
    "social_enterprise",
    "network",
    "academic",
    "individual",
]


def kind_of(item: dict) -> str:
    """`grant`, or the kind a line's `details` names."""
    return (item.get("details") or {}).get("kind", GRANT)


def as_rules_see_it(item: dict) -> dict:
    """A training, event or tech offer read as the rules read a grant (issue 15): the last
    day to register (else the start, else the end; a tech offer's `available_until`) is
    the deadline; on site, only the venue's country; anyone may take part unless the
    item says who, registered or not."""
    details = item.get("details")
    if details is None:
        return item
    last = (
        details.get("registration_deadline") or details.get("starts_on") or details.get("ends_on")
    )
    if details["kind"] == "tech_offer":
        last = details.get("available_until")
    countries = item.get("countries") or []
    if details.get("attendance") == "on_site" and details.get("country"):
        countries = [details["country"]]
    return {
        **item,
        "deadline": last,
        "countries": countries,
        "applicant_types": item.get("applicant_types") or EVERY_APPLICANT,
        "fiscal_sponsor_ok": True,
    }


def eligible_by_the_rules(item: dict, project: dict, today: date) -> bool:
    """The four hard rules, read straight from the issue, on raw JSON."""
    grant = as_rules_see_it(item)
    deadline = grant.get("deadline")
    if deadline is not None and date.fromisoformat(deadline) < today:
        return False
    countries = grant.get("countries") or []
    if countries and project["country"].upper() not in [c.upper() for c in countries]:
        return False
    types = grant["applicant_types"]
    kind = project["applicant_type"]
    if kind not in types and not (kind == "unregistered_group" and grant.get("fiscal_sponsor_ok")):
        return False
    sectors = grant.get("sectors") or []
    return not sectors or bool(set(sectors) & set(project["sectors"]))


def dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:K]))


@dataclass
class Report:
    """What the evaluation found."""

    ndcg: float
    per_project: dict[str, float] = field(default_factory=dict)
    # Other kinds than grants: kind -> project -> nDCG@3 over that kind's items only.
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    screening_errors: list[str] = field(default_factory=list)
    missing_labels: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def kind_ndcg(self, kind: str) -> float:
        """The mean nDCG@3 of one kind other than grants, over projects with one relevant."""
        scores = list(self.by_kind.get(kind, {}).values())
        return sum(scores) / len(scores) if scores else float("nan")


def evaluate(data: Path, labels_file: Path, verbose: bool = False) -> Report:
    """Rank the set with the engine and score it against the labels and the rules."""
    labels_doc = json.loads(labels_file.read_text("utf-8"))
    labels: dict[str, dict[str, int]] = labels_doc["labels"]
    today = date.fromisoformat(labels_doc["now"])
    raw_grants = [json.loads(line) for line in (data / "grants.jsonl").open() if line.strip()]
    raw_projects = [json.loads(line) for line in (data / "projects.jsonl").open() if line.strip()]
    run = rank_jsonl(data / "grants.jsonl", data / "projects.jsonl", today, len(raw_grants))
    for problem in run.problems:
        print(problem, file=sys.stderr)
    ranked = {line["project"]: line["matches"] for line in run.results}

    report = Report(ndcg=float("nan"))
    screening_errors, missing_labels = report.screening_errors, report.missing_labels
    kinds = {g["external_id"]: kind_of(g) for g in raw_grants}
    for project in raw_projects:
        pid = project["external_id"]
        expected = {
            g["external_id"] for g in raw_grants if eligible_by_the_rules(g, project, today)
        }
        matches = ranked.get(pid, [])
        got = {m["grant"] for m in matches}
        screening_errors += [f"{pid}: {g} is eligible but missing" for g in expected - got]
        screening_errors += [f"{pid}: {g} is not eligible but listed" for g in got - expected]
        truth = labels.get(pid, {})
        missing_labels += [f"{pid}/{g}" for g in sorted(expected - set(truth))]
        for kind in sorted(set(kinds.values())):
            of_kind = [m for m in matches if kinds[m["grant"]] == kind]
            gains = [truth.get(m["grant"], 0) for m in of_kind]
            eligible = [truth.get(g, 0) for g in expected if kinds[g] == kind]
            ideal = dcg(sorted(eligible, reverse=True))
            if ideal <= 0:
                continue
            ndcg = dcg(gains) / ideal
            scores_of = report.per_project if kind == GRANT else report.by_kind.setdefault(kind, {})
            scores_of[pid] = ndcg
            if verbose or ndcg < 1:
                top = ", ".join(
                    f"{m['grant']}({truth.get(m['grant'], '?')}:{m['score']:.3f})"
                    for m in of_kind[:K]
                )
                report.lines.append(f"  {pid}  {kind}  nDCG@3={ndcg:.3f}  top: {top}")

    scores = list(report.per_project.values())
    report.ndcg = sum(scores) / len(scores) if scores else float("nan")
    counts = ", ".join(f"{k}: {n}" for k, n in sorted(Counter(kinds.values()).items()))
    report.lines += [
        f"projects: {len(raw_projects)}  items: {counts}  now: {today}",
        f"nDCG@{K}: {report.ndcg:.4f}  (grants, over {len(scores)} projects with a relevant grant)",
        *(
            f"nDCG@{K} {kind}: {report.kind_ndcg(kind):.4f}  (over {len(per)} projects)"
            for kind, per in sorted(report.by_kind.items())
        ),
        f"screening errors: {len(screening_errors)}",
        *("  " + error for error in screening_errors),
    ]
    if missing_labels:
        report.lines.append(
            f"unlabelled eligible pairs (counted as 0): {', '.join(missing_labels)}"
        )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=Path, default=None, help="default: DATA/labels.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every project")
    args = parser.parse_args()
    report = evaluate(args.data, args.labels or args.data / "labels.json", args.verbose)
    print("\n".join(report.lines))
    sys.exit(1 if report.screening_errors else 0)


if __name__ == "__main__":
    main()
