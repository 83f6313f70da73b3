"""The events admin: fast lists, filters, the roster CSV, edits through the rules."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import GuildFactory, MemberFactory, SuperuserFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def organiser_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_it_lists_hundreds_of_events_without_a_query_per_row(organiser_client, django_assert_max_num_queries):
    guilds = GuildFactory.create_batch(3)
    events = [EventFactory(guild=guilds[n % 3]) for n in range(200)]
    for event in events[:50]:
        RegistrationFactory(event=event)
    with django_assert_max_num_queries(12):
        response = organiser_client.get(reverse("admin:events_event_changelist"), {"all": ""})
    assert response.status_code == 200
    assert response.content.decode().count('class="field-going"') == 200  # all on one page


def test_it_filters_by_guild_status_and_searches_titles(organiser_client):
    guild = GuildFactory()
    EventFactory(guild=guild, title="Picnic in the park")
    EventFactory(guild=guild, title="Board games", status=Event.Status.CANCELLED)
    EventFactory(title="Picnic elsewhere")
    url = reverse("admin:events_event_changelist")
    response = organiser_client.get(url, {"guild__id__exact": guild.id, "status__exact": "scheduled", "q": "picnic"})
    assert [e.title for e in response.context["cl"].result_list] == ["Picnic in the park"]


def test_it_downloads_the_roster_going_first_then_the_waitlist_in_order(organiser_client):
    event = EventFactory(capacity=1, title="=SUM(A1)", guild=GuildFactory(timezone="Europe/Paris"))
    RegistrationFactory(event=event, status=Status.MAYBE, member=MemberFactory(username="maybe"))
    RegistrationFactory(event=event, status=Status.WAITLISTED, sequence=20, member=MemberFactory(username="w2"))
    RegistrationFactory(event=event, status=Status.WAITLISTED, sequence=10, member=MemberFactory(username="w1"))
    RegistrationFactory(event=event, status=Status.GOING, member=MemberFactory(username="going"))
    response = organiser_client.get(reverse("admin:events_event_roster", args=[event.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"] == f'attachment; filename="roster-event-{event.pk}.csv"'
    assert rows[0] == ["event_id", "event", "member_id", "username", "display_name", "status", "responded_at", "option"]
    assert [(r[1], r[3], r[5]) for r in rows[1:]] == [
        ("'=SUM(A1)", "going", "going"),
        ("'=SUM(A1)", "w1", "waitlisted"),
        ("'=SUM(A1)", "w2", "waitlisted"),
        ("'=SUM(A1)", "maybe", "maybe"),
    ]
    assert rows[1][6] == "2026-06-07T18:00:00+02:00"


def test_it_downloads_the_rosters_of_selected_events_as_an_action(organiser_client):
    first, second = EventFactory(), EventFactory()
    RegistrationFactory(event=first)
    RegistrationFactory(event=second)
    response = organiser_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "download_rosters", "_selected_action": [first.pk, second.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert sorted(int(r[0]) for r in rows[1:]) == sorted([first.pk, second.pk])


def test_it_refuses_a_capacity_below_the_number_going(organiser_client):
    event = EventFactory(capacity=3)
    RegistrationFactory.create_batch(2, event=event)
    response = organiser_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        {
            **form_data(event),
            "capacity": "1",
        },
    )
    assert response.status_code == 200
    assert "2 members are already going; the capacity cannot be lower than that." in response.content.decode()


def test_it_creates_an_event_with_the_default_reminder(organiser_client):
    guild = GuildFactory()
    start = timezone.now() + timedelta(days=3)
    response = organiser_client.post(
        reverse("admin:events_event_add"),
        {
            **form_data(None, guild=guild, starts_at=start),
            "title": "Admin-made",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="Admin-made")
    assert list(event.reminders.values_list("offset", flat=True)) == [timedelta(hours=1)]


def form_data(event, guild=None, starts_at=None):
    starts_at = starts_at or event.starts_at
    local = timezone.localtime(starts_at)
    return {
        "guild": (guild or event.guild).pk,
        "title": event.title if event else "",
        "description": "",
        "location": "",
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": local.strftime("%H:%M:%S"),
        "ends_at_0": "",
        "ends_at_1": "",
        "capacity": event.capacity if event else "",
        "signup_deadline_0": "",
        "signup_deadline_1": "",
        "channel_id": event.channel_id if event and event.channel_id else "",
        "created_by": "",
        "reminders-TOTAL_FORMS": "0",
        "reminders-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }


# Deleting: refused while the event's thread, channel or role is in Discord (cancel instead).


def spaced(event, **fields):
    from events.models import EventSpace

    return EventSpace.objects.create(event=event, guild_id=event.guild_id, **fields)


def ahead(**fields):
    return EventFactory(starts_at=timezone.now() + timedelta(days=3), **fields)


def test_deleting_an_event_whose_channel_and_role_are_in_discord_is_refused_and_cancel_offered(organiser_client):
    event = ahead(title="Picnic")
    spaced(event, kind="channel", attendee_role=True, channel_id=900_001, role_id=900_002)
    url = reverse("admin:events_event_delete", args=[event.pk])

    page = organiser_client.get(url).content.decode()
    organiser_client.post(url, {"post": "yes"})

    assert "Cannot delete event" in page
    assert (
        "Picnic has its private channel and attendee role in Discord: cancel the event instead (the list&#x27;s "
        "action &quot;Cancel the selected events&quot;). Registrants are told, and Muster cleans up in Discord "
        "2 days after the event, with a warning a day before; then the event can be deleted."
    ) in page
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_bulk_delete_refuses_the_same_and_deletes_nothing(organiser_client):
    kept, plain = ahead(title="Picnic"), ahead(title="Quiz")
    spaced(kept, kind="thread", channel_id=900_003)
    action = {"action": "delete_selected", "_selected_action": [kept.pk, plain.pk], "post": "yes"}

    page = organiser_client.post(reverse("admin:events_event_changelist"), action).content.decode()

    assert "Picnic has its thread in Discord: cancel the event instead" in page
    assert Event.objects.filter(pk__in=[kept.pk, plain.pk]).count() == 2


def test_an_event_with_nothing_in_discord_or_cleaned_up_is_deleted_through_the_services(organiser_client):
    from core.errors import RuleError
    from events import services

    plain, cleaned, unmade = (ahead(title=t) for t in ("Plain", "Cleaned", "Unmade"))
    spaced(cleaned, kind="channel", channel_id=900_004, role_id=900_005, closed_at=timezone.now())
    spaced(unmade, kind="thread")  # asked for, nothing made yet, no sync running
    for event in (plain, cleaned):
        response = organiser_client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
        assert response.status_code == 302
    services.delete_event(unmade.pk, now=timezone.now())
    assert not Event.objects.filter(pk__in=[plain.pk, cleaned.pk, unmade.pk]).exists()

    cancelled = ahead(title="Rained off", status=Event.Status.CANCELLED)
    spaced(cancelled, kind="thread", channel_id=900_006)
    with pytest.raises(RuleError, match=r"^Rained off still has its thread in Discord, cleaned up \d{4}-\d\d-\d\d"):
        services.delete_event(cancelled.pk, now=timezone.now())
    over = EventFactory(title="Last week", starts_at=timezone.now() - timedelta(days=1))
    spaced(over, attendee_role=True, role_id=900_007)
    with pytest.raises(RuleError, match=r"^Last week still has its attendee role in Discord, cleaned up "):
        services.delete_event(over.pk, now=timezone.now())
    making = ahead(title="Making")
    spaced(making, attendee_role=True, sync_claimed_at=timezone.now())
    with pytest.raises(RuleError, match=r"^Muster is updating Making's attendee role in Discord right now"):
        services.delete_event(making.pk, now=timezone.now())
    assert Event.objects.filter(pk__in=[cancelled.pk, making.pk]).count() == 2
