"""The Tasks page: organisers list, create, edit and close tasks through desk.services, logged."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import OrganiserAction, OutboundMessage
from desk.models import Task

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.now().year + 1


def url(world, tail: str = "") -> str:
    return f"/dashboard/g/{world.cast.guild.id}/tasks/{tail}"


def test_an_organiser_creates_a_task_for_a_member_who_is_told_by_dm(world):
    olivia = log_in(world, "olivia")
    member = world.cast.member.member_id
    data = {"title": "Order pizza", "assignee": str(member), "due": f"{NEXT_YEAR}-03-02 18:00", "priority": "high"}
    done = csrf_post(olivia, url(world, "new/"), data)
    assert (done.status_code, done["Location"]) == (302, url(world))
    task = Task.objects.get()
    paris = task.due_at.astimezone(ZoneInfo("Europe/Paris"))  # the organiser has no zone: the server's
    assert (task.assignee_id, task.priority, paris.hour, task.created_by_id) == (
        member,
        "high",
        18,
        world.cast.organiser.member_id,
    )
    assert OutboundMessage.objects.filter(member_id=member).count() == 1
    assert OrganiserAction.objects.get().action == "created task"
    assert "Order pizza" in olivia.get(url(world)).content.decode()


def test_a_refused_due_time_is_a_form_error(world):
    olivia = log_in(world, "olivia")
    answer = csrf_post(olivia, url(world, "new/"), {"title": "Late", "due": "2020-01-01 10:00", "priority": "normal"})
    assert answer.status_code == 400
    assert "is in the past" in answer.content.decode()
    assert not Task.objects.exists()


def test_editing_reassigns_and_the_list_filters_overdue(world):
    member = world.cast.member.member_id
    late = Task.objects.create(
        guild=world.cast.guild, title="Late one", assignee_id=member, due_at=timezone.now() - timedelta(hours=1)
    )
    Task.objects.create(guild=world.cast.guild, title="Fine one", assignee_id=member)
    olivia = log_in(world, "olivia")
    listed = olivia.get(url(world), {"status": "open", "overdue": "on"}).content.decode()
    assert "Late one" in listed and "Fine one" not in listed
    data = {"title": "Late one, renamed", "assignee": str(world.cast.organiser.member_id), "due": "", "priority": "low"}
    done = csrf_post(olivia, url(world, f"{late.id}/"), data)
    assert done.status_code == 302
    late.refresh_from_db()
    assert (late.title, late.assignee_id, late.due_at, late.priority) == (
        "Late one, renamed",
        world.cast.organiser.member_id,
        None,
        "low",
    )
    closed = csrf_post(olivia, url(world, f"{late.id}/done/"), {}, page=url(world))
    assert closed.status_code == 302
    late.refresh_from_db()
    assert late.status == "done"
    assert list(OrganiserAction.objects.order_by("id").values_list("action", flat=True)) == [
        "edited task",
        "marked task done",
    ]


def test_an_overdue_tasks_title_is_edited_without_touching_its_past_due_time(world):
    due = (timezone.now() - timedelta(days=1)).replace(second=0, microsecond=0)
    task = Task.objects.create(guild=world.cast.guild, title="Old", assignee_id=world.cast.member.member_id, due_at=due)
    olivia = log_in(world, "olivia")
    form = olivia.get(url(world, f"{task.id}/")).context["form"]
    data = {**form.initial, "title": "Old, renamed"}
    data.pop("submission", None)
    assert csrf_post(olivia, url(world, f"{task.id}/"), data).status_code == 302
    task.refresh_from_db()
    assert (task.title, task.due_at) == ("Old, renamed", due)
