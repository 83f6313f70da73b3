"""The live Discord sandbox of the core tests, with its guild and an organiser: for the mirror of
native scheduled events and the events' threads, channels and roles."""

from tests.core.conftest import guild, live_discord, organiser  # noqa: F401 (fixtures)
