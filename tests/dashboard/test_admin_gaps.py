"""Two admin gaps: an action that breaks a rule, and moving a posted event to another channel."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from events.models import Event, Reminder
from tests.events.factories import EventFactory
from tests.events.test_admin import form_data
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(SuperuserFactory())
    return client


@pytest.mark.urls("tests.dashboard.rule_error_site")
def test_an_action_that_breaks_a_rule_is_an_admin_message_not_a_500(operator):
    event = EventFactory()
    url = reverse("rule_error_admin:events_event_changelist")
    response = operator.post(url, {"action": "set_negative_reminders", "_selected_action": [event.pk]})
    assert (response.status_code, response["Location"]) == (302, url)
    assert [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)] == [
        ("error", "Reminders are sent before the start: offsets must be positive.")
    ]
    assert Reminder.objects.filter(event=event).count() == 0


def test_moving_a_posted_event_to_another_channel_is_refused_with_a_form_error(operator):
    event = EventFactory(channel_id=700_000_000_000_000_001, capacity=10)
    data = {**form_data(event), "channel_id": "700000000000000999"}
    response = operator.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "channel_id": [
            "An event stays in the channel it was posted in. To post it elsewhere, create the event "
            "there and cancel this one (registrants are told)."
        ]
    }
    assert Event.objects.get(pk=event.pk).channel_id == 700_000_000_000_000_001


def test_the_channel_can_still_be_chosen_when_an_event_is_created(operator):
    add = operator.get(reverse("admin:events_event_add"))
    assert "channel_id" in add.context["adminform"].form.fields
