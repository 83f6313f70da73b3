"""Alice with rows in every app: what the personal data and backup tests look for."""

from __future__ import annotations

from datetime import timedelta

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from carpool.models import BedClaim, Room
from community.models import CommandUse, CustomCommand
from core.models import CommandLog, GuildMember, HeldNudge, Member, OutboundMessage
from desk.models import MemberPrefs, Task, TaskComment
from events import calendars
from jira_sync.models import JiraLink, JiraSite
from polls.models import Poll
from polls.services import close_poll, vote
from tests.carpool.factories import START, need, offer
from tests.events.factories import NOW, EventFactory, RegistrationFactory


def member_everywhere(cast) -> GuildMember:
    """Alice (``cast.member``) registered, voting, driving, riding, hosting, linked to Jira, with tasks, logged in."""
    alice, olivia = cast.member, cast.organiser
    Member.objects.filter(id=alice.member_id).update(display_name="Alice", timezone="Europe/Paris")
    GuildMember.objects.filter(id=alice.id).update(nickname="Ali")
    CommandLog.objects.create(
        interaction_id=1,
        guild=cast.guild,
        member_id=alice.member_id,
        kind="command",
        command="muster timezone",
        options={"zone": "Europe/Paris"},
        reply={"content": "secret-token"},
    )
    OutboundMessage.objects.create(
        idempotency_key="test:alice", member_id=alice.member_id, payload={"content": "Hi"}, status="delivered"
    )
    HeldNudge.objects.create(
        guild=cast.guild, member_id=alice.member_id, kind="event_nudge", key="event-nudge:1", text="Picnic asked"
    )
    logistics = {"needs_rides": True, "needs_rooms": True, "ends_at": START + timedelta(days=2)}
    picnic = EventFactory(guild=cast.guild, title="Alice's picnic", created_by_id=alice.member_id, **logistics)
    hike = EventFactory(guild=cast.guild, title="Hike", created_by_id=olivia.member_id, **logistics)
    RegistrationFactory(event=picnic, member_id=alice.member_id)
    RegistrationFactory(event=hike, member_id=alice.member_id)
    RegistrationFactory(event=hike, member_id=olivia.member_id)
    offer(picnic, alice.member)
    offer(hike, olivia.member)
    need(hike, alice.member)
    night = START.date()
    Room.objects.create(
        event=picnic, host_id=alice.member_id, place="Flat", beds=2, first_night=night, last_night=night
    )
    room = Room.objects.create(
        event=hike, host_id=olivia.member_id, place="Tent", beds=2, first_night=night, last_night=night
    )
    BedClaim.objects.create(room=room, member_id=alice.member_id, event=hike, night=night)
    calendars.rotate(member_id=alice.member_id, now=NOW)
    open_poll = Poll.objects.create(guild=cast.guild, question="Lunch?", created_at=NOW)
    closed_poll = Poll.objects.create(guild=cast.guild, question="Date?", created_at=NOW)
    for poll in (open_poll, closed_poll):
        poll.options.create(position=1, label="Yes")
        poll.options.create(position=2, label="No")
        vote(poll.id, poll.options.get(position=1).id, alice.member_id, now=NOW)
    close_poll(closed_poll.id, now=NOW)
    site = JiraSite.objects.create(guild=cast.guild, name="Acme", base_url="https://acme.example")
    JiraLink.objects.create(site=site, member_id=alice.member_id, account_id="acc-alice", access_token="secret-token")
    command = CustomCommand.objects.create(guild=cast.guild, name="rules", description="Rules", content="Be kind")
    CommandUse.objects.create(command=command, member_id=alice.member_id, used_at=NOW)
    Task.objects.create(
        guild=cast.guild, title="Alice's own", created_by_id=alice.member_id, assignee_id=alice.member_id
    )
    given = Task.objects.create(
        guild=cast.guild, title="Given", created_by_id=olivia.member_id, assignee_id=alice.member_id
    )
    TaskComment.objects.create(task=given, author_id=alice.member_id, text="On it")
    MemberPrefs.objects.create(guild=cast.guild, member_id=alice.member_id, reminder="1h")
    user = get_user_model().objects.create(username="alice-web")
    SocialAccount.objects.create(user=user, provider="discord", uid=str(alice.member_id))
    return alice
