"""Team roles, private threads or channels and voice channels (teams.spaces) against the
Discord sandbox: they follow team changes, are cleaned up after a day's warning, and nothing is
made without the permissions it needs (the organiser told once, in one sentence)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import personal_data
from core.errors import RuleError
from core.models import Guild, OutboundMessage
from events.models import Event, Registration
from sandbox.discord import permissions as P
from teams import services, spaces
from teams import sync as teams_sync
from teams.models import Team, TeamLeftover, TeamMember, TeamPlace, TeamSpaces
from tests.core.conftest import member

pytestmark = pytest.mark.django_db
SEQ = iter(range(10**12, 10**13))


@pytest.fixture(autouse=True)
def no_window(settings):
    settings.TEAM_NOTICE_WINDOW_S = 0


def event_of(guild, *, hours=24, title="Relay") -> Event:
    return Event.objects.create(
        guild=guild,
        title=title,
        starts_at=timezone.now() + timedelta(hours=hours),
        channel_id=guild.announcement_channel_id,
    )


def go(event, *member_ids):
    for member_id in member_ids:
        Registration.objects.create(event=event, member_id=member_id, status="going", sequence=next(SEQ))


def team(event, name) -> Team:
    return services.create_team(event.id, name, guild_id=None, now=timezone.now())


def put(event, team_, member_id):
    services.place(event.id, team_.id, member_id, guild_id=None, now=timezone.now())


def sync(event, at=None):
    return teams_sync.sync(event.id, now=at or timezone.now())


def roles_of(live_discord, member_id) -> set[int]:
    return set(map(int, live_discord.control.member(live_discord.guild_id, member_id)["roles"]))


def sees(live_discord, channel_id, member_id) -> bool:
    return live_discord.control.permissions_in(channel_id, member_id)["view_channel"]


def thread_members(live_discord, thread_id) -> set[int]:
    found = live_discord.control.thread(thread_id)
    return set(map(int, found["members"])) - {int(found["owner_id"])}


def test_each_team_gets_a_role_a_private_thread_and_a_voice_channel_that_follow_it(live_discord, guild, organiser):
    ana, ben, cleo = (member(live_discord, guild, n) for n in ("ana", "ben", "cleo"))
    event = event_of(guild)
    go(event, ana, ben, cleo)
    red, blue = team(event, "Red"), team(event, "Blue")
    put(event, red, ana)
    put(event, red, ben)
    put(event, blue, cleo)
    spaces.configure(event.id, member_id=organiser.id, role=True, room="thread", voice=True)

    done = sync(event)

    red.refresh_from_db()
    blue.refresh_from_db()
    assert (done.made, done.added) == (6, 9)
    roles = {int(r["id"]): r for r in live_discord.control.guild(guild.id)["roles"]}
    assert (roles[red.role_id]["name"], roles[red.role_id]["mentionable"]) == ("Red", True)
    assert red.role_id in roles_of(live_discord, ana) and red.role_id not in roles_of(live_discord, cleo)
    thread = live_discord.control.thread(red.thread_id)
    assert (thread["type"], thread["parent_id"], thread["name"]) == (12, str(live_discord.channel_id), "Red")
    assert thread_members(live_discord, red.thread_id) == {ana, ben}
    assert [sees(live_discord, red.voice_channel_id, m) for m in (ana, ben, cleo)] == [True, True, False]
    assert sees(live_discord, blue.voice_channel_id, cleo)

    put(event, blue, ben)  # ben moves to Blue
    services.remove(event.id, cleo, guild_id=None, now=timezone.now())
    again = sync(event)

    assert (again.added, again.removed) == (3, 6)
    assert thread_members(live_discord, red.thread_id) == {ana}
    assert thread_members(live_discord, blue.thread_id) == {ben}
    assert roles_of(live_discord, ben) & {red.role_id, blue.role_id} == {blue.role_id}
    assert roles_of(live_discord, cleo) & {red.role_id, blue.role_id} == set()
    assert [sees(live_discord, red.voice_channel_id, m) for m in (ana, ben)] == [True, False]
    assert [sees(live_discord, blue.voice_channel_id, m) for m in (ben, cleo)] == [True, False]
    assert sync(event).writes == 0  # nothing asked twice


def test_a_private_text_channel_admits_the_team_and_the_organiser_role(live_discord, guild, organiser):
    role = live_discord.control.create_role(guild.id, "Organisers")
    Guild.objects.filter(id=guild.id).update(organiser_role_id=int(role["id"]))
    olivia = member(live_discord, guild, "olive")
    live_discord.control.update_member(guild.id, olivia, roles=[role["id"]])
    ana, ben = member(live_discord, guild, "ana"), member(live_discord, guild, "ben")
    event = event_of(guild)
    go(event, ana, ben)
    red = team(event, "Red Bulls")
    put(event, red, ana)
    spaces.configure(event.id, member_id=organiser.id, room="channel")

    sync(event)

    red.refresh_from_db()
    channel = next(c for c in live_discord.control.guild(guild.id)["channels"] if int(c["id"]) == red.thread_id)
    assert (channel["name"], channel["type"]) == (f"red-bulls-{red.id}", 0)
    assert [sees(live_discord, red.thread_id, m) for m in (ana, ben, olivia)] == [True, False, True]
    welcome = OutboundMessage.objects.get(idempotency_key=f"team:{red.id}:welcome")
    assert welcome.channel_id == red.thread_id


def test_a_member_who_stops_going_is_let_out(live_discord, guild, organiser):
    from events.services import respond

    ana = member(live_discord, guild, "ana")
    event = event_of(guild)
    go(event, ana)
    red = team(event, "Red")
    put(event, red, ana)
    spaces.configure(event.id, member_id=organiser.id, role=True)
    sync(event)
    red.refresh_from_db()
    assert red.role_id in roles_of(live_discord, ana)

    respond(event.id, ana, "declined", sequence=next(SEQ), now=timezone.now())
    sync(event)

    assert red.role_id not in roles_of(live_discord, ana)
    assert TeamPlace.objects.count() == 0


def let_in_everywhere(live_discord, guild, organiser, **when) -> tuple[Event, Team, int, int]:
    """ana and ben in Red, holding its role, its private thread and its voice channel."""
    ana, ben = member(live_discord, guild, "ana"), member(live_discord, guild, "ben")
    event = event_of(guild, **when)
    go(event, ana, ben)
    red = team(event, "Red")
    put(event, red, ana)
    put(event, red, ben)
    spaces.configure(event.id, member_id=organiser.id, role=True, room="thread", voice=True)
    sync(event)
    red.refresh_from_db()
    assert red.role_id in roles_of(live_discord, ana) and thread_members(live_discord, red.thread_id) == {ana, ben}
    assert sees(live_discord, red.voice_channel_id, ana)
    return event, red, ana, ben


def test_forget_me_takes_the_team_role_thread_and_voice_channel_away_at_the_next_sync(live_discord, guild, organiser):
    event, red, ana, ben = let_in_everywhere(live_discord, guild, organiser)

    personal_data.forget(ana, now=timezone.now())
    done = sync(event)

    assert done.removed == 3
    assert red.role_id not in roles_of(live_discord, ana)
    assert thread_members(live_discord, red.thread_id) == {ben}
    assert [sees(live_discord, red.voice_channel_id, m) for m in (ana, ben)] == [False, True]
    assert list(TeamPlace.objects.filter(member_id=ana)) == []
    assert [title for title, _ in personal_data.summary(ana)] == ["Server memberships"]
    assert TeamPlace.objects.filter(member_id=ben).count() == 3


def test_forget_me_after_the_event_takes_the_access_away_before_the_cleanup(live_discord, guild, organiser):
    event, red, ana, ben = let_in_everywhere(live_discord, guild, organiser)
    cleo = member(live_discord, guild, "cleo")
    go(event, cleo)
    after = spaces.event_end(event) + timedelta(hours=1)
    put(event, red, cleo)  # placed once it is over: no longer let in

    personal_data.forget(ana, now=after)
    done = sync(event, after)

    assert (done.removed, done.added, done.closed) == (3, 0, False)
    assert red.role_id not in roles_of(live_discord, ana) | roles_of(live_discord, cleo)
    assert thread_members(live_discord, red.thread_id) == {ben}
    assert not sees(live_discord, red.voice_channel_id, ana)
    assert list(TeamPlace.objects.filter(member_id=ana)) == []


def test_access_left_to_take_away_brings_the_event_back_to_the_beat(live_discord, guild, organiser):
    event, red, ana, _ben = let_in_everywhere(live_discord, guild, organiser)
    later = timezone.now() + timedelta(days=1)  # every notice window has passed; the event still runs
    assert event.id not in spaces.due(now=later)

    TeamMember.objects.filter(member_id=ana).delete()  # she left the team, and the sync it asked for was lost

    assert spaces.due(now=later) == [event.id]
    assert sync(event, later).removed == 3
    assert event.id not in spaces.due(now=later)
    assert red.role_id not in roles_of(live_discord, ana)


def test_a_renamed_team_renames_its_role_and_channels_and_a_deleted_one_takes_them_away(live_discord, guild, organiser):
    ana = member(live_discord, guild, "ana")
    event = event_of(guild)
    go(event, ana)
    red = team(event, "Red")
    put(event, red, ana)
    spaces.configure(event.id, member_id=organiser.id, role=True, voice=True)
    sync(event)
    red.refresh_from_db()

    services.rename_team(red.id, "Crimson", guild_id=None, now=timezone.now())
    assert sync(event).renamed == 1

    roles = {int(r["id"]): r["name"] for r in live_discord.control.guild(guild.id)["roles"]}
    channels = {int(c["id"]): c["name"] for c in live_discord.control.guild(guild.id)["channels"]}
    assert (roles[red.role_id], channels[red.voice_channel_id]) == ("Crimson", "Crimson")

    services.delete_team(red.id, guild_id=None, now=timezone.now())
    done = sync(event)

    assert done.deleted == 2
    assert red.role_id not in {int(r["id"]) for r in live_discord.control.guild(guild.id)["roles"]}
    assert red.voice_channel_id not in {int(c["id"]) for c in live_discord.control.guild(guild.id)["channels"]}
    assert TeamLeftover.objects.count() == 0
    [dm] = OutboundMessage.objects.filter(idempotency_key__endswith=":removed")
    assert dm.member_id == ana and dm.payload["content"].startswith("You are no longer in team **Crimson**")


def test_cleanup_warns_a_day_before_then_archives_and_deletes(live_discord, guild, organiser):
    ana = member(live_discord, guild, "ana")
    event = event_of(guild)
    go(event, ana)
    red = team(event, "Red")
    put(event, red, ana)
    spaces.configure(event.id, member_id=organiser.id, role=True, room="thread", voice=True)
    sync(event)
    red.refresh_from_db()
    end = spaces.event_end(event)

    sync(event, end + timedelta(hours=12))  # over; the cleanup is two days after the end
    assert TeamSpaces.objects.get(event=event).warned_at is None

    warn_time = end + timedelta(days=1, minutes=1)
    assert event.id in spaces.due(now=warn_time)
    sync(event, warn_time)
    [warning] = OutboundMessage.objects.filter(idempotency_key__startswith=f"team-spaces:{event.id}:warning:")
    assert warning.channel_id == red.thread_id
    assert warning.payload["content"].startswith(
        "Relay is over: its team threads are archived (they stay readable); team voice channels are deleted; "
        "team roles are removed <t:"
    )
    assert live_discord.control.thread(red.thread_id)["archived"] is False

    close_time = end + timedelta(days=2, minutes=1)
    done = sync(event, close_time)

    assert done.closed
    assert live_discord.control.thread(red.thread_id)["archived"] is True
    assert red.role_id not in {int(r["id"]) for r in live_discord.control.guild(guild.id)["roles"]}
    assert red.voice_channel_id not in {int(c["id"]) for c in live_discord.control.guild(guild.id)["channels"]}
    assert TeamSpaces.objects.get(event=event).closed_at == close_time
    assert event.id not in spaces.due(now=close_time + timedelta(days=1))


def test_a_late_warning_holds_the_cleanup_back_a_day(live_discord, guild, organiser):
    event = event_of(guild)
    red = team(event, "Red")
    spaces.configure(event.id, member_id=organiser.id, role=True)
    sync(event)
    red.refresh_from_db()
    late = spaces.event_end(event) + timedelta(days=3)  # workers were down when the warning was due

    first = sync(event, late)

    assert not first.closed
    [warning] = OutboundMessage.objects.filter(idempotency_key__startswith=f"team-spaces:{event.id}:warning:")
    assert warning.channel_id == event.channel_id  # no team threads: the event's channel is warned
    assert sync(event, late + timedelta(days=1)).closed


def test_without_manage_roles_nothing_is_made_and_the_organiser_is_told_once(live_discord, organiser):
    bare = live_discord.control.create_guild("Bare", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_ROLES)
    guild = Guild.objects.create(
        id=int(bare["id"]), name="Bare", announcement_channel_id=int(bare["channels"][0]["id"])
    )
    event = event_of(guild)
    team(event, "Red")

    with pytest.raises(RuleError, match=r"^Muster cannot make the team roles of Relay: give its role Manage Roles"):
        spaces.configure(event.id, member_id=organiser.id, role=True)

    spaces.configure(event.id, member_id=organiser.id, role=True, check=False)  # the dashboard cannot ask
    sync(event)
    sync(event)

    sentence = (
        "Muster cannot make the team roles of Relay: give its role Manage Roles (Server Settings, Roles); "
        "it tries again by itself."
    )
    assert TeamSpaces.objects.get(event=event).problem == sentence
    assert Team.objects.get(event=event).role_id is None
    [dm] = OutboundMessage.objects.filter(member_id=organiser.id)
    assert (dm.idempotency_key, dm.payload["content"]) == (f"team-spaces:{event.id}:problem:1", sentence)


def test_a_team_role_above_the_bots_is_reported_in_one_sentence(live_discord, guild, organiser):
    ana = member(live_discord, guild, "ana")
    event = event_of(guild)
    go(event, ana)
    red = team(event, "Red")
    spaces.configure(event.id, member_id=organiser.id, role=True)
    sync(event)
    red.refresh_from_db()
    live_discord.control.update_role(guild.id, red.role_id, position=50)  # someone dragged it above Muster's
    put(event, red, ana)

    sync(event)
    sync(event)

    sentence = (
        "Muster cannot hand out the team roles of Relay: drag Muster's role above them (Server Settings, Roles); "
        "it tries again by itself."
    )
    assert TeamSpaces.objects.get(event=event).problem == sentence
    assert red.role_id not in roles_of(live_discord, ana)
    assert OutboundMessage.objects.filter(member_id=organiser.id, idempotency_key__contains=":problem:").count() == 1


def test_private_threads_need_create_private_threads_in_the_events_channel(live_discord, organiser):
    bare = live_discord.control.create_guild("Bare", bot_permissions=P.DEFAULT_BOT & ~P.CREATE_PRIVATE_THREADS)
    guild = Guild.objects.create(
        id=int(bare["id"]), name="Bare", announcement_channel_id=int(bare["channels"][0]["id"])
    )
    event = event_of(guild)

    with pytest.raises(RuleError, match=r"give its role Create Private Threads in the post's channel"):
        spaces.configure(event.id, member_id=organiser.id, room="thread")


def test_a_role_made_whose_answer_was_lost_is_adopted_not_made_twice(live_discord, guild, organiser):
    from teams.models import TeamCreating

    event = event_of(guild)
    red = team(event, "Red")
    spaces.configure(event.id, member_id=organiser.id, role=True)
    sync(event)
    red.refresh_from_db()
    made = red.role_id
    Team.objects.filter(id=red.id).update(role_id=None)
    TeamCreating.objects.create(team=red, kind="role", since=timezone.now())

    sync(event)

    assert Team.objects.get(id=red.id).role_id == made
    assert [r["name"] for r in live_discord.control.guild(guild.id)["roles"]].count("Red") == 1


def test_a_sync_asked_for_while_another_runs_becomes_its_next_pass(guild):
    event = event_of(guild)
    TeamSpaces.objects.create(event=event, guild=guild, sync_claimed_at=timezone.now())

    assert teams_sync.sync(event.id, now=timezone.now()).claimed is False
    assert TeamSpaces.objects.get(event=event).resync is True


def test_what_is_made_stays_until_the_cleanup(live_discord, guild, organiser):
    event = event_of(guild)
    team(event, "Red")
    spaces.configure(event.id, member_id=organiser.id, voice=True)
    sync(event)

    with pytest.raises(RuleError, match=r"^The teams' voice channels are already made; they are removed after"):
        spaces.configure(event.id, member_id=organiser.id, voice=False)


def test_the_beat_finds_only_events_with_work(live_discord, guild, organiser, settings):
    settings.TEAM_NOTICE_WINDOW_S = 60
    event = event_of(guild)
    quiet = event_of(guild, title="Quiet")
    ana = member(live_discord, guild, "ana")
    go(event, ana)
    red = team(event, "Red")
    team(quiet, "Blue")
    put(event, red, ana)
    now = timezone.now()

    assert spaces.due(now=now) == []  # ana's DM waits for the window; nothing else to do
    assert spaces.due(now=now + timedelta(seconds=61)) == [event.id]
    sync(event, now + timedelta(seconds=61))
    assert spaces.due(now=now + timedelta(seconds=62)) == []

    spaces.configure(quiet.id, member_id=organiser.id, role=True)
    assert spaces.due(now=now + timedelta(seconds=62)) == [quiet.id]  # its role is to be made
    end = spaces.event_end(event)
    assert spaces.due(now=end + timedelta(hours=12)) == []  # over; nothing until the warning
    assert spaces.due(now=end + timedelta(days=1, minutes=1)) == [event.id, quiet.id]


def test_an_event_whose_teams_are_in_discord_is_not_deleted_but_cancelled(live_discord, guild, organiser):
    from events import services as events

    event = event_of(guild)
    team(event, "Red")
    assert events.deletion_refusal(event, now=timezone.now()) == ""
    spaces.configure(event.id, member_id=organiser.id, role=True)
    sync(event)

    sentence = (
        "Relay's teams have their roles or channels in Discord: cancel the event instead, and Muster cleans "
        "them up 2 days after it, with a warning a day before; then it can be deleted."
    )
    assert events.deletion_refusal(event, now=timezone.now()) == sentence
    with pytest.raises(RuleError, match=r"^Relay's teams have their roles or channels in Discord"):
        events.delete_event(event.id, now=timezone.now())
    assert Team.objects.filter(event=event).exists()


def test_a_sync_stops_at_its_write_budget_and_the_next_one_goes_on(live_discord, guild, organiser):
    members = [member(live_discord, guild, n) for n in ("ana", "ben", "cleo")]
    event = event_of(guild)
    go(event, *members)
    red = team(event, "Red")
    for member_id in members:
        put(event, red, member_id)
    spaces.configure(event.id, member_id=organiser.id, role=True)

    first = teams_sync.sync(event.id, now=timezone.now(), writes=2)
    rest = teams_sync.sync(event.id, now=timezone.now(), writes=2)
    last = teams_sync.sync(event.id, now=timezone.now(), writes=2)

    assert [(d.writes, d.more) for d in (first, rest, last)] == [(2, True), (2, False), (0, False)]
    red.refresh_from_db()
    assert all(red.role_id in roles_of(live_discord, m) for m in members)


def test_a_thread_made_whose_answer_was_lost_is_adopted_not_made_twice(live_discord, guild, organiser):
    from teams.models import TeamCreating

    event = event_of(guild)
    red = team(event, "Red")
    spaces.configure(event.id, member_id=organiser.id, room="thread")
    sync(event)
    red.refresh_from_db()
    made = red.thread_id
    Team.objects.filter(id=red.id).update(thread_id=None)
    TeamCreating.objects.create(team=red, kind="room", since=timezone.now())

    sync(event)

    assert Team.objects.get(id=red.id).thread_id == made
    assert [t["name"] for t in live_discord.control.threads(live_discord.channel_id)] == ["Red"]
