"""Editing a poll on the dashboard: the admin's form, the post redrawn, closed polls final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.models import OrganiserAction
from core.redis import get_redis
from polls.models import Poll
from tests.polls.factories import PollFactory

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def edit_url(poll) -> str:
    return f"/dashboard/g/{poll.guild_id}/polls/{poll.id}/edit/"


def test_an_edit_saves_in_the_guilds_zone_and_redraws_the_post(world, django_capture_on_commit_callbacks):
    poll = PollFactory(guild=world.cast.guild, question="Pizza?")
    queued = f"refresh:poll:{poll.id}:queued"
    get_redis().delete(queued)
    olivia = log_in(world, "olivia")
    assert (
        'href="' + edit_url(poll) + '"' in olivia.get(f"/dashboard/g/{poll.guild_id}/polls/{poll.id}/").content.decode()
    )
    closes = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=9, minute=30, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        done = csrf_post(olivia, edit_url(poll), {"question": "Pasta?", "closes_at": closes.strftime("%Y-%m-%dT%H:%M")})
    assert done.status_code == 302
    poll.refresh_from_db()
    assert poll.question == "Pasta?"
    assert poll.closes_at == closes - timedelta(hours=1)  # typed in Europe/Paris (UTC+1 in winter)
    assert get_redis().get(queued) is not None  # the post's redraw is queued
    action = OrganiserAction.objects.get()
    assert (action.action, action.detail) == ("edited poll", "question, closes_at")


def test_a_past_closing_time_or_a_closed_poll_is_a_form_error(world):
    poll = PollFactory(guild=world.cast.guild, question="Pizza?")
    olivia = log_in(world, "olivia")
    page = edit_url(poll)
    past = csrf_post(olivia, page, {"question": "Pasta?", "closes_at": "2020-01-01T10:00"}, page=page)
    assert past.status_code == 400
    assert "The closing time is in the past." in past.content.decode()
    Poll.objects.filter(pk=poll.pk).update(status=Poll.Status.CLOSED, closed_at=datetime(2026, 1, 1, tzinfo=UTC))
    closed = csrf_post(olivia, page, {"question": "Pasta?", "closes_at": ""}, page=page)
    assert closed.status_code == 400
    assert "This poll is closed" in closed.content.decode()
    assert Poll.objects.get(pk=poll.pk).question == "Pizza?"
    assert not OrganiserAction.objects.exists()


def test_outsiders_and_another_guilds_poll_get_404(world):
    poll = PollFactory(guild=world.cast.guild, question="Pizza?")
    theirs = PollFactory(guild=world.cast.outsider.guild, question="Theirs?")
    for name in ("otto", "oscar", "alice"):
        client = log_in(world, name)
        assert client.get(edit_url(poll)).status_code == 404, name
        token = client.cookies["csrftoken"].value
        assert client.post(edit_url(poll), {"question": "X?", "csrfmiddlewaretoken": token}).status_code == 404, name
    olivia = log_in(world, "olivia")
    mixed = f"/dashboard/g/{poll.guild_id}/polls/{theirs.id}/edit/"
    assert olivia.get(mixed).status_code == 404
    assert csrf_post(olivia, mixed, {"question": "X?"}, page=edit_url(poll)).status_code == 404
    assert Poll.objects.get(pk=theirs.pk).question == "Theirs?"


def test_the_edit_needs_the_csrf_token(world):
    poll = PollFactory(guild=world.cast.guild, question="Pizza?")
    olivia = log_in(world, "olivia")
    assert olivia.post(edit_url(poll), {"question": "Pasta?"}).status_code == 403
    assert Poll.objects.get(pk=poll.pk).question == "Pizza?"


def test_the_admins_change_redraws_the_post_too(world, django_capture_on_commit_callbacks):
    poll = PollFactory(guild=world.cast.guild, question="Pizza?")
    queued = f"refresh:poll:{poll.id}:queued"
    get_redis().delete(queued)
    data = {"guild": poll.guild_id, "question": "Pasta?", "channel_id": poll.channel_id}
    data.update({"options-TOTAL_FORMS": "2", "options-INITIAL_FORMS": "2"})
    for index, option in enumerate(poll.options.order_by("position")):
        data.update({f"options-{index}-id": option.id, f"options-{index}-poll": poll.id})
        data.update({f"options-{index}-position": option.position, f"options-{index}-label": option.label})
    olivia = log_in(world, "olivia")
    with django_capture_on_commit_callbacks(execute=True):
        done = csrf_post(olivia, f"/admin/polls/poll/{poll.id}/change/", data)
    assert done.status_code == 302, done.context["adminform"].form.errors if done.context else done
    assert Poll.objects.get(pk=poll.pk).question == "Pasta?"
    assert get_redis().get(queued) is not None
