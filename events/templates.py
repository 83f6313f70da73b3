"""Event templates: an event's settings saved under a name, and events made from them
(a sub-domain of ``events.services``).

A template keeps what does not depend on the date: title, details, place, capacity,
logistics, channel, who may sign up and as what (``events.signup``), who is expected to
answer (``events.nudges``), and the times relative to the start (length, how long before
it registration closes, the reminders, the nudges). ``use_template`` makes an event from it at a given
start with the same rules as ``/event create``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from core.errors import RuleError
from core.markup import escape
from core.models import Guild
from events import nudges, services, signup
from events.discord.messages import offset_text, roles_text
from events.models import Event, EventTemplate
from events.services import EventDraft

NAME_MAX = EventTemplate._meta.get_field("name").max_length
SETTINGS = ("title", "description", "location", "capacity", "needs_rides", "needs_rooms", "channel_id")


@dataclass(frozen=True)
class Saved:
    template: EventTemplate
    replaced: bool  # a template of that name existed and now holds this event's settings


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RuleError("The template needs a name.")
    if len(name) > NAME_MAX:
        raise RuleError(f"A template's name can be at most {NAME_MAX} characters; this one has {len(name)}.")
    return name


def find(guild_id: int, name: str) -> EventTemplate:
    """The guild's template of that name, whatever its case."""
    template = EventTemplate.objects.filter(guild_id=guild_id, name__iexact=" ".join((name or "").split())).first()
    if template is None:
        raise RuleError(f"There is no template named {name.strip()!r} in this server; /event template list shows them.")
    return template


def settings_of(event: Event) -> dict:
    """What a template keeps of an event: its fields, and its times relative to the start."""
    values = {name: getattr(event, name) for name in SETTINGS}
    values["duration"] = event.ends_at - event.starts_at if event.ends_at else None
    values["signup_lead"] = event.starts_at - event.signup_deadline if event.signup_deadline else None
    offsets = event.reminders.order_by("-offset").values_list("offset", flat=True)
    values["reminder_offsets"] = [int(offset.total_seconds()) for offset in offsets]
    values["allowed_role_ids"] = list(event.allowed_role_ids)
    values["signup_options"] = signup.specs_to_json(signup.specs_of(event))
    values["expected_role_id"] = event.expected_role_id
    nudged = event.nudges.order_by("-offset").values_list("offset", flat=True)
    values["nudge_offsets"] = [int(offset.total_seconds()) for offset in nudged]
    return values


@transaction.atomic
def save_template(event: Event, name: str, *, created_by_id: int | None = None) -> Saved:
    """Save ``event``'s settings as the guild's template ``name``; a template of that name is replaced."""
    name = clean_name(name)
    values = settings_of(event)
    existing = EventTemplate.objects.select_for_update().filter(guild_id=event.guild_id, name__iexact=name).first()
    if existing is not None:
        for field, value in values.items():
            setattr(existing, field, value)
        existing.name = name
        existing.save()
        return Saved(existing, replaced=True)
    try:
        with transaction.atomic():
            template = EventTemplate.objects.create(
                guild_id=event.guild_id, name=name, created_by_id=created_by_id, **values
            )
    except IntegrityError:  # the same name saved at the same moment: that one stands
        raise RuleError(f"A template named {name!r} was saved just now; try again to replace it.") from None
    return Saved(template, replaced=False)


def draft_at(template: EventTemplate, starts_at: datetime) -> EventDraft:
    """The event ``template`` makes at ``starts_at``."""
    return EventDraft(
        title=template.title,
        description=template.description,
        location=template.location,
        starts_at=starts_at,
        ends_at=starts_at + template.duration if template.duration else None,
        capacity=template.capacity,
        signup_deadline=starts_at - template.signup_lead if template.signup_lead else None,
        needs_rides=template.needs_rides,
        needs_rooms=template.needs_rooms,
    )


def reminders_of(template: EventTemplate) -> list[timedelta]:
    return [timedelta(seconds=seconds) for seconds in template.reminder_offsets]


def expected_of(template: EventTemplate) -> nudges.Expected:
    """Who the template's events expect to answer, and when they are nudged."""
    offsets = tuple(timedelta(seconds=seconds) for seconds in template.nudge_offsets)
    return nudges.Expected(template.expected_role_id, offsets)


def gates_of(template: EventTemplate) -> signup.Signup:
    """Who may sign up for the template's events, and as what."""
    return signup.Signup(tuple(template.allowed_role_ids), signup.specs_from_json(template.signup_options))


def use_template(
    guild: Guild, template: EventTemplate, starts_at: datetime, *, now: datetime, created_by_id: int | None = None
) -> Event:
    """Create the event ``template`` makes at ``starts_at``, posted in its channel (else the guild's)."""
    if template.guild_id != guild.id:
        raise RuleError("There is no such template in this server.")
    draft = draft_at(template, starts_at)
    if starts_at > now and draft.signup_deadline is not None and draft.signup_deadline <= now:
        raise RuleError(
            "Registration would already be closed: the template closes it "
            f"{_lead(template.signup_lead)} before the start. Choose a later start."
        )
    return services.create_event(
        guild,
        draft,
        now=now,
        created_by_id=created_by_id,
        channel_id=template.channel_id,
        reminder_offsets=reminders_of(template),
        gates=gates_of(template),
        expected=expected_of(template),
    )


def delete_template(guild_id: int, name: str) -> str:
    """Delete the guild's template ``name``; returns its name as stored. Events made from it stay."""
    template = find(guild_id, name)
    template.delete()
    return template.name


def summary(template: EventTemplate) -> str:
    """One line of what the template makes: 'Training, 2 h, 16 places, closes 2 h before, reminders 1 d, 1 h'."""
    parts = [template.title]
    if template.duration:
        parts.append(_lead(template.duration))
    parts.append(f"{template.capacity} places" if template.capacity else "no limit")
    if template.signup_lead:
        parts.append(f"closes {_lead(template.signup_lead)} before")
    if template.reminder_offsets:
        parts.append("reminders " + ", ".join(_lead(offset) for offset in reminders_of(template)))
    if template.location:
        parts.append(f"at {template.location}")
    return ", ".join(parts)


def gates_text(template: EventTemplate) -> str:
    """For Discord, after the summary: its signup options with their places and who may go, as
    markdown ('options **Driver** (4 places), **Rider** (16 places); Going only with <@&1>')."""
    parts = []
    specs = signup.specs_from_json(template.signup_options)
    if specs:
        shown = [
            f"**{escape(spec.label)}**" + (f" ({spec.capacity} places)" if spec.capacity is not None else "")
            for spec in specs
        ]
        parts.append("options " + ", ".join(shown))
    if template.allowed_role_ids:
        parts.append(f"Going only with {roles_text(template.allowed_role_ids)}")
    return "; ".join(parts)


def _lead(offset: timedelta) -> str:
    return offset_text(offset)
