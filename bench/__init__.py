"""Benchmarks: scripts that print figures (not run in CI)."""
