"""The personal data registry: every model that names a member is declared, exported and forgotten."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import get_user_model

from carpool.models import BedClaim, Ride, RideRequest, Room, Seat
from core import personal_data
from core.models import CommandLog, GuildMember, HeldNudge, Member, OutboundMessage
from desk.models import MemberPrefs, Task, TaskComment
from events.models import CalendarFeed, Event, Registration
from jira_sync.models import JiraLink
from polls.models import Vote
from polls.services import vote
from tests.core.member_rows import member_everywhere
from tests.events.factories import NOW

pytestmark = pytest.mark.django_db

# Fields that hold a member's id without being a foreign key to core.Member.
MEMBER_ID_NAMES = ("voter", "member_id", "user_id", "discord_id")


def member_fields() -> set[tuple[str, str]]:
    """(model label, field name) of every installed model's field that names a member."""
    found = {("core.Member", "id")}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            names_member = f.is_relation and f.related_model is Member
            if names_member or (not f.is_relation and f.name in MEMBER_ID_NAMES):
                found.add((model._meta.label, f.name))
    return found


def test_it_declares_every_model_that_names_a_member():
    declared = {(h.model, name) for h in personal_data.holdings() for name in h.member_fields}
    undeclared = sorted(member_fields() - declared)
    assert undeclared == [], f"declare these in <app>/personal_data.py (see core/personal_data.py): {undeclared}"


def test_every_holding_names_an_installed_model_and_its_fields():
    for holding in personal_data.holdings():
        model = holding.model_class()
        for name in holding.member_fields:
            model._meta.get_field(name)


def test_it_refuses_a_model_declared_twice_differently():
    holding = personal_data.holdings()[0]
    with pytest.raises(ValueError, match=r"^personal data of core.Member is declared twice$"):
        personal_data.register(personal_data.Holding(holding.model, "Other title", holding.member_fields))


def test_it_sums_up_what_it_stores_about_a_member(cast):
    alice = member_everywhere(cast)
    summary = dict(personal_data.summary(alice.member_id))
    assert summary == {
        "Your name and preferences": 1,
        "Server memberships": 1,
        "Commands you used": 1,
        "Direct messages Muster sent you": 2,
        "Messages held while you were away": 1,
        "Event registrations": 2,
        "Your calendar links": 1,
        "Events you created": 1,
        "Votes in polls that show voters": 2,
        "Rides you drive": 1,
        "Ride requests": 1,
        "Seats in others' rides": 1,
        "Rooms you host": 1,
        "Beds you claimed": 1,
        "Your Jira links": 1,
        "Custom commands you used": 1,
        "Tasks you created, were given or closed": 2,
        "Comments on tasks": 1,
        "Your task reminder choices": 1,
        "Your dashboard login": 1,
    }


def test_its_download_holds_every_row_and_no_secret(cast):
    alice = member_everywhere(cast)
    data = json.loads(personal_data.export(alice.member_id, now=NOW))
    assert data["member_id"] == str(alice.member_id)
    assert data["data"]["events.Registration"]["title"] == "Event registrations"
    assert len(data["data"]["events.Registration"]["rows"]) == 2
    assert [row["status"] for row in data["data"]["events.Registration"]["rows"]] == ["going", "going"]
    link = data["data"]["jira_sync.JiraLink"]["rows"][0]
    assert link["account_id"] == "acc-alice" and "access_token" not in link and "refresh_token" not in link
    assert "digest" not in data["data"]["events.CalendarFeed"]["rows"][0]
    assert "reply" not in data["data"]["core.CommandLog"]["rows"][0]
    held = data["data"]["core.HeldNudge"]
    assert held["title"] == "Messages held while you were away"
    assert [(row["kind"], row["text"]) for row in held["rows"]] == [("event_nudge", "Picnic asked")]
    assert data["data"]["core.CommandLog"]["rows"][0]["options"] == {"zone": "Europe/Paris"}
    assert "secret-token" not in json.dumps(data)


