"""Evaluate the engine on a labelled set: nDCG@3 and screening errors.

    .venv/bin/python bench/evaluate_ranking.py              # the set in tests/data/ranking
    .venv/bin/python bench/evaluate_ranking.py --data DIR   # grants/projects .jsonl, labels.json

Ranking runs through the same code as `grantmatch rank` (shared.matching.rank_files). Screening is
checked against this script's own reading of the four rules, written from the issue text
on the raw JSON, so a bug in shared/matching/screening.py shows up as an error instead of agreeing
with itself. Labels are graded 0-3 per eligible (project, grant) pair; nDCG uses the
exponential gain 2^rel - 1 over the engine's top 3 of the eligible grants.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from shared.matching.rank_files import rank_jsonl

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "ranking"
K = 3


def eligible_by_the_rules(grant: dict, project: dict, today: date) -> bool:
    """The four hard rules, read straight from the issue, on raw JSON."""
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
    screening_errors: list[str] = field(default_factory=list)
    missing_labels: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


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
    for project in raw_projects:
        pid = project["external_id"]
        expected = {
            g["external_id"] for g in raw_grants if eligible_by_the_rules(g, project, today)
        }
        order = [m["grant"] for m in ranked.get(pid, [])]
        got = set(order)
        screening_errors += [f"{pid}: {g} is eligible but missing" for g in expected - got]
        screening_errors += [f"{pid}: {g} is not eligible but listed" for g in got - expected]
        truth = labels.get(pid, {})
        missing_labels += [f"{pid}/{g}" for g in sorted(expected - set(truth))]
        gains = [truth.get(g, 0) for g in order]
        ideal = dcg(sorted((truth.get(g, 0) for g in expected), reverse=True))
        if ideal > 0:
            ndcg = dcg(gains) / ideal
            report.per_project[pid] = ndcg
            if verbose or ndcg < 1:
                top = ", ".join(
                    f"{m['grant']}({truth.get(m['grant'], '?')}:{m['score']:.3f})"
                    for m in ranked[pid][:K]
                )
                report.lines.append(f"  {pid}  nDCG@3={ndcg:.3f}  top: {top}")

    scores = list(report.per_project.values())
    report.ndcg = sum(scores) / len(scores) if scores else float("nan")
    report.lines += [
        f"projects: {len(raw_projects)}  grants: {len(raw_grants)}  now: {today}",
        f"nDCG@{K}: {report.ndcg:.4f}  (over {len(scores)} projects with a relevant grant)",
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
