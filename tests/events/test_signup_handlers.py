"""Role-restricted signup and signup options from Discord: the buttons, the question, /event edit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import Actor, Interaction
from events.discord.messages import event_message
from events.models import Registration, SignupOption
from events.services import EventDraft, create_event
from events.signup import Signup, parse_options
from tests.cast import CHANNEL_ID, ORGANISER_ROLE_ID, handle

pytestmark = pytest.mark.django_db
Status = Registration.Status
RIDERS = 222_000_000_000_000_001


def event_of(cast, **gates):
    draft = EventDraft(title="Trip", starts_at=timezone.now() + timedelta(days=3), capacity=gates.pop("capacity", None))
    return create_event(cast.guild, draft, now=timezone.now(), gates=Signup(**gates))


def click(cast, who, custom_id, *, roles=(), id=1):
    actor = Actor(id=who.member_id, username=who.member.username, role_ids=tuple(roles))
    interaction = Interaction(
        id=id,
        token="t",
        application_id=1,
        kind="component",
        actor=actor,
        guild_id=who.guild_id,
        channel_id=CHANNEL_ID,
        custom_id=custom_id,
    )
    return handle(interaction)


def test_going_without_the_role_says_which_role_is_needed(cast):
    event = event_of(cast, allowed_role_ids=(RIDERS,))
    with pytest.raises(RuleError, match=rf"^Only members with the <@&{RIDERS}> role can sign up for this event\.$"):
        click(cast, cast.member, f"event:going:{event.id}")
    reply = click(cast, cast.member, f"event:going:{event.id}", roles=(RIDERS,))
    assert reply.content == "You are going to **Trip**. See you there!"


def test_going_asks_which_option_then_the_answer_replaces_the_question(cast):
    event = event_of(cast, capacity=10, options=parse_options("Driver 1, Rider 16"))
    driver, rider = SignupOption.objects.filter(event=event).order_by("position")
    question = click(cast, cast.member, f"event:going:{event.id}")
    assert question.content == "How are you going to **Trip**?"
    buttons = question.components[0]["components"]
    assert [(b["label"], b["custom_id"]) for b in buttons] == [
        ("Driver (0/1)", f"event:going_as:{event.id}:{driver.id}"),
        ("Rider (0/16)", f"event:going_as:{event.id}:{rider.id}"),
    ]
    assert event.registrations.count() == 0
    answer = click(cast, cast.member, f"event:going_as:{event.id}:{driver.id}")
    assert (answer.content, answer.components) == ("You are going to **Trip** as **Driver**. See you there!", [])
    full = click(cast, cast.organiser, f"event:going:{event.id}")
    assert [b["label"] for b in full.components[0]["components"]] == ["Driver (1/1, waitlist)", "Rider (0/16)"]
    waiting = click(cast, cast.organiser, f"event:going_as:{event.id}:{driver.id}", id=2)
    assert waiting.content == (
        "**Trip** as **Driver** is full: you are number 1 on the waitlist. You will get a DM if a place opens up."
    )


def test_the_post_shows_going_by_option_and_who_may_sign_up(cast):
    event = event_of(cast, allowed_role_ids=(RIDERS, ORGANISER_ROLE_ID), options=parse_options("Driver 4, Rider"))
    driver = SignupOption.objects.get(event=event, label="Driver")
    click(cast, cast.member, f"event:going_as:{event.id}:{driver.id}", roles=(RIDERS,))
    fields = event_message(event, event.roster(), now=timezone.now())["embeds"][0]["fields"]
    shown = {f["name"]: f["value"] for f in fields}
    assert shown["Going (1)"] == "By option below."
    assert shown["Driver (1/4)"] == f"<@{cast.member.member_id}>"
    assert shown["Rider (0)"] == "—"
    assert shown["Signup"].startswith(f"Open to members with the <@&{RIDERS}> or <@&{ORGANISER_ROLE_ID}> role until ")


def test_edit_sets_the_options_and_the_roles_and_opens_again(cast):
    event = event_of(cast)
    edit = cast.interaction(
        cast.organiser,
        command="event edit",
        options={"event": event.id, "signup_options": "Driver 4, Rider 16", "only_role": str(RIDERS)},
    )
    assert handle(edit).content == "Updated **Trip**."
    event.refresh_from_db()
    assert event.allowed_role_ids == [RIDERS]
    assert list(event.signup_options.values_list("label", "capacity")) == [("Driver", 4), ("Rider", 16)]
    reopen = cast.interaction(
        cast.organiser,
        command="event edit",
        options={"event": event.id, "open_to_everyone": True, "signup_options": "-"},
    )
    handle(reopen)
    event.refresh_from_db()
    assert (event.allowed_role_ids, event.signup_options.count()) == ([], 0)
    both = cast.interaction(
        cast.organiser, command="event edit", options={"event": event.id, "open_to_everyone": True, "or_role": "5"}
    )
    with pytest.raises(RuleError, match=r"^Give roles or open_to_everyone, not both\.$"):
        handle(both)
