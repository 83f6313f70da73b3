"""Who may sign up, and as what: role-restricted signup and signup options (a sub-domain of
``events.services``).

An event may allow Going and Maybe only to members holding one of its ``allowed_role_ids``
(Discord reports the roles with each click, so a role given or taken a minute ago counts
at once); others are told which role they need. An event may also have signup options
("Driver" 4, "Rider" 16): Going asks which, each option has its own capacity inside the
event's, and beyond it the member waits for a place of that option. Everything here runs
inside ``events.services``' transactions, under the event row's lock, so capacities hold
whatever the number of simultaneous clicks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from core.errors import RuleError
from events.discord.messages import roles_text
from events.models import Event, Registration, Series, SignupOption

Status = Registration.Status
MAX_OPTIONS = 5  # one row of buttons when Going asks which
LABEL_MAX = SignupOption._meta.get_field("label").max_length
CAPACITY_MAX = 100_000
MAX_ROLES = 10
OPTION = re.compile(r"^(?P<label>.*?)(?:\s+(?P<capacity>\d+))?$")


@dataclass(frozen=True)
class OptionSpec:
    """A signup option as an organiser writes it: its label and its own capacity (None: none)."""

    label: str
    capacity: int | None = None

    def text(self) -> str:
        return f"{self.label} {self.capacity}" if self.capacity is not None else self.label


@dataclass(frozen=True)
class Signup:
    """Who may go (role ids; empty: everyone) and the signup options of a new event."""

    allowed_role_ids: tuple[int, ...] = ()
    options: tuple[OptionSpec, ...] = ()


OPEN = Signup()  # everyone may go, no options


def parse_options(text: str | None) -> tuple[OptionSpec, ...]:
    """Read "Driver 4, Rider 16, Helper" (a number after a label is its capacity); empty or "-": none."""
    text = (text or "").strip()
    if text in ("", "-"):
        return ()
    specs = []
    for part in text.split(","):
        match = OPTION.match(part.strip())
        label, capacity = match["label"].strip(), match["capacity"]
        if not label or label.isdigit():
            raise RuleError(f'Each option needs a name before its number, as in "Driver 4"; "{part.strip()}" has none.')
        specs.append(OptionSpec(label, int(capacity) if capacity is not None else None))
    specs = tuple(specs)
    validate_options(specs)
    return specs


def options_text(specs: Iterable[OptionSpec]) -> str:
    """The options as they are typed: "Driver 4, Rider 16"."""
    return ", ".join(spec.text() for spec in specs)


def validate_options(specs: tuple[OptionSpec, ...]) -> None:
    if len(specs) > MAX_OPTIONS:
        raise RuleError(f"An event can have at most {MAX_OPTIONS} signup options; this has {len(specs)}.")
    seen = set()
    for spec in specs:
        if not spec.label.strip():
            raise RuleError("Each signup option needs a name.")
        if len(spec.label) > LABEL_MAX:
            raise RuleError(f"A signup option's name can be at most {LABEL_MAX} characters; {spec.label!r} is longer.")
        if spec.capacity is not None and not 1 <= spec.capacity <= CAPACITY_MAX:
            raise RuleError(f"The capacity of {spec.label} must be between 1 and {CAPACITY_MAX}.")
        if spec.label.casefold() in seen:
            raise RuleError(f"There are two signup options called {spec.label}; give each its own name.")
        seen.add(spec.label.casefold())


def validate_roles(role_ids: Iterable[int]) -> tuple[int, ...]:
    ids = tuple(dict.fromkeys(int(role_id) for role_id in role_ids))
    if len(ids) > MAX_ROLES:
        raise RuleError(f"Signup can be restricted to at most {MAX_ROLES} roles.")
    return ids


def specs_of(event: Event) -> tuple[OptionSpec, ...]:
    return tuple(OptionSpec(o.label, o.capacity) for o in event.signup_options.all())


def specs_from_json(rows: Iterable) -> tuple[OptionSpec, ...]:
    """A series' stored options ([["Driver", 4], ...]) as specs."""
    return tuple(OptionSpec(label, capacity) for label, capacity in rows)


def specs_to_json(specs: Iterable[OptionSpec]) -> list:
    return [[spec.label, spec.capacity] for spec in specs]


