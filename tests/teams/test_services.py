"""Teams' rules: making and naming teams, placing members going, captains, the automatic
split (deterministic, balanced by count, skill or preferred role), members following their
registrations, and the DMs that tell them their team."""

from datetime import timedelta

import pytest

from core.errors import RuleError
from core.models import OutboundMessage
from events.services import respond
from teams import services
from teams import sync as teams_sync
from teams.models import Preference, Team, TeamMember, TeamSpaces
from teams.services import Split
from tests.events.factories import NOW, EventFactory
from tests.teams.factories import going

pytestmark = pytest.mark.django_db


def sizes(event) -> dict[str, int]:
    return {team.name: len(members) for team, members in services.teams_with_members(event.id)}


def members_of(event) -> dict[str, list[str]]:
    return {team.name: [m.member.username for m in members] for team, members in services.teams_with_members(event.id)}


def test_it_makes_teams_in_order_and_refuses_a_name_twice():
    event = EventFactory()

    red = services.create_team(event.id, "  Red   Bulls ", guild_id=event.guild_id, now=NOW)
    blue = services.create_team(event.id, "Blue", guild_id=event.guild_id, now=NOW)

    assert (red.name, red.position, blue.position) == ("Red Bulls", 1, 2)
    assert TeamSpaces.objects.filter(event=event, role=False, voice=False, room="none").count() == 1
    with pytest.raises(RuleError, match=r"^This event already has a team called red bulls\.$"):
        services.create_team(event.id, "red bulls", guild_id=event.guild_id, now=NOW)
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        services.create_team(event.id, "Green", guild_id=event.guild_id + 1, now=NOW)


def test_only_members_going_are_placed_and_one_team_each():
    event = EventFactory()
    red = services.create_team(event.id, "Red", guild_id=None, now=NOW)
    blue = services.create_team(event.id, "Blue", guild_id=None, now=NOW)
    ana = going(event, username="ana")
    from tests.factories import MemberFactory

    stranger = MemberFactory(username="sam")

    services.place(event.id, red.id, ana.id, guild_id=None, now=NOW, move=False)

    with pytest.raises(RuleError, match=rf"^<@{stranger.id}> is not going to this event: only members going"):
        services.place(event.id, red.id, stranger.id, guild_id=None, now=NOW)
    with pytest.raises(RuleError, match=rf"^<@{ana.id}> is in Red: move them instead \(`/team move`\)\.$"):
        services.place(event.id, blue.id, ana.id, guild_id=None, now=NOW, move=False)
    services.place(event.id, blue.id, ana.id, guild_id=None, now=NOW)
    assert members_of(event) == {"Red": [], "Blue": ["ana"]}
    assert TeamMember.objects.filter(event=event).count() == 1


def test_a_captain_is_a_member_and_goes_with_them():
    event = EventFactory()
    red = services.create_team(event.id, "Red", guild_id=None, now=NOW)
    blue = services.create_team(event.id, "Blue", guild_id=None, now=NOW)
    ana, ben = going(event, username="ana"), going(event, username="ben")
    services.place(event.id, red.id, ana.id, guild_id=None, now=NOW)

    with pytest.raises(RuleError, match=rf"^<@{ben.id}> is not in Red: put them in it first\.$"):
        services.set_captain(red.id, ben.id, guild_id=None, now=NOW)
    services.set_captain(red.id, ana.id, guild_id=None, now=NOW)
    assert Team.objects.get(id=red.id).captain_id == ana.id

    services.place(event.id, blue.id, ana.id, guild_id=None, now=NOW)

    assert Team.objects.get(id=red.id).captain_id is None


def test_a_member_who_stops_going_leaves_their_team():
    event = EventFactory()
    red = services.create_team(event.id, "Red", guild_id=None, now=NOW)
    ana, ben = going(event, username="ana"), going(event, username="ben")
    services.place(event.id, red.id, ana.id, guild_id=None, now=NOW)
    services.place(event.id, red.id, ben.id, guild_id=None, now=NOW)

    respond(event.id, ana.id, "declined", sequence=10**15, now=NOW)
    respond(event.id, ben.id, "going", sequence=10**15 + 1, now=NOW)  # unchanged: stays

    assert members_of(event) == {"Red": ["ben"]}


def test_the_split_balances_by_count_in_registration_order_and_is_the_same_every_time():
    def split_once():
        event = EventFactory()
        for name in ("m1", "m2", "m3", "m4", "m5", "m6", "m7"):
            going(event, username=f"{name}-{event.id}")
        services.auto_split(event.id, Split(teams=3), guild_id=None, now=NOW)
        return {team: [n.split("-")[0] for n in names] for team, names in members_of(event).items()}

    first = split_once()

    assert first == {"Team 1": ["m1", "m4", "m7"], "Team 2": ["m2", "m5"], "Team 3": ["m3", "m6"]}
    assert split_once() == first


def test_the_split_by_skill_deals_in_a_snake_so_the_sums_are_close():
    event = EventFactory()
    for name, skill in (("a", 9), ("b", 8), ("c", 7), ("d", 6), ("e", 5), ("f", 4), ("g", None)):
        going(event, username=name, skill=skill)
    services.create_team(event.id, "Red", guild_id=None, now=NOW)

    services.auto_split(event.id, Split(teams=2, by="skill"), guild_id=None, now=NOW)

    # Highest first, each to the smaller team, then the lower sum: a Red, b Team 1, c Team 1 (8 < 9),
    # d Red, e Red (15 = 15: the first team), f Team 1, g (no rating: 0) Team 1 (19 < 20).
    assert members_of(event) == {"Red": ["a", "d", "e"], "Team 1": ["b", "c", "f", "g"]}
    skill = dict(Preference.objects.values_list("member__username", "skill"))
    sums = {team: sum(skill.get(name) or 0 for name in names) for team, names in members_of(event).items()}
    assert sums == {"Red": 20, "Team 1": 19}