def test_forget_me_deletes_or_anonymises_every_row_and_keeps_closed_tallies(cast):
    alice = member_everywhere(cast)
    closed_poll_votes = Vote.objects.filter(poll__status="closed").count()

    changed = personal_data.forget(alice.member_id, now=NOW)

    # Only the membership stays (the guild's roles for permissions), its nickname gone.
    assert personal_data.summary(alice.member_id) == [("Server memberships", 1)]
    assert changed["events.Registration"] == 2 and changed["polls.Vote"] == 2
    assert not Registration.objects.filter(member_id=alice.member_id).exists()
    # The closed poll keeps its count, its voter no longer alice; the open poll's vote is withdrawn.
    assert Vote.objects.filter(poll__status="closed").count() == closed_poll_votes
    assert Vote.objects.filter(poll__status="open").count() == 0
    assert all(v.startswith("forgotten:") for v in Vote.objects.values_list("voter", flat=True))
    assert Event.objects.filter(title="Alice's picnic", created_by=None).count() == 1
    assert list(Ride.objects.values_list("driver_id", flat=True)) == [cast.organiser.member_id]
    assert list(Room.objects.values_list("host_id", flat=True)) == [cast.organiser.member_id]
    # The tasks stay the server's, assigned to nobody; alice's comments and choices go.
    assert sorted(Task.objects.values_list("title", "assignee_id", "created_by_id")) == [
        ("Alice's own", None, None),
        ("Given", None, cast.organiser.member_id),
    ]
    for model in (RideRequest, Seat, BedClaim, JiraLink, CalendarFeed, SocialAccount, TaskComment, MemberPrefs):
        assert model.objects.count() == 0, model
    assert not OutboundMessage.objects.filter(member_id=alice.member_id).exists()
    assert not HeldNudge.objects.filter(member_id=alice.member_id).exists()
    log = CommandLog.objects.get()
    assert (log.member_id, log.options, log.command) == (None, {}, "muster timezone")
    member = Member.objects.get(id=alice.member_id)
    assert (member.username, member.display_name, member.timezone) == ("forgotten", "", "")
    assert GuildMember.objects.get(member_id=alice.member_id).nickname == ""
    assert not get_user_model().objects.filter(username="alice-web").exists()


def test_forget_me_twice_changes_nothing_more(cast):
    alice = member_everywhere(cast)
    personal_data.forget(alice.member_id, now=NOW)
    assert personal_data.forget(alice.member_id, now=NOW) == {}


def test_forget_me_gives_a_freed_place_to_the_waitlist(cast):
    from events.services import respond

    event = Event.objects.create(guild=cast.guild, title="Full", starts_at=NOW + timedelta(days=2), capacity=1)
    respond(event.id, cast.member.member_id, "going", sequence=1, now=NOW)
    respond(event.id, cast.organiser.member_id, "going", sequence=2, now=NOW)

    personal_data.forget(cast.member.member_id, now=NOW)

    assert list(event.registrations.values_list("member_id", "status")) == [(cast.organiser.member_id, "going")]
    promoted = OutboundMessage.objects.get(member_id=cast.organiser.member_id)
    assert "Full" in json.dumps(promoted.payload)


def test_an_anonymous_vote_in_a_closed_poll_stays_counted_but_unlinked(cast):
    from polls.models import Poll
    from polls.services import close_poll, voter_key

    poll = Poll.objects.create(guild=cast.guild, question="Secret?", anonymous=True, created_at=NOW)
    yes = poll.options.create(position=1, label="Yes")
    poll.options.create(position=2, label="No")
    vote(poll.id, yes.id, cast.member.member_id, now=NOW)
    close_poll(poll.id, now=NOW)

    personal_data.forget(cast.member.member_id, now=NOW)

    assert [t.votes for t in poll.tally()] == [1, 0]
    assert not Vote.objects.filter(voter=voter_key(poll, cast.member.member_id)).exists()
