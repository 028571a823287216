"""Tests of the local Zoom API simulator."""
