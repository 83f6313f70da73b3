"""The live Discord sandbox of the core tests, for the mirror of native scheduled events."""

from tests.core.conftest import live_discord  # noqa: F401 (a fixture)
