"""The engine on our own labelled set (tests/data/ranking): no screening error, and the
ranking quality we aim for on unseen data. bench/evaluate_ranking.py prints the details."""

from __future__ import annotations

from bench.evaluate_ranking import DEFAULT_DATA, evaluate


def test_labelled_set_has_no_screening_error_and_ranks_well():
    report = evaluate(DEFAULT_DATA, DEFAULT_DATA / "labels.json")
    assert report.screening_errors == []
    assert report.missing_labels == []
    assert len(report.per_project) >= 20
    assert report.ndcg >= 0.95, "\n".join(report.lines)
