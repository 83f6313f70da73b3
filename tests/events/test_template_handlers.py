"""/event template save, use, list and delete, as a worker runs them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import dispatcher, routing
from core.permissions import REFUSAL
from events.models import Event, EventTemplate
from events.services import EventDraft, create_event
from tests.cast import handle

pytestmark = pytest.mark.django_db


def an_event(cast, **fields):
    start = timezone.now() + timedelta(days=2)
    draft = EventDraft(title="Training", starts_at=start, ends_at=start + timedelta(minutes=90), capacity=12, **fields)
    return create_event(cast.guild, draft, now=timezone.now(), reminder_offsets=(timedelta(hours=2),))


def command(cast, who, path, **options):
    return cast.interaction(who, command=path, options=options)


def test_save_then_use_makes_the_same_event_at_the_typed_start(cast):
    event = an_event(cast)

    saved = handle(command(cast, cast.organiser, "event template save", event=event.id, name="Tuesday training"))
    used = handle(command(cast, cast.organiser, "event template use", name="tuesday TRAINING", starts="in 3 days"))

    assert saved.content.startswith("Saved the template **Tuesday training** from **Training**")
    assert saved.content.endswith(
        ": Training, 90m, 12 places, reminders 2h. "
        "Make an event from it with /event template use name:Tuesday training starts:<when>."
    )
    made = Event.objects.exclude(id=event.id).get()
    assert used.content.startswith("Created from the template **Tuesday training**: ")
    assert (made.title, made.capacity, made.ends_at - made.starts_at) == ("Training", 12, timedelta(minutes=90))
    assert list(made.reminders.values_list("offset", flat=True)) == [timedelta(hours=2)]
    assert made.created_by_id == cast.organiser.member_id
    assert abs(made.starts_at - (timezone.now() + timedelta(days=3))) < timedelta(minutes=1)


def test_use_reads_the_start_in_the_members_zone(cast):
    handle(command(cast, cast.organiser, "event template save", event=an_event(cast).id, name="Training"))
    zone = ZoneInfo(cast.guild.timezone)
    day = (timezone.now() + timedelta(days=4)).astimezone(zone)

    handle(command(cast, cast.organiser, "event template use", name="Training", starts=f"{day:%Y-%m-%d} 19:00"))

    made = Event.objects.order_by("-id").first()
    assert made.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") == f"{day:%Y-%m-%d} 19:00"


def test_list_shows_each_template_and_says_when_there_is_none(cast):
    empty = handle(command(cast, cast.member, "event template list"))
    handle(command(cast, cast.organiser, "event template save", event=an_event(cast).id, name="Training"))

    listed = handle(command(cast, cast.member, "event template list"))

    assert empty.content == "This server has no event templates yet. Save one with /event template save."
    assert listed.content == (
        "Event templates (/event template use makes an event):\n**Training**: Training, 90m, 12 places, reminders 2h"
    )


def test_list_shows_a_templates_signup_options_with_their_places_and_its_role_gate(cast):
    from events import signup

    gates = signup.Signup(
        allowed_role_ids=(111, 222),
        options=(signup.OptionSpec("Driver", 4), signup.OptionSpec("Rider_s", 16), signup.OptionSpec("Helper")),
    )
    start = timezone.now() + timedelta(days=2)
    event = create_event(
        cast.guild, EventDraft(title="Away game", starts_at=start), now=timezone.now(), reminder_offsets=(), gates=gates
    )
    handle(command(cast, cast.organiser, "event template save", event=event.id, name="Away"))

    listed = handle(command(cast, cast.member, "event template list"))

    assert listed.content.splitlines()[1] == (
        "**Away**: Away game, no limit; options **Driver** (4 places), **Rider\\_s** (16 places), **Helper**; "
        "Going only with <@&111> or <@&222>"
    )
    assert listed.allowed_mentions == {"parse": []}


def test_delete_removes_the_template_and_an_unknown_name_is_refused(cast):
    handle(command(cast, cast.organiser, "event template save", event=an_event(cast).id, name="Training"))

    deleted = handle(command(cast, cast.organiser, "event template delete", name="training"))

    assert deleted.content == "Deleted the template **Training**; events made from it stay as they are."
    assert EventTemplate.objects.count() == 0
    with pytest.raises(RuleError, match=r"^There is no template named 'training' in this server"):
        handle(command(cast, cast.organiser, "event template use", name="training", starts="in 2 days"))


def test_members_may_list_but_not_save_use_or_delete(cast):
    event = an_event(cast)
    for path, options in (
        ("event template save", {"event": event.id, "name": "Mine"}),
        ("event template use", {"name": "Mine", "starts": "in 2 days"}),
        ("event template delete", {"name": "Mine"}),
    ):
        interaction = command(cast, cast.member, path, **options)
        assert not routing.find(interaction).permits(interaction)
        _, stored, _, _ = dispatcher.run(interaction)
        assert stored["message"]["content"] == REFUSAL
    assert routing.find(command(cast, cast.member, "event template list")).permits(
        command(cast, cast.member, "event template list")
    )
    assert EventTemplate.objects.count() == 0


def test_another_guilds_event_cannot_be_saved(cast):
    other = create_event(
        cast.outsider.guild,
        EventDraft(title="Theirs", starts_at=timezone.now() + timedelta(days=1)),
        now=timezone.now(),
    )

    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        handle(command(cast, cast.organiser, "event template save", event=other.id, name="Theirs"))
    assert EventTemplate.objects.count() == 0
