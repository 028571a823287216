"""Tests of the Zoom Live Stream integration."""
