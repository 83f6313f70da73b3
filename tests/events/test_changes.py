"""What registrants are told when an event changes: only what they see (title, time, place),
to everyone but the editor, once per edit window, saying what it was and what it is now."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundMessage
from events import change_notices
from events.models import ChangeNotice, Registration
from events.services import cancel_event, edit_event, promote_waitlist, send_due_reminders
from tests.events.factories import NOW, EventFactory, RegistrationFactory, ReminderFactory
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status
LATER = NOW + timedelta(minutes=2)  # every edit window opened around NOW has ended


def dms() -> dict[int, list[str]]:
    """Each member's DMs in the outbox, oldest first."""
    told: dict[int, list[str]] = {}
    for message in OutboundMessage.objects.filter(member__isnull=False).order_by("id"):
        told.setdefault(message.member_id, []).append(message.payload["content"])
    return told


def t(moment) -> str:
    return f"<t:{int(moment.timestamp())}:F>"


def test_a_moved_start_tells_registrants_but_the_editor_what_it_was_and_is_after_the_window():
    event = EventFactory(title="Picnic")
    editor, going = RegistrationFactory(event=event), RegistrationFactory(event=event)
    maybe = RegistrationFactory(event=event, status=Status.MAYBE)
    RegistrationFactory(event=event, status=Status.DECLINED)
    old, new = event.starts_at, event.starts_at + timedelta(hours=20)

    edited = edit_event(event.id, now=NOW, editor_id=editor.member_id, starts_at=new)

    assert dms() == {}  # the window is open: a second edit would go in the same DM
    assert edited.told is True
    assert change_notices.send_due(now=NOW + timedelta(seconds=59)) == 0
    assert change_notices.send_due(now=NOW + timedelta(seconds=60)) == 2
    expected = f"**Picnic** has changed: it now starts {t(new)} instead of {t(old)}."
    assert dms() == {going.member_id: [expected], maybe.member_id: [expected]}


def test_edits_within_the_window_are_one_dm_from_before_the_first_to_after_the_last():
    event = EventFactory(title="Picnic", location="The park")
    going = RegistrationFactory(event=event)
    old, new = event.starts_at, event.starts_at + timedelta(days=1)

    edit_event(event.id, now=NOW, location="The beach")
    edit_event(event.id, now=NOW + timedelta(seconds=20), starts_at=new)
    edit_event(event.id, now=NOW + timedelta(seconds=40), title="Beach picnic")

    assert dms() == {}
    assert change_notices.send_due(now=NOW + timedelta(seconds=50)) == 0
    assert change_notices.send_due(now=LATER) == 1
    assert dms() == {
        going.member_id: [
            "**Beach picnic** has changed: it is now called **Beach picnic** instead of **Picnic**; "
            f"it now starts {t(new)} instead of {t(old)}; it is now at The beach instead of The park."
        ]
    }


def test_capacity_reminders_the_deadline_and_the_details_tell_nobody():
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.MAYBE)

    results = [
        edit_event(event.id, now=NOW, capacity=3),
        edit_event(event.id, now=NOW, capacity=4),
        edit_event(event.id, now=NOW, reminder_offsets=[timedelta(days=1)]),
        edit_event(event.id, now=NOW, signup_deadline=NOW + timedelta(days=2)),
        edit_event(event.id, now=NOW, description="Bring a hat."),
    ]

    assert dms() == {}
    assert [edited.told for edited in results] == [False] * 5
    assert change_notices.send_due(now=LATER) == 0
    assert ChangeNotice.objects.count() == 0


def test_an_edit_undone_within_the_window_tells_nobody():
    event = EventFactory(location="The park")
    RegistrationFactory(event=event)

    edit_event(event.id, now=NOW, location="The beach")
    edit_event(event.id, now=NOW + timedelta(seconds=10), location="The park")

    assert change_notices.send_due(now=LATER) == 0
    assert dms() == {}
    assert ChangeNotice.objects.get().sent_at == LATER  # claimed: it never goes


