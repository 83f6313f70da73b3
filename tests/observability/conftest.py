"""Fixtures for the observability tests: the live Discord sandbox of the core tests."""

from tests.core.conftest import live_discord  # noqa: F401  (a fixture, used by name)
