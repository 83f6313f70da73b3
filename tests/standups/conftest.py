"""HTTP interactions mode's fixtures, for the gateway's side of the prompt's *Answer* button."""

from tests.test_interactions_endpoint import broker, discord_key  # noqa: F401 (fixtures)