def test_a_cancellation_within_the_window_is_the_only_dm():
    event = EventFactory(title="Picnic")
    going = RegistrationFactory(event=event)

    edit_event(event.id, now=NOW, location="The beach")
    cancel_event(event.id, now=NOW + timedelta(seconds=5))

    assert change_notices.send_due(now=LATER) == 0
    assert dms() == {going.member_id: [f"**Picnic** ({t(event.starts_at)}) has been **cancelled**."]}


def test_a_notice_goes_once_however_often_it_is_sent():
    event = EventFactory()
    going = RegistrationFactory(event=event)
    edit_event(event.id, now=NOW, location="The beach")
    notice = ChangeNotice.objects.get()

    sent = [
        change_notices.send(notice.id, now=LATER),
        change_notices.send_due(now=LATER),
        change_notices.send(notice.id, now=LATER),
    ]

    assert sent == [1, 0, 0]
    assert OutboundMessage.objects.get().idempotency_key == f"event-changed:{notice.id}:{going.member_id}"


def test_edits_a_window_apart_are_two_dms_each_saying_its_change():
    event = EventFactory(title="Picnic")
    going = RegistrationFactory(event=event)

    edit_event(event.id, now=NOW, location="The park")
    change_notices.send_due(now=NOW + timedelta(seconds=61))
    edit_event(event.id, now=NOW + timedelta(seconds=90), location="The beach")
    change_notices.send_due(now=NOW + timedelta(seconds=151))

    assert dms() == {
        going.member_id: [
            "**Picnic** has changed: it is now at The park.",
            "**Picnic** has changed: it is now at The beach instead of The park.",
        ]
    }


def test_with_several_editors_in_the_window_every_registrant_is_told():
    event = EventFactory(title="Picnic")
    first, second = RegistrationFactory(event=event), RegistrationFactory(event=event)

    edit_event(event.id, now=NOW, editor_id=first.member_id, location="The park")
    edit_event(event.id, now=NOW, editor_id=second.member_id, title="Picnic!")

    assert change_notices.send_due(now=LATER) == 2
    assert sorted(dms()) == sorted([first.member_id, second.member_id])


# In the admin.


@pytest.fixture
def admin_client(client):
    client.force_login(SuperuserFactory())
    return client


def change_form(event, **fields) -> dict:
    """The event's change form as the admin posts it back, with ``fields`` changed."""
    local = timezone.localtime(event.starts_at)
    registrations = list(event.registrations.order_by("status", "sequence", "id"))
    data = {
        "guild": event.guild_id,
        "title": event.title,
        "description": event.description,
        "location": event.location,
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": local.strftime("%H:%M:%S"),
        "ends_at_0": "",
        "ends_at_1": "",
        "capacity": event.capacity or "",
        "signup_deadline_0": "",
        "signup_deadline_1": "",
        "channel_id": event.channel_id or "",
        "created_by": "",
        "reminders-TOTAL_FORMS": "0",
        "reminders-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": str(len(registrations)),
        "registrations-INITIAL_FORMS": str(len(registrations)),
    }
    for n, registration in enumerate(registrations):
        data[f"registrations-{n}-id"] = registration.id
        data[f"registrations-{n}-event"] = event.id
    return {**data, **fields}


def event_admin_link(event) -> str:
    url = reverse("admin:events_event_change", args=[event.pk])
    return f'<a href="{url}">{event.title}</a>'


def soon_event(**fields):
    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    return EventFactory(starts_at=start, **fields)


def test_an_unchanged_admin_save_tells_nobody(admin_client):
    event = soon_event(title="Picnic")
    RegistrationFactory.create_batch(2, event=event)
    updated_at = type(event).objects.get(id=event.id).updated_at

    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), change_form(event))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert dms() == {}
    assert change_notices.send_due(now=timezone.now() + timedelta(minutes=2)) == 0
    assert type(event).objects.get(id=event.id).updated_at == updated_at


