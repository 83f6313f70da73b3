"""Log in with Discord, end to end: allauth against the running Discord sandbox."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from core.permissions import SESSION_MEMBER_ID

from .conftest import log_in

pytestmark = pytest.mark.django_db


def test_it_logs_an_organiser_in_with_discord_and_makes_them_staff(world):
    client = log_in(world, "olivia")
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "Muster HQ" in page.content.decode() and "Elsewhere" not in page.content.decode()
    assert client.session[SESSION_MEMBER_ID] == world.cast.organiser.member_id
    account = SocialAccount.objects.get(provider="discord")
    assert (account.uid, account.user.username, account.user.is_staff) == (
        str(world.cast.organiser.member_id),
        "olivia",
        True,
    )
    assert not account.user.has_usable_password()
    # allauth joins the scopes from a set, so their order varies; Discord ignores it.
    [authorization] = world.control.oauth2()["authorizations"]
    assert authorization["user_id"] == str(world.cast.organiser.member_id)
    assert sorted(authorization["scopes"]) == ["guilds", "identify"]


def test_a_member_logs_in_but_is_not_staff(world):
    client = log_in(world, "alice")
    assert client.get("/dashboard/me/").status_code == 200
    user = get_user_model().objects.get(username="alice")
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert client.get("/admin/").status_code == 302


def test_logging_in_again_finds_the_same_account(world):
    log_in(world, "alice")
    log_in(world, "alice")
    assert SocialAccount.objects.filter(provider="discord").count() == 1
    assert get_user_model().objects.filter(username__startswith="alice").count() == 1


def test_the_dashboard_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/dashboard/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/discord/login/?next=/dashboard/")
