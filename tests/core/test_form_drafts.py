"""A refused form keeps what was typed for a few minutes and reopens filled in, for that member only."""

import asyncio

import pytest
from django.utils import timezone

from core.interactions import dispatcher
from core.interactions.declare import click_forms, layouts, reopened_form
from core.interactions.drafts import EXPIRED, KEEP_FOR, RETRY

pytestmark = pytest.mark.django_db

TYPED = {"title": "Picnic", "start": "soonish", "location": "The park", "description": "Bring food\nand water"}


def refuse_form(cast):
    form = cast.interaction(cast.organiser, kind="modal", custom_id="event:create:5:0:0:1d:", fields=TYPED)
    outcome, stored, _, _ = dispatcher.run(form)
    return outcome, stored["message"]


def retry_id(message) -> str:
    (row,) = message["components"]
    (button,) = row["components"]
    assert (button["label"], button["style"]) == ("Edit and try again", 1)
    return button["custom_id"]


def test_a_refused_form_carries_a_button_that_reopens_it_with_what_was_typed(cast, flush_redis):
    outcome, message = refuse_form(cast)
    assert outcome == "refused"
    assert message["content"].startswith("I could not read the start 'soonish'.")

    form = asyncio.run(reopened_form(retry_id(message), cast.organiser.member_id))

    assert (form.custom_id, form.title) == ("event:create:5:0:0:1d:", "New event")
    assert [(f.custom_id, f.default) for f in form.fields] == [
        ("title", "Picnic"),
        ("start", "soonish"),
        ("end", None),
        ("location", "The park"),
        ("description", "Bring food\nand water"),
    ]


def test_the_typed_values_are_kept_a_few_minutes_under_the_members_id(cast, flush_redis):
    _, message = refuse_form(cast)
    draft = RETRY.parse(retry_id(message))["draft"]
    (key,) = flush_redis.keys("muster:form-draft:*")
    assert key.decode() == f"muster:form-draft:{cast.organiser.member_id}:{draft}"
    assert 0 < flush_redis.ttl(key) <= KEEP_FOR.total_seconds() == 600


def test_another_member_or_a_late_click_gets_nothing(cast, flush_redis):
    _, message = refuse_form(cast)
    custom_id = retry_id(message)
    assert asyncio.run(reopened_form(custom_id, cast.member.member_id)) is None
    flush_redis.flushall()
    assert asyncio.run(reopened_form(custom_id, cast.organiser.member_id)) is None
    assert EXPIRED == "That form has expired (typed values are kept for 10 minutes). Run the command again."


def test_a_refusal_that_is_not_a_form_has_no_button(cast, flush_redis):
    start = (timezone.now()).strftime("%Y-%m-%d %H:%M")
    edit = cast.interaction(cast.organiser, command="event edit", options={"event": 1, "start": start})
    _, stored, _, _ = dispatcher.run(edit)
    assert stored["message"] == {"content": "There is no such event in this server."}
    assert flush_redis.keys("muster:form-draft:*") == []


def test_every_form_a_worker_handles_has_a_layout_the_gateway_can_reopen():
    from core.interactions.routing import routes

    # A button's form (ClickForm) is reopened from its layout if it has one (leave's Decline),
    # else rebuilt from its own parts (a standup's questions).
    clicked = sorted(click.form.prefix for click in click_forms().values())
    assert clicked == ["leave:declined", "standup:answer"]
    assert (
        sorted({*layouts(), *clicked})
        == sorted(route.name for route in routes("modal"))
        == [
            "custom:save",
            "event:create",
            "event:expecting",
            "event:expecting_series",
            "event:series",
            "leave:declined",
            "poll:create",
            "poll:dates",
            "results:post",
            "schedule:create",
            "schedule:edit",
            "standup:answer",
        ]
    )


def test_a_redacted_form_keeps_nothing_and_offers_no_button(cast, flush_redis):
    form = cast.interaction(cast.organiser, kind="modal", custom_id="event:create:5:0:0:1d:", fields=TYPED)
    outcome, stored, _, _ = dispatcher.run(form, redacted=True)
    assert (outcome, "components" in stored["message"]) == ("refused", False)
    assert flush_redis.keys("muster:form-draft:*") == []