def test_deleting_a_registration_in_the_admin_tells_only_the_member_moved_up(admin_client):
    event = soon_event(title="Picnic", capacity=1)
    going = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.MAYBE)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)
    form = change_form(event)
    index = next(n for n in range(3) if form[f"registrations-{n}-id"] == going.id)

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]), {**form, f"registrations-{index}-DELETE": "on"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(event.registrations.values_list("member_id", "status")) == sorted(
        [(waiting.member_id, "going"), (event.registrations.get(status="maybe").member_id, "maybe")]
    )
    change_notices.send_due(now=timezone.now() + timedelta(minutes=2))
    assert list(dms()) == [waiting.member_id]
    assert dms()[waiting.member_id][0].startswith("A place opened up: you are now **going** to **Picnic**")


def test_an_admin_edit_of_the_place_tells_every_registrant(admin_client):
    event = soon_event(title="Picnic", location="The park")
    registrations = RegistrationFactory.create_batch(2, event=event)

    admin_client.post(reverse("admin:events_event_change", args=[event.pk]), change_form(event, location="The beach"))

    assert change_notices.send_due(now=timezone.now() + timedelta(minutes=2)) == 2
    told = "**Picnic** has changed: it is now at The beach instead of The park."
    assert dms() == {r.member_id: [told] for r in registrations}


# Titles with markdown cannot put a live link into the bot's DMs.

ESCAPED = re.compile(r"\\.")
MASKED_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")


def link_targets(markdown: str) -> list[str]:
    """Where Discord's masked links (``[label](url)``) in ``markdown`` lead; escaped characters are text."""
    return [url for _, url in MASKED_LINK.findall(ESCAPED.sub("_", markdown))]


def test_a_title_with_a_masked_link_leads_nowhere_but_the_post_in_any_dm():
    event = EventFactory(title="x](https://evil)", message_id=1_234, capacity=1)
    going = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.WAITLISTED)
    ReminderFactory(event=event, due_at=NOW)
    post = f"https://discord.com/channels/{event.guild_id}/{event.channel_id}/1234"

    send_due_reminders(now=NOW)
    edit_event(event.id, now=NOW, title="[y](https://evil)")
    change_notices.send_due(now=LATER)
    event.registrations.filter(id=going.id).update(status=Status.DECLINED)
    promote_waitlist(event, now=NOW)
    cancel_event(event.id, now=NOW)

    told = [content for contents in dms().values() for content in contents]
    assert len(told) == 5  # a reminder, the change (to both), the promotion, the cancellation (to one)
    for content in told:
        assert link_targets(content) == [post], content


def test_an_end_removed_or_added_is_said_so():
    event = EventFactory(title="Picnic", ends_at=NOW + timedelta(days=7, hours=2))
    going = RegistrationFactory(event=event)
    old_end = event.ends_at

    edit_event(event.id, now=NOW, ends_at=None)
    change_notices.send_due(now=LATER)
    edit_event(event.id, now=LATER, ends_at=old_end + timedelta(hours=1))
    change_notices.send_due(now=LATER + timedelta(minutes=2))

    assert dms() == {
        going.member_id: [
            f"**Picnic** has changed: it no longer has an end time (it was to end {t(old_end)}).",
            f"**Picnic** has changed: it now ends {t(old_end + timedelta(hours=1))}.",
        ]
    }


def test_a_reminder_added_in_the_admin_whose_time_has_passed_is_skipped_with_a_warning(admin_client):
    event = soon_event(title="Picnic")
    form = change_form(event, **{"reminders-TOTAL_FORMS": "1", "reminders-0-offset": "7 00:00:00"})
    form["reminders-0-event"] = event.id

    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), form, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Skipped reminders (their time has passed): 1w.",
        f"The event “{event_admin_link(event)}” was changed successfully.",
    ]
    assert list(event.reminders.values_list("offset", "skipped")) == [(timedelta(weeks=1), True)]
