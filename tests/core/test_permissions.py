"""Who may organise: the organiser role, Manage Events, Manage Server, Administrator, or the member flag."""

import pytest

from core.permissions import ADMINISTRATOR, MANAGE_EVENTS, MANAGE_GUILD, MANAGE_ROLES, may_organise
from tests.factories import GuildFactory, GuildMemberFactory

pytestmark = pytest.mark.django_db
ORGANISER_ROLE = 555


@pytest.fixture
def guild():
    return GuildFactory(organiser_role_id=ORGANISER_ROLE)


def test_it_lets_the_organiser_role_organise(guild):
    assert may_organise(guild, 1, [111, ORGANISER_ROLE], 0) is True


def test_it_lets_manage_events_manage_server_and_administrators_organise(guild):
    assert may_organise(guild, 1, [], MANAGE_EVENTS) is True
    assert may_organise(guild, 1, [], MANAGE_GUILD) is True
    assert may_organise(guild, 1, [], ADMINISTRATOR) is True


def test_it_lets_a_member_flagged_as_organiser_organise(guild):
    flagged = GuildMemberFactory(guild=guild, is_organiser=True)
    assert may_organise(guild, flagged.member_id, [], 0) is True


def test_it_refuses_everyone_else(guild):
    member = GuildMemberFactory(guild=guild)
    departed = GuildMemberFactory(guild=guild, is_organiser=True, left_at="2026-01-01T00:00Z")
    other_guild = GuildMemberFactory(is_organiser=True)
    assert may_organise(guild, member.member_id, [111], MANAGE_ROLES) is False
    assert may_organise(guild, departed.member_id, [], 0) is False
    assert may_organise(guild, other_guild.member_id, [], 0) is False


def test_it_refuses_the_role_when_the_guild_has_no_organiser_role():
    assert may_organise(GuildFactory(organiser_role_id=None), 1, [ORGANISER_ROLE], 0) is False
