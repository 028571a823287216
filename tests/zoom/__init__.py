"""Unit tests of the Zoom API client package, mocked at the HTTP boundary."""
