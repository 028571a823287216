"""Benchmarks of the integration against the local Zoom simulator (run by scripts/bench)."""
