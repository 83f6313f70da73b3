"""The live Discord sandbox of the core tests, for the teams' roles, threads and voice channels."""

from tests.core.conftest import live_discord  # noqa: F401 (a fixture)
