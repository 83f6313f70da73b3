"""The live Discord sandbox of the core tests, for the slash command registration."""

from tests.core.conftest import live_discord  # noqa: F401 (a fixture)
