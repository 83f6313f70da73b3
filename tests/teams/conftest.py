"""The live Discord sandbox of the core tests, with its guild and an organiser: for the teams'
roles, threads and voice channels."""

from tests.core.conftest import guild, live_discord, organiser  # noqa: F401 (fixtures)
