"""Standups in the admin: a change the rules refuse is a form error; pause and resume go through the services."""

import pytest
from django.urls import reverse

from standups.models import Standup
from tests.factories import GuildFactory, SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(SuperuserFactory())
    return client


def form_data(standup: Standup, **changes) -> dict:
    data = {
        "guild": standup.guild_id,
        "name": standup.name,
        "channel_id": standup.channel_id,
        "questions": '["Done?", "Next?"]',
        "weekdays": standup.weekdays,
        "ask_at": "09:00",
        "remind_at": "",
        "cutoff_at": "",
        "role_id": standup.role_id,
    }
    return {**data, **changes}


def test_a_cutoff_before_the_ask_time_is_a_form_error_and_a_good_change_is_saved(operator):
    standup = Standup.objects.create(guild=GuildFactory(), channel_id=7, role_id=8)
    url = reverse("admin:standups_standup_change", args=[standup.pk])

    refused = operator.post(url, form_data(standup, cutoff_at="08:00"))
    saved = operator.post(url, form_data(standup, cutoff_at="11:00"))

    assert "The cutoff must be later in the day than the time the standup asks at." in refused.content.decode()
    assert saved.status_code == 302
    standup.refresh_from_db()
    assert (standup.questions, str(standup.cutoff_at)) == (["Done?", "Next?"], "11:00:00")


def test_pause_and_resume_actions(operator):
    running = Standup.objects.create(guild=GuildFactory(), channel_id=7, role_id=8)
    changelist = reverse("admin:standups_standup_changelist")

    operator.post(changelist, {"action": "pause", "_selected_action": [running.pk]})
    assert Standup.objects.get().paused
    operator.post(changelist, {"action": "resume", "_selected_action": [running.pk]})
    assert not Standup.objects.get().paused
