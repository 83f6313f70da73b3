"""Event threads (events.spaces) against the Discord sandbox: the thread follows the
registrations, news is coalesced, cleanup is warned a day before, and nothing is made
without the permissions it needs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core import outbox
from core.errors import RuleError
from core.models import Guild, GuildMember, OutboundMessage
from events import services, spaces
from events.discord import messages
from events.models import Event, EventSpace, SpaceKind, SpaceMember
from events.services import EventDraft
from sandbox.discord import permissions as P
from tests.core.conftest import member

pytestmark = pytest.mark.django_db

SEQ = iter(range(10**12, 10**13))


def make(guild, organiser, *, title="Picnic", hours=24, capacity=None, **space) -> Event:
    draft = EventDraft(title=title, starts_at=timezone.now() + timedelta(hours=hours), capacity=capacity)
    event = services.create_event(guild, draft, now=timezone.now(), created_by_id=organiser.id, reminder_offsets=())
    post = OutboundMessage.objects.get(idempotency_key=messages.post_key(event))
    outbox.deliver(post.id)  # the post reaches Discord: the thread starts from it
    if space:
        spaces.configure(event.id, member_id=organiser.id, **space)
    return event


def go(event, member_id, choice="going", **kw):
    return services.respond(event.id, member_id, choice, sequence=next(SEQ), now=timezone.now(), **kw)


def sync(event, at=None):
    return spaces.sync(event.id, now=at or timezone.now())


def thread_of(live_discord, event) -> dict:
    space = EventSpace.objects.get(event=event)
    return live_discord.control.thread(space.channel_id)


def posted(channel_id) -> list[str]:
    return [
        m.payload["content"]
        for m in OutboundMessage.objects.filter(channel_id=channel_id).order_by("id")
        if m.idempotency_key.startswith("event-space:")
    ]


def test_a_thread_from_the_post_holds_exactly_the_members_going(live_discord, guild, organiser):
    ana, ben, cleo = (member(live_discord, guild, n) for n in ("ana", "ben", "cleo"))
    event = make(guild, organiser, capacity=2, kind=SpaceKind.THREAD)
    go(event, ana)
    go(event, ben)
    go(event, cleo)  # waitlisted: not in the thread

    done = sync(event)

    event.refresh_from_db()
    thread = thread_of(live_discord, event)
    assert (done.made, done.added) == (1, 2)
    assert int(thread["id"]) == event.message_id  # started from the post
    assert thread["parent_id"] == str(live_discord.channel_id)
    assert set(map(int, thread["members"])) - {int(thread["owner_id"])} == {ana, ben}

    go(event, ben, "declined")  # Cleo moves up
    again = sync(event)

    thread = thread_of(live_discord, event)
    assert (again.added, again.removed) == (1, 1)
    assert set(map(int, thread["members"])) - {int(thread["owner_id"])} == {ana, cleo}
    assert set(SpaceMember.objects.values_list("member_id", flat=True)) == {ana, cleo}
    assert sync(event).writes == 0  # nothing left to do: nothing asked twice


def test_the_waitlist_is_let_in_when_chosen(live_discord, guild, organiser):
    ana, ben = member(live_discord, guild, "ana"), member(live_discord, guild, "ben")
    event = make(guild, organiser, capacity=1, kind=SpaceKind.THREAD, include_waitlist=True)
    go(event, ana)
    go(event, ben)

    sync(event)

    thread = thread_of(live_discord, event)
    assert {ana, ben} <= set(map(int, thread["members"]))


def test_the_guild_default_gives_new_events_a_thread(live_discord, guild, organiser):
    spaces.set_defaults(guild, kind=SpaceKind.THREAD)
    ana = member(live_discord, guild, "ana")
    event = make(guild, organiser)
    go(event, ana)

    sync(event)

    space = EventSpace.objects.get(event=event)
    assert (space.kind, space.requested_by_id, space.cleanup_after) == ("thread", organiser.id, timedelta(days=2))
    assert ana in set(map(int, thread_of(live_discord, event)["members"]))
    with pytest.raises(RuleError, match="1 to 30 days"):
        spaces.set_defaults(guild, cleanup_after=timedelta(hours=3))


def test_registration_changes_are_announced_together_once_per_window(live_discord, guild, organiser, settings):
    ana, ben, cleo, dan = (member(live_discord, guild, n) for n in ("ana", "ben", "cleo", "dan"))
    event = make(guild, organiser, capacity=2, kind=SpaceKind.THREAD)
    sync(event)
    space = EventSpace.objects.get(event=event)
    go(event, ana)
    go(event, ben)
    go(event, cleo)  # waitlisted
    go(event, dan)  # waitlisted
    go(event, dan, "declined")  # changed their mind within the window: nothing to say
    go(event, ben, "declined")  # Cleo moves up

    sync(event)  # within the window: members follow at once, the news waits
    event.refresh_from_db()
    assert posted(space.channel_id) == [spaces.welcome_text(event, space)]

    later = timezone.now() + timedelta(seconds=settings.EVENT_SPACE_NEWS_WINDOW_S + 1)
    sync(event, later)
    sync(event, later)

    news = posted(space.channel_id)[1:]
    assert news == [f"<@{ana}> is going; <@{cleo}> moved up from the waitlist."]
    [row] = OutboundMessage.objects.filter(idempotency_key__startswith=f"event-space:{event.id}:news:")
    assert row.payload["allowed_mentions"] == {"parse": []}  # named, not pinged


def test_news_text_groups_members_by_what_happened(db):
    from events.models import SpaceNews

    def n(member_id, old, new):
        return SpaceNews(member_id=member_id, old=old, new=new)

    text = spaces.news_text([n(1, "", "going"), n(2, "", "going"), n(3, "going", "declined"), n(4, "", "waitlisted")])
    assert text == "<@1> and <@2> are going; <@4> is on the waitlist; <@3> is no longer going."
    assert spaces.news_text([n(1, "", "going"), n(1, "going", "declined"), n(1, "declined", "")]) == ""


def test_cleanup_warns_a_day_before_then_archives(live_discord, guild, organiser):
    ana = member(live_discord, guild, "ana")
    event = make(guild, organiser, kind=SpaceKind.THREAD)
    go(event, ana)
    sync(event)
    space = EventSpace.objects.get(event=event)
    end = spaces.event_end(event)

    sync(event, end + timedelta(hours=12))  # the event is over; cleanup is 2 days after its end
    assert EventSpace.objects.get(event=event).warned_at is None
    assert spaces.due(now=end + timedelta(hours=12)) == []

    warn_time = end + timedelta(days=1, minutes=1)
    assert spaces.due(now=warn_time) == [event.id]
    sync(event, warn_time)
    space.refresh_from_db()
    assert space.warned_at == warn_time
    [warning] = [t for t in posted(space.channel_id) if "will be archived" in t]
    assert warning.startswith("This thread will be archived <t:")
    assert thread_of(live_discord, event)["archived"] is False

    close_time = end + timedelta(days=2, minutes=1)
    done = sync(event, close_time)

    assert done.closed
    assert thread_of(live_discord, event)["archived"] is True
    assert EventSpace.objects.get(event=event).closed_at == close_time
    assert spaces.due(now=close_time + timedelta(days=1)) == []


def test_a_late_warning_holds_the_cleanup_back_a_day(live_discord, guild, organiser):
    event = make(guild, organiser, kind=SpaceKind.THREAD)
    sync(event)
    end = spaces.event_end(event)

    late = end + timedelta(days=3)  # the workers were down when the warning was due
    first = sync(event, late)
    assert not first.closed
    assert EventSpace.objects.get(event=event).warned_at == late
    assert thread_of(live_discord, event)["archived"] is False

    assert sync(event, late + timedelta(days=1)).closed


def test_without_manage_threads_nothing_is_made_and_the_organiser_is_told_once(live_discord, organiser):
    bare = live_discord.control.create_guild("Bare", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_THREADS)
    channel_id = int(bare["channels"][0]["id"])
    guild = Guild.objects.create(id=int(bare["id"]), name="Bare", announcement_channel_id=channel_id)
    event = make(guild, organiser)

    with pytest.raises(RuleError, match="give its role Manage Threads"):
        spaces.configure(event.id, member_id=organiser.id, kind=SpaceKind.THREAD)

    spaces.configure(event.id, member_id=organiser.id, kind=SpaceKind.THREAD, check=False)  # e.g. a guild default
    sync(event)
    sync(event)

    sentence = (
        "Muster cannot make the thread of Picnic: give its role Manage Threads in the post's channel "
        "(Server Settings, Roles); it tries again by itself."
    )
    space = EventSpace.objects.get(event=event)
    assert (space.channel_id, space.problem) == (None, sentence)
    assert live_discord.control.threads(guild.announcement_channel_id) == []
    [dm] = OutboundMessage.objects.filter(member_id=organiser.id)
    assert (dm.idempotency_key, dm.payload["content"]) == (f"event-space:{event.id}:problem:1", sentence)


def test_a_channel_overwrite_that_takes_away_thread_creation_is_seen(live_discord, guild, organiser):
    bot_role = next(r for r in live_discord.control.guild(guild.id)["roles"] if r.get("tags", {}).get("bot_id"))
    overwrite = {"id": bot_role["id"], "type": 0, "allow": "0", "deny": str(P.CREATE_PUBLIC_THREADS)}
    live_discord.control.update_channel(live_discord.channel_id, permission_overwrites=[overwrite])
    event = make(guild, organiser)

    with pytest.raises(RuleError, match=r"give its role Create Public Threads in the post's channel"):
        spaces.configure(event.id, member_id=organiser.id, kind=SpaceKind.THREAD)


def test_a_thread_made_whose_answer_was_lost_is_adopted_not_made_twice(live_discord, guild, organiser):
    ana = member(live_discord, guild, "ana")
    event = make(guild, organiser, kind=SpaceKind.THREAD)
    sync(event)
    EventSpace.objects.filter(event=event).update(channel_id=None, channel_creating_since=timezone.now())
    go(event, ana)

    sync(event)

    event.refresh_from_db()
    assert EventSpace.objects.get(event=event).channel_id == event.message_id
    assert len(live_discord.control.threads(live_discord.channel_id)) == 1
    assert ana in set(map(int, thread_of(live_discord, event)["members"]))


def test_the_thread_waits_for_the_post(live_discord, guild, organiser):
    draft = EventDraft(title="Picnic", starts_at=timezone.now() + timedelta(hours=24))
    event = services.create_event(guild, draft, now=timezone.now(), created_by_id=organiser.id, reminder_offsets=())
    spaces.configure(event.id, member_id=organiser.id, kind=SpaceKind.THREAD)

    done = sync(event)

    assert (done.made, done.more) == (0, True)
    assert live_discord.control.threads(live_discord.channel_id) == []


def test_a_sync_asked_for_while_another_runs_becomes_its_next_pass(guild, organiser):
    event = Event.objects.create(guild=guild, title="Picnic", starts_at=timezone.now() + timedelta(days=1))
    EventSpace.objects.create(event=event, guild=guild, kind=SpaceKind.THREAD, sync_claimed_at=timezone.now())

    assert spaces.sync(event.id, now=timezone.now()).claimed is False
    assert EventSpace.objects.get(event=event).resync is True


def test_a_thread_already_made_is_not_turned_into_a_channel(live_discord, guild, organiser):
    event = make(guild, organiser, kind=SpaceKind.THREAD)
    sync(event)

    with pytest.raises(RuleError, match="already has a thread"):
        spaces.configure(event.id, member_id=organiser.id, kind=SpaceKind.CHANNEL)


# --- /event defaults and /event edit ------------------------------------------------------------


def run(guild, who, command, **options):
    from tests.cast import Cast, handle

    membership = GuildMember.objects.get(guild=guild, member=who)
    cast = Cast(guild=guild, organiser=membership, member=membership, outsider=membership)
    return handle(cast.interaction(membership, command=command, options=options))


@pytest.fixture
def olivia(guild, organiser):
    GuildMember.objects.create(guild=guild, member=organiser, is_organiser=True)
    return organiser


def test_event_defaults_says_how_it_stands_and_sets_the_guilds_default(live_discord, guild, olivia):
    assert run(guild, olivia, "event defaults").content.startswith(
        "New events get no thread, channel or attendee role."
    )

    answer = run(guild, olivia, "event defaults", space="thread", include_waitlist=True, cleanup_days=3)

    assert answer.content == (
        "New events get a thread under its post for members going and the waitlist, cleaned up 3 days after "
        "the event (with a warning a day before). `/event edit` changes one event."
    )
    chosen = spaces.defaults(guild.id)
    assert (chosen.kind, chosen.include_waitlist, chosen.cleanup_after) == ("thread", True, timedelta(days=3))


def test_event_edit_gives_one_event_a_thread(live_discord, guild, olivia):
    event = make(guild, olivia)

    answer = run(guild, olivia, "event edit", event=event.id, space="thread")

    assert re.fullmatch(r"\S*\*\*Picnic\*\*\S*: A thread \(being made\); cleaned up <t:\d+:R>\.", answer.content)
    assert EventSpace.objects.get(event=event).kind == SpaceKind.THREAD


def test_event_edit_space_is_refused_in_one_sentence_without_the_permission(live_discord, olivia):
    bare = live_discord.control.create_guild("Bare", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_THREADS)
    channel_id = int(bare["channels"][0]["id"])
    guild = Guild.objects.create(id=int(bare["id"]), name="Bare", announcement_channel_id=channel_id)
    GuildMember.objects.create(guild=guild, member=olivia, is_organiser=True)
    event = make(guild, olivia)

    with pytest.raises(RuleError, match=r"^Muster cannot make the thread of Picnic: give its role Manage Threads"):
        run(guild, olivia, "event edit", event=event.id, space="thread")

    assert not EventSpace.objects.filter(event=event).exists()


# --- the private channel and the attendee role ---------------------------------------------------


def overwrites(live_discord, channel_id) -> dict[int, dict]:
    channel = next(
        c for c in live_discord.control.guild(live_discord.guild_id)["channels"] if c["id"] == str(channel_id)
    )
    return {int(o["id"]): o for o in channel["permission_overwrites"]}


def test_a_private_channel_in_the_category_admits_exactly_the_members_going(live_discord, guild, organiser):
    category = live_discord.control.create_channel(guild.id, "Events", type=4)
    ana, ben, cleo = (member(live_discord, guild, n) for n in ("ana", "ben", "cleo"))
    event = make(guild, organiser, capacity=2, kind=SpaceKind.CHANNEL, category_id=int(category["id"]))
    go(event, ana)
    go(event, ben)
    go(event, cleo)  # waitlisted

    sync(event)

    space = EventSpace.objects.get(event=event)
    assert live_discord.control.permissions_in(space.channel_id, ana)["view_channel"] is True
    assert live_discord.control.permissions_in(space.channel_id, cleo)["view_channel"] is False
    assert live_discord.control.permissions_in(space.channel_id, live_discord.member_id)["view_channel"] is False
    found = overwrites(live_discord, space.channel_id)
    assert int(found[guild.id]["deny"]) & P.VIEW_CHANNEL
    assert set(found) == {guild.id, spaces._bot_id(spaces.get_client()), ana, ben}
    channel = live_discord.control.guild(guild.id)["channels"]
    assert next(c for c in channel if c["id"] == str(space.channel_id))["parent_id"] == category["id"]

    go(event, ana, "declined")  # Cleo moves up
    sync(event)

    assert live_discord.control.permissions_in(space.channel_id, ana)["view_channel"] is False
    assert live_discord.control.permissions_in(space.channel_id, cleo)["view_channel"] is True

    end = spaces.event_end(event)
    sync(event, end + timedelta(days=1, minutes=1))
    assert any("This channel will be deleted" in text for text in posted(space.channel_id))
    assert sync(event, end + timedelta(days=2, minutes=1)).closed
    assert str(space.channel_id) not in {c["id"] for c in live_discord.control.guild(guild.id)["channels"]}


def test_without_manage_roles_no_channel_is_made_that_could_not_be_filled(live_discord, organiser):
    bare = live_discord.control.create_guild("Bare", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_ROLES)
    channel_id = int(bare["channels"][0]["id"])
    guild = Guild.objects.create(id=int(bare["id"]), name="Bare", announcement_channel_id=channel_id)
    event = make(guild, organiser)
    names = {c["name"] for c in live_discord.control.guild(guild.id)["channels"]}

    with pytest.raises(
        RuleError, match=r"^Muster cannot make the private channel of Picnic: give its role Manage Roles"
    ):
        spaces.configure(event.id, member_id=organiser.id, kind=SpaceKind.CHANNEL)
    spaces.configure(event.id, member_id=organiser.id, kind=SpaceKind.CHANNEL, check=False)
    sync(event)

    assert {c["name"] for c in live_discord.control.guild(guild.id)["channels"]} == names
    assert EventSpace.objects.get(event=event).problem.startswith("Muster cannot make the private channel of Picnic")


def test_members_going_hold_the_attendee_role_until_they_stop_and_it_goes_after_the_event(
    live_discord, guild, organiser
):
    ana, ben = member(live_discord, guild, "ana"), member(live_discord, guild, "ben")
    event = make(guild, organiser, attendee_role=True)
    go(event, ana)
    go(event, ben)

    sync(event)

    space = EventSpace.objects.get(event=event)
    role = next(r for r in live_discord.control.guild(guild.id)["roles"] if r["id"] == str(space.role_id))
    assert (role["name"], role["mentionable"]) == (f"Going: Picnic #{event.id}", True)
    assert str(space.role_id) in live_discord.control.member(guild.id, ana)["roles"]

    go(event, ana, "declined")
    sync(event)
    assert str(space.role_id) not in live_discord.control.member(guild.id, ana)["roles"]
    assert str(space.role_id) in live_discord.control.member(guild.id, ben)["roles"]

    assert sync(event, spaces.close_at(event, space) + timedelta(minutes=1)).closed  # no channel: nothing to warn in
    assert str(space.role_id) not in {r["id"] for r in live_discord.control.guild(guild.id)["roles"]}


def test_a_role_above_the_bots_is_reported_not_half_handed_out(live_discord, guild, organiser):
    ana = member(live_discord, guild, "ana")
    event = make(guild, organiser, attendee_role=True)
    sync(event)
    space = EventSpace.objects.get(event=event)
    live_discord.control.update_role(guild.id, space.role_id, position=50)  # someone dragged it above Muster
    go(event, ana)

    sync(event)

    space.refresh_from_db()
    assert space.problem.startswith("Muster cannot hand out Picnic's attendee role: drag Muster's role above it")
    assert str(space.role_id) not in live_discord.control.member(guild.id, ana)["roles"]
    assert OutboundMessage.objects.filter(member_id=organiser.id, idempotency_key__contains=":problem:").count() == 1


def test_new_occurrences_of_a_series_take_the_guild_default(live_discord, guild, organiser):
    from core.recurrence import parse_rule
    from events.series import SeriesPlan, create_series, materialise

    spaces.set_defaults(guild, kind=SpaceKind.THREAD)
    start = timezone.now() + timedelta(days=1)
    plan = SeriesPlan(rule=parse_rule("weekly"), reminder_offsets=(), timezone="UTC")
    made = create_series(guild, EventDraft(title="Training", starts_at=start), plan, now=timezone.now())
    materialise(now=timezone.now() + timedelta(days=14))

    occurrences = Event.objects.filter(series=made)
    assert occurrences.count() > 1
    assert EventSpace.objects.filter(event__in=occurrences, kind=SpaceKind.THREAD).count() == occurrences.count()
    assert set(spaces.due(now=timezone.now())) == set(occurrences.values_list("id", flat=True))


def test_event_show_mentions_the_events_thread_channel_and_role_while_they_are_there(live_discord, guild, olivia):
    plain = make(guild, olivia, title="Plain")
    event = make(guild, olivia, kind=SpaceKind.CHANNEL, attendee_role=True)
    threaded = make(guild, olivia, title="Threaded", kind=SpaceKind.THREAD)
    assert run(guild, olivia, "event show", event=event.id).content == ""  # nothing made yet
    sync(event)
    sync(threaded)
    space, thread = EventSpace.objects.get(event=event), EventSpace.objects.get(event=threaded)

    shown = run(guild, olivia, "event show", event=event.id)

    assert shown.content == f"Private channel: <#{space.channel_id}> · Attendee role: <@&{space.role_id}>"
    assert shown.allowed_mentions == {"parse": []} and shown.embeds  # the event's embed as before
    assert run(guild, olivia, "event show", event=threaded.id).content == f"Thread: <#{thread.channel_id}>"
    assert run(guild, olivia, "event show", event=plain.id).content == ""
    end = spaces.event_end(event)
    for each in (event, threaded):
        sync(each, end + timedelta(days=1, minutes=1))
        assert sync(each, end + timedelta(days=2, minutes=2)).closed
    assert run(guild, olivia, "event show", event=event.id).content == ""  # deleted: not mentioned
    assert run(guild, olivia, "event show", event=threaded.id).content == f"Thread: <#{thread.channel_id}> (archived)"


def test_deleting_waits_for_the_cleanup_that_cancelling_brings_and_leaves_nothing_in_discord(
    live_discord, guild, organiser
):
    ana = member(live_discord, guild, "ana")
    event = make(guild, organiser, kind=SpaceKind.CHANNEL, attendee_role=True)
    go(event, ana)
    sync(event)
    space = EventSpace.objects.get(event=event)
    with pytest.raises(RuleError, match=r"^Picnic has its private channel and attendee role in Discord: cancel"):
        services.delete_event(event.id, now=timezone.now())

    services.cancel_event(event.id, now=timezone.now())
    end = spaces.event_end(event)
    sync(event, end + timedelta(days=1, minutes=1))  # the warning
    assert sync(event, end + timedelta(days=2, minutes=2)).closed
    services.delete_event(event.id, now=timezone.now())

    assert not Event.objects.filter(id=event.id).exists()
    found = live_discord.control.guild(guild.id)
    assert str(space.channel_id) not in {c["id"] for c in found["channels"]}
    assert str(space.role_id) not in {r["id"] for r in found["roles"]}
