"""Event templates: an event's settings saved under a name, events made from them at a start."""

from datetime import timedelta

import pytest

from core.errors import RuleError
from core.models import OutboundMessage
from events import templates
from events.discord.messages import post_key
from events.models import Event, EventTemplate
from events.services import EventDraft, create_event, edit_event
from tests.events.factories import NOW
from tests.factories import GuildFactory

pytestmark = pytest.mark.django_db

START = NOW + timedelta(days=3)


def training(guild, **fields):
    draft = EventDraft(
        title="Training",
        description="Bring shoes",
        location="Gym",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        capacity=16,
        signup_deadline=START - timedelta(hours=3),
        needs_rides=True,
        **fields,
    )
    offsets = (timedelta(days=1), timedelta(hours=1))
    return create_event(guild, draft, now=NOW, channel_id=700_000_000_000_000_077, reminder_offsets=offsets)


def test_it_saves_an_events_settings_relative_to_its_start():
    guild = GuildFactory()
    event = training(guild)

    saved = templates.save_template(event, "  Weekly   training ")

    template = EventTemplate.objects.get()
    assert saved.replaced is False
    assert (template.guild_id, template.name, template.title) == (guild.id, "Weekly training", "Training")
    assert (template.description, template.location, template.capacity) == ("Bring shoes", "Gym", 16)
    assert (template.duration, template.signup_lead) == (timedelta(hours=2), timedelta(hours=3))
    assert template.reminder_offsets == [86400, 3600]
    assert (template.needs_rides, template.needs_rooms, template.channel_id) == (True, False, 700_000_000_000_000_077)
    assert templates.summary(template) == ("Training, 2h, 16 places, closes 3h before, reminders 1d, 1h, at Gym")


def test_it_makes_an_event_from_a_template_at_a_new_start_with_its_reminders_and_post():
    guild = GuildFactory()
    template = templates.save_template(training(guild), "Training").template
    later = START + timedelta(days=7)

    event = templates.use_template(guild, template, later, now=NOW, created_by_id=None)

    assert Event.objects.count() == 2
    assert (event.title, event.location, event.capacity, event.needs_rides) == ("Training", "Gym", 16, True)
    assert (event.starts_at, event.ends_at) == (later, later + timedelta(hours=2))
    assert event.signup_deadline == later - timedelta(hours=3)
    assert sorted(event.reminders.values_list("due_at", flat=True)) == [
        later - timedelta(days=1),
        later - timedelta(hours=1),
    ]
    post = OutboundMessage.objects.get(idempotency_key=post_key(event))
    assert post.channel_id == 700_000_000_000_000_077


def test_a_template_keeps_who_is_expected_and_when_they_are_nudged():
    guild = GuildFactory()
    event = training(guild)
    edit_event(event.id, now=NOW, expected_role_id=guild.id, nudge_offsets=[timedelta(days=2), timedelta(hours=6)])
    event.refresh_from_db()

    template = templates.save_template(event, "Training").template
    made = templates.use_template(guild, template, START + timedelta(days=7), now=NOW)

    assert (template.expected_role_id, template.nudge_offsets) == (guild.id, [172800, 21600])
    assert made.expected_role_id == guild.id
    closes = made.registration_closes_at
    assert sorted(made.nudges.values_list("due_at", flat=True)) == [
        closes - timedelta(days=2),
        closes - timedelta(hours=6),
    ]


def test_saving_under_a_name_taken_in_another_case_replaces_that_template():
    guild = GuildFactory()
    templates.save_template(training(guild), "Training")
    other = create_event(guild, EventDraft(title="Match", starts_at=START), now=NOW, reminder_offsets=())

    saved = templates.save_template(other, "TRAINING")

    template = EventTemplate.objects.get()
    assert saved.replaced is True
    assert (template.name, template.title, template.capacity, template.duration) == ("TRAINING", "Match", None, None)
    assert template.reminder_offsets == []


def test_names_are_per_guild_and_found_whatever_the_case():
    first, second = GuildFactory(), GuildFactory()
    templates.save_template(training(first), "Training")
    templates.save_template(training(second), "training")

    assert EventTemplate.objects.count() == 2
    assert templates.find(first.id, "TRAINING").guild_id == first.id
    with pytest.raises(RuleError, match=r"^There is no template named 'Yoga' in this server; /event template list"):
        templates.find(first.id, "Yoga ")


def test_another_guilds_template_is_refused():
    guild, other = GuildFactory(), GuildFactory()
    template = templates.save_template(training(other), "Training").template

    with pytest.raises(RuleError, match=r"^There is no such template in this server\.$"):
        templates.use_template(guild, template, START, now=NOW)
    assert Event.objects.filter(guild=guild).count() == 0


def test_a_start_too_soon_for_the_signup_deadline_is_refused_with_the_reason():
    guild = GuildFactory()
    template = templates.save_template(training(guild), "Training").template

    with pytest.raises(RuleError, match=r"^Registration would already be closed: the template closes it 3h before"):
        templates.use_template(guild, template, NOW + timedelta(hours=2), now=NOW)
    with pytest.raises(RuleError, match=r"^The start is in the past\.$"):
        templates.use_template(guild, template, NOW - timedelta(hours=1), now=NOW)


def test_a_name_is_needed_and_bounded():
    event = training(GuildFactory())

    with pytest.raises(RuleError, match=r"^The template needs a name\.$"):
        templates.save_template(event, "   ")
    with pytest.raises(RuleError, match=r"^A template's name can be at most 60 characters; this one has 61\.$"):
        templates.save_template(event, "x" * 61)
    assert EventTemplate.objects.count() == 0


def test_deleting_a_template_leaves_the_events_made_from_it():
    guild = GuildFactory()
    event = training(guild)
    templates.save_template(event, "Training")

    assert templates.delete_template(guild.id, "training") == "Training"

    assert EventTemplate.objects.count() == 0
    assert Event.objects.filter(id=event.id).exists()
    with pytest.raises(RuleError, match=r"^There is no template named 'Training'"):
        templates.delete_template(guild.id, "Training")
