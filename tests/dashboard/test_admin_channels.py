"""A channel id typed into the admin must be one Muster knows in that guild (core.channels).

otto organises Elsewhere and knows the id of a channel of Muster HQ (olivia's guild, where
a scheduled message posts): the admin refuses to make the bot post there for him, with a
form error naming the channel, and saves nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import ScheduledMessage
from core.models import Guild
from events.models import Event
from polls.models import Poll

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def sentence(channel_id: int, guild: Guild) -> str:
    return (
        f"Muster does not know channel {channel_id} in {guild.name}: use its announcement channel or a "
        "channel where one of its events, polls or scheduled messages posts (or create the first one "
        "there from Discord)."
    )


@pytest.fixture
def channels(world):
    """(Elsewhere's known channel, HQ's known channel): each has a scheduled message there."""
    hq, elsewhere = world.cast.guild, world.cast.outsider.guild
    start = timezone.now() + timedelta(days=2)
    for guild, channel_id in ((hq, 700_000_000_000_000_101), (elsewhere, 700_000_000_000_000_202)):
        ScheduledMessage.objects.create(
            guild=guild, channel_id=channel_id, content="Hi", timezone="UTC", starts_at=start
        )
    return 700_000_000_000_000_202, 700_000_000_000_000_101


def local(moment):
    moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")


def poll(guild, channel_id) -> dict:
    return {
        "guild": guild.pk,
        "question": "Lunch?",
        "channel_id": channel_id,
        "options-TOTAL_FORMS": "2",
        "options-INITIAL_FORMS": "0",
        "options-0-position": "1",
        "options-0-label": "a",
        "options-1-position": "2",
        "options-1-label": "b",
    }


def event(guild, channel_id) -> dict:
    day, hour = local(timezone.now() + timedelta(days=3))
    return {
        "guild": guild.pk,
        "title": "Picnic",
        "starts_at_0": day,
        "starts_at_1": hour,
        "capacity": "5",
        "channel_id": channel_id,
        "reminders-TOTAL_FORMS": "0",
        "reminders-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }


def schedule(guild, channel_id) -> dict:
    day, hour = local((timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0))
    return {
        "guild": guild.pk,
        "channel_id": channel_id,
        "content": "Hello",
        "embed": "{}",
        "mention_role_ids": "[]",
        "timezone": "Europe/Paris",
        "starts_at_0": day,
        "starts_at_1": hour,
        "repeat": "once",
        "weekdays": "[]",
        "grace_minutes": "60",
        "occurrences-TOTAL_FORMS": "0",
        "occurrences-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(
    ("page", "data", "model"),
    [
        ("admin:polls_poll_add", poll, Poll),
        ("admin:events_event_add", event, Event),
        ("admin:community_scheduledmessage_add", schedule, ScheduledMessage),
    ],
)
def test_another_guilds_channel_is_a_form_error_and_its_own_is_accepted(world, channels, page, data, model):
    elsewhere, theirs = world.cast.outsider.guild, channels[1]
    client = log_in(world, "otto")
    before = model.objects.count()
    refused = csrf_post(client, reverse(page), data(elsewhere, theirs))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {"channel_id": [sentence(theirs, elsewhere)]}
    assert model.objects.count() == before
    accepted = csrf_post(client, reverse(page), data(elsewhere, channels[0]))
    assert accepted.status_code == 302
    assert model.objects.filter(guild=elsewhere, channel_id=channels[0]).count() == (
        2 if model is ScheduledMessage else 1
    )


def test_a_guilds_announcement_channel_must_be_known_there_too(world, channels):
    elsewhere, theirs = world.cast.outsider.guild, channels[1]
    client = log_in(world, "otto")
    data = {
        "name": elsewhere.name,
        "timezone": elsewhere.timezone,
        "date_order": elsewhere.date_order,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    url = reverse("admin:core_guild_change", args=[elsewhere.pk])
    refused = csrf_post(client, url, {**data, "announcement_channel_id": theirs})
    assert refused.context["adminform"].form.errors == {"announcement_channel_id": [sentence(theirs, elsewhere)]}
    assert Guild.objects.get(pk=elsewhere.pk).announcement_channel_id is None
    accepted = csrf_post(client, url, {**data, "announcement_channel_id": channels[0]})
    assert accepted.status_code == 302
    assert Guild.objects.get(pk=elsewhere.pk).announcement_channel_id == channels[0]
