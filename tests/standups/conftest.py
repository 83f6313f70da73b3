"""HTTP interactions mode's fixtures (as tests/test_interactions_endpoint.py's), for the gateway's
side of the prompt's *Answer* button. Imports wait for the fixtures: this conftest loads before
Django is set up when tests/standups is named on the command line."""

import pytest


@pytest.fixture
def discord_key(settings):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.generate()
    settings.DISCORD_PUBLIC_KEY = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    return key


@pytest.fixture
def broker(flush_redis):
    from discord_gateway.publish import stop_publisher

    yield flush_redis
    stop_publisher()  # this process's publisher thread, started by the first forwarded interaction
