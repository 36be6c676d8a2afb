"""The engine on our labelled sets: no screening error, and the ranking quality we aim for
on unseen data. bench/evaluate_ranking.py prints the details.

`ranking` is the development set; `ranking_blind` was written and labelled after the
weights were fixed and was never used to tune them.
"""

from __future__ import annotations

import pytest

from bench.evaluate_ranking import DEFAULT_DATA, evaluate


@pytest.mark.parametrize("name", ["ranking", "ranking_blind"])
def test_labelled_set_has_no_screening_error_and_ranks_well(name):
    data = DEFAULT_DATA.parent / name
    report = evaluate(data, data / "labels.json")
    assert report.screening_errors == []
    assert report.missing_labels == []
    assert report.ndcg >= 0.95, "\n".join(report.lines)


def test_development_set_is_at_least_twenty_by_twenty():
    report = evaluate(DEFAULT_DATA, DEFAULT_DATA / "labels.json")
    assert len(report.per_project) >= 20
    assert sum(1 for _ in (DEFAULT_DATA / "grants.jsonl").open()) >= 20


@pytest.mark.parametrize("kind", ["training", "tech_offer"])
def test_development_set_ranks_trainings_and_tech_offers_well_apart_from_grants(kind):
    report = evaluate(DEFAULT_DATA, DEFAULT_DATA / "labels.json")
    assert len(report.by_kind[kind]) >= 10, "\n".join(report.lines)
    assert report.kind_ndcg(kind) >= 0.95, "\n".join(report.lines)
