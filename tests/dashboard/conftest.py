"""The dashboard's world: the cast in the database and, with the same ids, in a running
Discord sandbox whose OAuth2 application allauth logs in through.

olivia organises Muster HQ (its organiser role, stored in her membership), alice is a
member there, oscar belongs only to Elsewhere, and otto organises Elsewhere (the flag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandbox.discord import create_app
from sandbox.discord.control import DiscordControl
from sandbox.runner import ServerThread
from tests.cast import ORGANISER_ROLE_ID, Cast

if TYPE_CHECKING:
    from django.test import Client

    from core.models import GuildMember

# No Django import at module level: pytest loads this file before Django is set up.

CLIENT_SECRET = "dashboard-test-client-secret"
CALLBACK = "https://testserver/accounts/discord/login/callback/"  # https outside DEBUG, as in production
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class World:
    cast: Cast
    other_organiser: GuildMember
    control: DiscordControl
    url: str
    application_id: int


@pytest.fixture
def discord(settings):
    from django.core.cache import cache

    cache.clear()  # allauth's login rate limit counts in the cache: each test starts afresh
    app = create_app(bot_token="dashboard-bot-token")
    server = ServerThread(app).start()
    control = DiscordControl(server.url)
    application_id = int(httpx.get(server.url).json()["application_id"])
    control.register_oauth2_application(CLIENT_SECRET, [CALLBACK])
    settings.DISCORD_API_BASE = f"{server.url}/api/v10"
    settings.DISCORD_OAUTH_AUTHORIZE_URL = f"{server.url}/oauth2/authorize"
    settings.DISCORD_APPLICATION_ID = application_id
    providers = {**settings.SOCIALACCOUNT_PROVIDERS}
    providers["discord"] = {
        **providers["discord"],
        "APPS": [{"client_id": str(application_id), "secret": CLIENT_SECRET, "key": ""}],
    }
    settings.SOCIALACCOUNT_PROVIDERS = providers
    try:
        yield control, server.url, application_id
    finally:
        control.close()
        server.stop()


@pytest.fixture
def world(cast, discord, db) -> World:
    from core.models import GuildMember
    from tests.factories import GuildMemberFactory, MemberFactory

    control, url, application_id = discord
    GuildMember.objects.filter(pk=cast.organiser.pk).update(role_ids=[ORGANISER_ROLE_ID])
    other_guild = cast.outsider.guild
    otto = GuildMemberFactory(guild=other_guild, member=MemberFactory(username="otto"), is_organiser=True)
    hq = control.create_guild(cast.guild.name, guild_id=cast.guild.id)
    elsewhere = control.create_guild(other_guild.name, guild_id=other_guild.id)
    for membership, guild in ((cast.organiser, hq), (cast.member, hq), (cast.outsider, elsewhere), (otto, elsewhere)):
        control.create_user(membership.member.username, user_id=membership.member_id)
        control.add_member(guild["id"], user_id=membership.member_id)
    return World(cast, otto, control, url, application_id)


def log_in(world: World, username: str, *, next_url: str = "/dashboard/") -> Client:
    """The whole allauth flow: our login page, Discord's consent form as a browser fills it, the callback."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/accounts/discord/login/?next={next_url}")
    assert page.status_code == 200, page.content
    token = CSRF.search(page.content.decode()).group(1)
    to_discord = client.post(f"/accounts/discord/login/?next={next_url}", {"csrfmiddlewaretoken": token})
    assert to_discord.status_code == 302
    authorize = to_discord["Location"]
    assert authorize.startswith(f"{world.url}/oauth2/authorize?")
    with httpx.Client(follow_redirects=False) as browser:
        consent = browser.get(authorize)
        assert consent.status_code == 200
        user_id = re.search(rf'value="(\d+)"> [^<]*<small>@{username}</small>', consent.text).group(1)
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', consent.text))
        back = browser.post(
            f"{world.url}/oauth2/authorize", data={**fields, "user_id": user_id, "decision": "authorize"}
        )
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK
    assert sorted(parse_qs(callback.query)) == ["code", "state"]
    done = client.get(f"{callback.path}?{callback.query}")
    assert (done.status_code, done["Location"]) == (302, next_url), done.content
    return client


def csrf_post(client: Client, url: str, data: dict, *, page: str | None = None):
    """POST as a browser does: load the page with the form first, send its CSRF token back."""
    client.get(page or url)
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