def test_the_split_by_role_spreads_each_preferred_role():
    event = EventFactory()
    for name, role in (
        ("a", "driver"),
        ("b", "driver"),
        ("c", "Spotter"),
        ("d", "spotter"),
        ("e", ""),
        ("f", "driver"),
    ):
        going(event, username=name, role=role)

    services.auto_split(event.id, Split(teams=2, by="role"), guild_id=None, now=NOW)

    # Spotters first (the rarer role), then drivers, then those without a preference.
    assert members_of(event) == {"Team 1": ["c", "a", "f"], "Team 2": ["d", "b", "e"]}


def test_a_split_keeps_who_is_placed_unless_reshuffled():
    event = EventFactory()
    red = services.create_team(event.id, "Red", guild_id=None, now=NOW)
    ana = going(event, username="ana")
    for name in ("b", "c", "d"):
        going(event, username=name)
    services.place(event.id, red.id, ana.id, guild_id=None, now=NOW)

    services.auto_split(event.id, Split(teams=2), guild_id=None, now=NOW)
    assert members_of(event) == {"Red": ["ana", "c"], "Team 1": ["b", "d"]}

    TeamMember.objects.filter(event=event).update(told_at=NOW)  # all were told their team
    services.set_preference(event.guild_id, ana.id, skill=9)

    services.auto_split(event.id, Split(teams=2, by="skill", reshuffle=True), guild_id=None, now=NOW)

    assert members_of(event) == {"Red": ["ana", "d"], "Team 1": ["b", "c"]}  # ana first, then by registration
    assert sizes(event) == {"Red": 2, "Team 1": 2}
    told = dict(TeamMember.objects.filter(event=event).values_list("member__username", "told_at"))
    assert told == {"ana": NOW, "b": NOW, "c": None, "d": None}  # only those who changed team hear again


def test_the_split_refuses_what_it_cannot_do():
    event = EventFactory()
    with pytest.raises(RuleError, match=r"^Split into 1 to 25 teams\.$"):
        services.auto_split(event.id, Split(teams=0), guild_id=None, now=NOW)
    with pytest.raises(RuleError, match=r"^Balance by count, skill or role\.$"):
        services.auto_split(event.id, Split(teams=2, by="height"), guild_id=None, now=NOW)
    with pytest.raises(RuleError, match=r"^This event is over: its teams can no longer change\.$"):
        services.auto_split(event.id, Split(teams=2), guild_id=None, now=event.starts_at + timedelta(days=1))


def test_a_preference_is_kept_per_guild_and_checked():
    event = EventFactory()
    ana = going(event, username="ana")

    services.set_preference(event.guild_id, ana.id, skill=1500)
    found = services.set_preference(event.guild_id, ana.id, role="  pit   crew ")

    assert (found.skill, found.role) == (1500, "pit crew")
    with pytest.raises(RuleError, match=r"^A skill rating is a whole number from 0 to 10000\.$"):
        services.set_preference(event.guild_id, ana.id, skill=10001)


def test_members_are_told_their_team_once_where_they_ended(settings):
    settings.TEAM_NOTICE_WINDOW_S = 60
    event = EventFactory()
    red = services.create_team(event.id, "Red", guild_id=None, now=NOW)
    blue = services.create_team(event.id, "Blue", guild_id=None, now=NOW)
    ana = going(event, username="ana")
    services.place(event.id, red.id, ana.id, guild_id=None, now=NOW)
    services.place(event.id, blue.id, ana.id, guild_id=None, now=NOW)
    placed = TeamMember.objects.get(member=ana)
    TeamMember.objects.filter(id=placed.id).update(added_at=NOW)

    early = teams_sync.sync(event.id, now=NOW + timedelta(seconds=30))
    settled = teams_sync.sync(event.id, now=NOW + timedelta(seconds=61))
    again = teams_sync.sync(event.id, now=NOW + timedelta(seconds=120))

    assert (early.told, settled.told, again.told) == (0, 1, 0)
    dms = list(OutboundMessage.objects.filter(member_id=ana.id))
    assert [dm.idempotency_key for dm in dms] == [f"team-member:{placed.id}:told"]
    assert dms[0].payload["content"].startswith(f"You are in team **Blue** for **{event.title}**")

    services.remove(event.id, ana.id, guild_id=None, now=NOW)

    assert OutboundMessage.objects.filter(member_id=ana.id).count() == 2
    removed = OutboundMessage.objects.get(idempotency_key=f"team-member:{placed.id}:removed")
    assert removed.payload["content"].startswith("You are no longer in team **Blue**")


def test_the_event_post_lists_the_teams_in_its_footer():
    from core import hooks

    event = EventFactory()
    red = services.create_team(event.id, "Red", guild_id=None, now=NOW)
    services.create_team(event.id, "Blue", guild_id=None, now=NOW)
    ana = going(event, username="ana", display_name="Ana")
    services.place(event.id, red.id, ana.id, guild_id=None, now=NOW)

    assert hooks.post_extras(event.id, NOW).footer[-3:] == ["Teams:", "Red (1): Ana", "Blue (0): -"]
    assert hooks.post_extras(EventFactory().id, NOW).footer == []
