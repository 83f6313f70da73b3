"""The worker-side handlers of /team: each calls one service and says what happened; organiser
commands refuse members with the one sentence every refusal uses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import dispatcher
from core.permissions import REFUSAL
from teams.models import Preference, Team, TeamMember, TeamSpaces
from tests.cast import handle
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import GuildMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(cast):
    event = EventFactory(guild=cast.guild, title="Relay", starts_at=timezone.now() + timedelta(days=3))
    for who in (cast.organiser, cast.member):
        RegistrationFactory(event=event, member=who.member)
    return event


def run(cast, who, path, **options):
    return handle(cast.interaction(who, command=path, options=options))


def test_team_add_makes_the_team_if_needed_and_places_the_member(cast, event):
    alice = cast.member.member_id

    reply = run(cast, cast.organiser, "team add", event=event.id, team="Red", member=alice)

    assert reply.content == f"<@{alice}> is in **Red** (team **Red** made); they are told by DM."
    assert list(TeamMember.objects.values_list("team__name", "member_id")) == [("Red", alice)]
    with pytest.raises(RuleError, match=rf"^<@{alice}> is already in Red\.$"):
        run(cast, cast.organiser, "team add", event=event.id, team="red", member=alice)


def test_team_move_remove_and_captain(cast, event):
    alice = cast.member.member_id
    run(cast, cast.organiser, "team create", event=event.id, name="Blue")
    run(cast, cast.organiser, "team add", event=event.id, team="Red", member=alice)

    assert run(cast, cast.organiser, "team move", event=event.id, team="blue", member=alice).content == (
        f"<@{alice}> moved to **Blue**; they are told by DM."
    )
    assert run(cast, cast.organiser, "team captain", event=event.id, member=alice).content == (
        f"<@{alice}> captains **Blue**."
    )
    assert Team.objects.get(name="Blue").captain_id == alice
    assert run(cast, cast.organiser, "team remove", event=event.id, member=alice).content == (
        f"<@{alice}> is no longer in **Blue**."
    )
    with pytest.raises(RuleError, match=r"^This event has no team called Green\. Its teams: Blue, Red\.$"):
        run(cast, cast.organiser, "team move", event=event.id, team="Green", member=alice)


def test_team_auto_lists_the_split(cast, event):
    reply = run(cast, cast.organiser, "team auto", event=event.id, teams=2)

    olivia, alice = cast.organiser.member_id, cast.member.member_id
    assert reply.content == (
        f"Teams of **Relay**:\n**Team 1** (1): <@{olivia}>\n**Team 2** (1): <@{alice}>\n"
        "Members are told their team by DM."
    )


def test_team_list_and_mine(cast, event):
    alice = cast.member.member_id
    run(cast, cast.organiser, "team add", event=event.id, team="Red", member=alice)
    run(cast, cast.organiser, "team captain", event=event.id, member=alice)

    listed = run(cast, cast.member, "team list", event=event.id)
    mine = run(cast, cast.member, "team mine")

    assert listed.content == (
        f"Teams of **Relay**:\n**Red** (1): <@{alice}> (captain)\nGoing, in no team: <@{cast.organiser.member_id}>."
    )
    assert mine.content.startswith(f"You are in team **Red** for **Relay** (<t:{int(event.starts_at.timestamp())}:F>).")
    assert f"Captain: <@{alice}>." in mine.content
    assert run(cast, cast.organiser, "team mine", event=event.id).content == "You are in no team for **Relay** yet."


def test_team_preference_is_kept_per_guild(cast):
    reply = run(cast, cast.member, "team preference", skill=1800, role="driver")

    assert reply.content == "Noted for balanced teams in this server: skill 1800, preferred role driver."
    assert Preference.objects.get(member_id=cast.member.member_id).guild_id == cast.guild.id
    assert run(cast, cast.member, "team preference", role="").content == (
        "Noted for balanced teams in this server: skill 1800, no preferred role."
    )


def test_team_spaces_without_options_says_how_it_stands(cast, event):
    reply = run(cast, cast.organiser, "team spaces", event=event.id)

    assert reply.content == "The teams get nothing in Discord (no roles, threads or voice channels)."
    assert not TeamSpaces.objects.exists()


def test_another_guilds_event_is_refused(cast, event):
    elsewhere = EventFactory(guild=cast.outsider.guild)

    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        run(cast, cast.member, "team list", event=elsewhere.id)


def test_a_member_who_is_not_going_is_refused_in_one_sentence(cast, event):
    bob = GuildMemberFactory(guild=cast.guild, member=MemberFactory(username="bob")).member_id

    with pytest.raises(
        RuleError, match=rf"^<@{bob}> is not going to this event: only members going are put in teams\.$"
    ):
        run(cast, cast.organiser, "team add", event=event.id, team="Red", member=bob)
    assert not Team.objects.exists()  # the team it would have made is not left behind


@pytest.mark.parametrize("path", ["team add", "team move", "team remove", "team auto", "team spaces", "team create"])
def test_organiser_commands_refuse_members(cast, event, path):
    options = {"event": event.id, "team": "Red", "member": cast.member.member_id, "teams": 2, "name": "Red"}
    refused = cast.interaction(cast.member, command=path, options=options)

    assert dispatcher.run(refused)[1]["message"]["content"] == REFUSAL
    assert not Team.objects.exists()
