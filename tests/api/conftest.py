"""The API's cast: Muster HQ with an announcement channel, a read-write token for it, and
a token of the other guild (oscar's, *Elsewhere*)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.cast import CHANNEL_ID, build_cast

if TYPE_CHECKING:
    from api.models import ApiToken

# Nothing of Django at module level: pytest loads this file before Django is set up.


@dataclass(frozen=True)
class Caller:
    """An HTTP client that sends one token, and that token's row."""

    client: Any  # django.test.Client
    token: ApiToken
    secret: str

    def url(self, path: str = "", guild_id: int | None = None) -> str:
        return f"/api/v1/guilds/{guild_id or self.token.guild_id}{path}"

    def get(self, path: str, **params):
        return self.client.get(path, params)

    def send(self, method: str, path: str, data=None, **headers):
        call = getattr(self.client, method.lower())
        return call(path, data, content_type="application/json", headers=headers)


def caller_for(guild, *, scopes=("read", "write"), lifetime=timedelta(days=90), name="tests") -> Caller:
    from django.test import Client
    from django.utils import timezone

    from api import tokens

    ask = tokens.TokenRequest(guild=guild, name=name, scopes=tuple(scopes), lifetime=lifetime)
    row, secret = tokens.create_token(ask, now=timezone.now())
    return Caller(Client(headers={"Authorization": f"Bearer {secret}"}), row, secret)


@pytest.fixture
def cast():
    return build_cast(announcement_channel_id=CHANNEL_ID)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(flush_redis):
    """Each test starts with no request counted (the limit lives in Redis)."""


@pytest.fixture
def api(cast) -> Caller:
    """Olivia's read-write token for Muster HQ."""
    return caller_for(cast.guild)


@pytest.fixture
def elsewhere(cast) -> Caller:
    """A read-write token of the other guild, Elsewhere."""
    return caller_for(cast.outsider.guild)


def error(response) -> dict:
    """The error body, checked to have the one shape."""
    data = response.json()
    assert set(data) == {"detail", "errors"}, data
    return data
