"""Fixtures for the observability tests: the core tests' live sandbox, the e2e tests' processes."""

from tests.core.conftest import live_discord  # noqa: F401  (fixtures, used by name)
from tests.e2e.conftest import discord, muster_env, start_gateway, start_worker, world  # noqa: F401
