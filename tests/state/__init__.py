"""Tests of the pure rules (no Home Assistant)."""