def check_roles(event: Event | Series, role_ids: Iterable[int] | None) -> None:
    """Refuse Going and Maybe to a member holding none of the event's roles.

    ``role_ids`` None: the caller is an organiser acting for the member (the dashboard,
    the API), who may register anyone.
    """
    if not event.allowed_role_ids or role_ids is None:
        return
    if not {int(r) for r in role_ids} & {int(r) for r in event.allowed_role_ids}:
        many = len(event.allowed_role_ids) > 1
        raise RuleError(
            f"Only members with the {roles_text(event.allowed_role_ids)} role{' (any of them)' if many else ''} "
            f"can sign up for this event."
        )


def set_options(event: Event, specs: tuple[OptionSpec, ...]) -> None:
    """Make the event's options exactly ``specs`` (call with the event locked).

    An option keeps its row (and its members) when its label stays; removing an option
    members chose, or lowering its capacity below how many are going as it, is refused
    rather than silently dropping them. Freed places are filled by ``promote_waitlist``.
    """
    validate_options(specs)
    existing = {option.label: option for option in event.signup_options.all()}
    wanted = {spec.label for spec in specs}
    for label, option in existing.items():
        if label not in wanted:
            taken = option.registrations.filter(status__in=(Status.GOING, Status.WAITLISTED)).count()
            if taken:
                raise RuleError(
                    f"{taken} member{' has' if taken == 1 else 's have'} signed up as {label}: "
                    "keep that option, or remove their registrations first."
                )
            option.delete()
    for position, spec in enumerate(specs):
        option = existing.get(spec.label) or SignupOption(event=event, label=spec.label)
        if spec.capacity is not None and option.pk:
            going = option.registrations.filter(status=Status.GOING).count()
            if spec.capacity < going:
                raise RuleError(f"{going} members are going as {spec.label}; its capacity cannot be lower than that.")
        option.capacity, option.position = spec.capacity, position
        option.save()


def chosen_option(event: Event, option_id: int | None, registration: Registration | None) -> SignupOption | None:
    """The option a member goes as: the one chosen, else the one they already hold.

    Events without options take none; an event with options needs one.
    """
    options = list(event.signup_options.all())
    if not options:
        if option_id is not None:
            raise RuleError("This event has no signup options.")
        return None
    if option_id is None:
        held = (
            registration.option_id
            if registration and registration.status in (Status.GOING, Status.WAITLISTED)
            else None
        )
        for option in options:
            if option.id == held:
                return option
        raise RuleError(f"Choose how you are going: {', '.join(option.label for option in options)}.")
    for option in options:
        if option.id == int(option_id):
            return option
    raise RuleError("That is not one of this event's signup options.")


def has_place(event: Event, option: SignupOption | None, *, exclude: Registration | None = None) -> bool:
    """Whether one more member can go (as ``option``), not counting ``exclude``'s own place."""
    going = event.registrations.filter(status=Status.GOING)
    if exclude is not None and exclude.pk:
        going = going.exclude(pk=exclude.pk)
    if event.capacity is not None and going.count() >= event.capacity:
        return False
    return option is None or option.capacity is None or going.filter(option=option).count() < option.capacity


def promotable(event: Event) -> list[Registration]:
    """Waiting registrations that now have a place, in click order (call with the event locked).

    With options, a member waits for a place of their own option: someone further down
    whose option has room moves up before them, the event's capacity permitting.
    """
    waiting = event.registrations.filter(status=Status.WAITLISTED).order_by("sequence", "id")
    going = event.registrations.filter(status=Status.GOING)
    free = None if event.capacity is None else max(event.capacity - going.count(), 0)
    capacities = dict(event.signup_options.values_list("id", "capacity"))
    if not capacities:
        return list(waiting if free is None else waiting[:free])
    taken = dict(going.order_by().values_list("option_id").annotate(n=Count("id")).values_list("option_id", "n"))
    chosen = []
    for registration in waiting:
        if free is not None and free <= 0:
            break
        capacity = capacities.get(registration.option_id)
        if capacity is not None and taken.get(registration.option_id, 0) >= capacity:
            continue
        chosen.append(registration)
        taken[registration.option_id] = taken.get(registration.option_id, 0) + 1
        free = None if free is None else free - 1
    return chosen
