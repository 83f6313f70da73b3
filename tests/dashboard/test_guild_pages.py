"""The guild overview, events and polls pages, and their actions, as olivia uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OrganiserAction, OutboundMessage
from events.models import Event, Registration
from jira_sync.models import JiraSite
from polls.models import Poll
from polls.services import vote
from sheets_export.models import ExportTarget
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberFactory
from tests.polls.factories import PollFactory

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db
Status = Registration.Status
CHANNEL = 700_000_000_000_000_077


@pytest.fixture
def hq(world):
    guild = world.cast.guild
    guild.announcement_channel_id = CHANNEL
    guild.save()
    return guild


@pytest.fixture
def olivia(world, hq):
    return log_in(world, "olivia")


def soon(days=3):
    return timezone.now() + timedelta(days=days)


def test_the_overview_shows_bars_open_polls_and_what_needs_attention(world, hq, olivia):
    event = EventFactory(guild=hq, title="Picnic", starts_at=soon(), capacity=2, needs_rides=True)
    for status in (Status.GOING, Status.GOING, Status.WAITLISTED):
        RegistrationFactory(event=event, status=status)
    EventFactory(guild=world.cast.outsider.guild, title="Their party", starts_at=soon())
    poll = PollFactory(guild=hq, question="Where?", labels=["Park", "Beach"])
    vote(poll.id, poll.options.get(position=1).id, world.cast.member.member_id, now=timezone.now())
    closed_dm = MemberFactory(username="shy", display_name="Shy")
    OutboundMessage.objects.create(
        idempotency_key="dm-1", member=closed_dm, guild=hq, payload={}, status=OutboundMessage.Status.UNDELIVERABLE
    )
    OutboundMessage.objects.create(
        idempotency_key="post-1",
        channel_id=CHANNEL,
        guild=hq,
        payload={},
        status=OutboundMessage.Status.FAILED,
        last_error="Missing Access",
    )
    JiraSite.objects.create(
        guild=hq, name="Acme Jira", base_url="https://acme.example", failing_since=timezone.now(), last_error="401"
    )
    ExportTarget.objects.create(guild=hq, spreadsheet_id="sheet-1", last_error="The spreadsheet is gone.")

    page = olivia.get(f"/dashboard/g/{hq.id}/")
    assert page.status_code == 200
    [row] = page.context["events"]
    assert (row.event.title, row.bar.label) == ("Picnic", "2/2 going, 1 waiting")
    assert row.missing.no_ride == {"to": 2, "back": 2}
    [(shown_poll, results)] = page.context["polls"]
    assert shown_poll == poll
    assert [(r.label, r.votes, r.bar.label) for r in results] == [("Park", 1, "1 (100%)"), ("Beach", 0, "0 (0%)")]
    problems = page.context["problems"]
    assert (problems.dm_count, [m.username for m in problems.dm_members]) == (1, ["shy"])
    assert [p.last_error for p in problems.failed_posts] == ["Missing Access"]
    assert [s.name for s in problems.jira_sites] == ["Acme Jira"]
    assert [t.spreadsheet_id for t in problems.exports] == ["sheet-1"]
    html = page.content.decode()
    assert "Their party" not in html
    assert "<svg" in html and "2 without a ride there" in html


def test_creating_an_event_posts_it_and_logs_who_did_it(world, hq, olivia):
    url = f"/dashboard/g/{hq.id}/events/new/"
    form = {"title": "Board games", "start": "in 3 days", "capacity": "5", "reminders": "1h, 1d", "channel": CHANNEL}
    done = csrf_post(olivia, url, form)
    event = Event.objects.get(title="Board games")
    assert done.status_code == 302
    assert done["Location"] == f"/dashboard/g/{hq.id}/events/{event.id}/"
    assert (event.guild_id, event.capacity, event.channel_id) == (hq.id, 5, CHANNEL)
    assert event.created_by_id == world.cast.organiser.member_id
    assert sorted(event.reminders.values_list("offset", flat=True)) == [timedelta(hours=1), timedelta(days=1)]
    post = OutboundMessage.objects.get(idempotency_key__startswith="event-post:", channel_id=CHANNEL)
    assert post.guild_id == hq.id
    [action] = OrganiserAction.objects.filter(guild=hq)
    assert (action.actor, action.action, action.target) == (
        "Olivia",
        "created event",
        f"Board games (event {event.id})",
    )
    log = olivia.get(f"/dashboard/g/{hq.id}/log/")
    assert "created event" in log.content.decode()


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (
            {"title": "Late", "start": "2020-01-01 10:00"},
            "The start Wednesday 1 January 2020 10:00 (Europe/Paris) is in the past.",
        ),
        ({"title": "Odd", "start": "someday"}, "I could not read"),
        ({"title": "Big", "start": "in 3 days", "capacity": "100001"}, "The capacity can be at most 100000."),
        ({"title": "", "start": "in 3 days"}, "This field is required."),
        ({"title": "Where", "start": "in 3 days", "channel": "123"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(hq, olivia, form, error):
    page = csrf_post(olivia, f"/dashboard/g/{hq.id}/events/new/", {"channel": CHANNEL, **form})
    assert page.status_code == 400
    assert error in page.content.decode(), page.context["form"].errors
    assert not Event.objects.exists()


def test_editing_moves_the_event_and_says_registrants_are_told(world, hq, olivia):
    event = EventFactory(guild=hq, title="Picnic", starts_at=soon(), location="Park")
    RegistrationFactory(event=event, member=world.cast.member.member)
    url = f"/dashboard/g/{hq.id}/events/{event.id}/edit/"
    page = olivia.get(url)
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    data["needs_rides"] = "on" if data.pop("needs_rides") else ""
    data.pop("needs_rooms")
    done = csrf_post(olivia, url, {**data, "location": "Beach"})
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.location == "Beach"
    assert "Registrants will be told by DM." in olivia.get(done["Location"]).content.decode()
    unchanged = csrf_post(olivia, url, {**data, "location": "Beach"})
    assert unchanged.status_code == 400
    assert "Nothing to change: edit at least one field." in unchanged.content.decode()


def test_the_roster_lists_in_order_and_remove_promotes_the_waitlist(world, hq, olivia):
    event = EventFactory(guild=hq, starts_at=soon(), capacity=1)
    first = RegistrationFactory(event=event, status=Status.GOING)
    waiting = [RegistrationFactory(event=event, status=Status.WAITLISTED) for _ in range(2)]
    RegistrationFactory(event=event, status=Status.MAYBE)
    page = olivia.get(f"/dashboard/g/{hq.id}/events/{event.id}/")
    lists = {label: [r.member_id for r in rows] for label, _status, rows in page.context["lists"]}
    assert lists == {
        "Going": [first.member_id],
        "Waitlisted": [w.member_id for w in waiting],
        "Maybe": [lists["Maybe"][0]],
        "Can't go": [],
    }
    assert page.context["timeline"].total == 4
    done = csrf_post(olivia, f"/dashboard/g/{hq.id}/events/{event.id}/remove/", {"member": first.member_id})
    assert done.status_code == 302
    assert dict(event.registrations.values_list("member_id", "status")) == {
        waiting[0].member_id: Status.GOING,
        waiting[1].member_id: Status.WAITLISTED,
        lists["Maybe"][0]: Status.MAYBE,
    }
    assert OutboundMessage.objects.filter(member_id=waiting[0].member_id).count() == 1  # told of the place


def test_moving_someone_answers_for_them_with_the_same_rules(hq, olivia):
    event = EventFactory(guild=hq, starts_at=soon(), capacity=1)
    RegistrationFactory(event=event, status=Status.GOING)
    maybe = RegistrationFactory(event=event, status=Status.MAYBE)
    url = f"/dashboard/g/{hq.id}/events/{event.id}/move/"
    csrf_post(olivia, url, {"member": maybe.member_id, "status": "going"}, page=url.replace("move/", ""))
    maybe.refresh_from_db()
    assert maybe.status == Status.WAITLISTED  # full: the waitlist, as a click would
    refused = csrf_post(olivia, url, {"member": maybe.member_id, "status": "boss"}, page=url.replace("move/", ""))
    assert "That is not a choice." in olivia.get(refused["Location"]).content.decode()
    stranger = csrf_post(olivia, url, {"member": "12", "status": "going"}, page=url.replace("move/", ""))
    assert "That member is not registered." in olivia.get(stranger["Location"]).content.decode()


def test_the_roster_csv_is_the_admins(hq, olivia):
    event = EventFactory(guild=hq, starts_at=soon())
    registration = RegistrationFactory(event=event)
    response = olivia.get(f"/dashboard/g/{hq.id}/events/{event.id}/roster.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "event_id,event,member_id,username,display_name,status,responded_at,option"
    assert lines[1].startswith(f"{event.id},{event.title},{registration.member_id},")


def test_cancelling_tells_registrants(world, hq, olivia):
    event = EventFactory(guild=hq, starts_at=soon())
    RegistrationFactory(event=event, member=world.cast.member.member)
    csrf_post(olivia, f"/dashboard/g/{hq.id}/events/{event.id}/cancel/", {}, page=f"/dashboard/g/{hq.id}/events/")
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert OutboundMessage.objects.filter(member_id=world.cast.member.member_id).count() == 1


def test_a_poll_shows_its_voters_unless_anonymous(world, hq, olivia):
    open_poll = PollFactory(guild=hq, labels=["Yes", "No"])
    secret = PollFactory(guild=hq, labels=["Yes", "No"], anonymous=True)
    for poll in (open_poll, secret):
        vote(poll.id, poll.options.get(position=1).id, world.cast.member.member_id, now=timezone.now())
    shown = olivia.get(f"/dashboard/g/{hq.id}/polls/{open_poll.id}/")
    assert [[m.username for m in r.voters] for r in shown.context["results"]] == [["alice"], []]
    hidden = olivia.get(f"/dashboard/g/{hq.id}/polls/{secret.id}/")
    assert [r.votes for r in hidden.context["results"]] == [1, 0]
    assert [r.voters for r in hidden.context["results"]] == [[], []]
    assert "alice" not in hidden.content.decode().lower()
    listing = olivia.get(f"/dashboard/g/{hq.id}/polls/")
    assert [poll.id for poll, _ in listing.context["rows"]] == [secret.id, open_poll.id]


def test_closing_a_poll_posts_its_results_once(hq, olivia):
    poll = PollFactory(guild=hq)
    url = f"/dashboard/g/{hq.id}/polls/{poll.id}/close/"
    csrf_post(olivia, url, {}, page=url.replace("close/", ""))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    again = csrf_post(olivia, url, {}, page=url.replace("close/", ""))
    assert "This poll was already closed." in olivia.get(again["Location"]).content.decode()
    assert OrganiserAction.objects.filter(action="closed poll").count() == 1


def test_changes_made_in_the_admin_are_in_the_guilds_log_too(world, hq, olivia):
    poll = PollFactory(guild=hq, question="Pizza?")
    url = f"/admin/polls/poll/{poll.id}/delete/"
    done = csrf_post(olivia, url, {"post": "yes"})
    assert done.status_code == 302, done.content
    assert not Poll.objects.filter(pk=poll.pk).exists()
    [action] = OrganiserAction.objects.filter(guild=hq)
    assert (action.actor, action.action, action.target, action.via) == (
        "Olivia",
        "deleted poll",
        f"Pizza? (poll {poll.id})",
        OrganiserAction.Via.ADMIN,
    )
    assert "deleted poll" in olivia.get(f"/dashboard/g/{hq.id}/log/").content.decode()
    other = log_in(world, "otto").get(f"/dashboard/g/{world.cast.outsider.guild_id}/log/")
    assert list(other.context["page"]) == []


def test_an_action_posted_without_the_csrf_token_is_refused(hq, olivia):
    event = EventFactory(guild=hq, starts_at=soon())
    refused = olivia.post(f"/dashboard/g/{hq.id}/events/{event.id}/cancel/")
    assert refused.status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED


def test_creating_a_poll_posts_it_with_discords_rules(hq, olivia):
    url = f"/dashboard/g/{hq.id}/polls/new/"
    form = {"question": "Pizza or pasta?", "options": "Pizza\nPasta\n", "closes": "in 2 days", "channel": CHANNEL}
    done = csrf_post(olivia, url, form)
    poll = Poll.objects.get(question="Pizza or pasta?")
    assert done["Location"] == f"/dashboard/g/{hq.id}/polls/{poll.id}/"
    assert [o.label for o in poll.options.order_by("position")] == ["Pizza", "Pasta"]
    assert (poll.channel_id, poll.closes_at is not None) == (CHANNEL, True)
    assert OutboundMessage.objects.filter(channel_id=CHANNEL, guild=hq).count() == 1
    one_option = csrf_post(olivia, url, {**form, "question": "Only?", "options": "Yes"})
    assert one_option.status_code == 400
    assert "Only?" not in set(Poll.objects.values_list("question", flat=True))
    assert one_option.context["form"].non_field_errors()


def test_without_a_known_channel_the_forms_say_where_to_start(world, olivia):
    for url in (f"/dashboard/g/{world.cast.guild.id}/polls/new/", f"/dashboard/g/{world.cast.guild.id}/events/new/"):
        world.cast.guild.__class__.objects.filter(pk=world.cast.guild.pk).update(announcement_channel_id=None)
        page = csrf_post(olivia, url, {"question": "Q?", "options": "A\nB", "title": "T", "start": "in 3 days"})
        assert page.status_code == 400
        assert "Muster knows no channel of this server yet to post in" in page.content.decode()


def test_the_same_form_sent_twice_creates_one_event(hq, olivia):
    url = f"/dashboard/g/{hq.id}/events/new/"
    token = olivia.get(url).context["form"].initial["submission"]
    form = {"title": "Once", "start": "in 3 days", "channel": CHANNEL, "submission": token}
    first, second = csrf_post(olivia, url, form), csrf_post(olivia, url, form)
    event = Event.objects.get(title="Once")
    assert first["Location"] == second["Location"] == f"/dashboard/g/{hq.id}/events/{event.id}/"
    assert "This form was already sent: the event was created once." in olivia.get(second["Location"]).content.decode()
    assert OutboundMessage.objects.filter(idempotency_key__startswith="event-post:").count() == 1
    assert OrganiserAction.objects.get(submission__endswith=token).object_id == event.id
