"""The task board: open tasks by assignee, overdue marked, posted once and redrawn from what is current."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboundMessage
from desk import services
from desk.discord.messages import board_message, render_board
from desk.models import TaskBoard
from desk.services import By

pytestmark = pytest.mark.django_db
BOARD_CHANNEL = 700_000_000_000_000_099


def test_the_board_lists_open_tasks_by_assignee_unassigned_last_with_overdue_marked(cast, make_task):
    now = timezone.now()
    late = make_task("Late one", due_at=now - timedelta(hours=2))
    make_task("Later one", due_at=now + timedelta(days=1), priority="high")
    theirs = make_task("Organiser's", assignee=cast.organiser)
    loose = make_task("Nobody's")
    loose.assignee = None
    loose.save()
    make_task("Finished", status="done")
    text = board_message(cast.guild.id, now)["embeds"][0]["description"].splitlines()
    members = sorted([cast.member.member_id, cast.organiser.member_id])
    groups = [line for line in text if line.startswith("**")]
    assert groups == [f"**<@{members[0]}>**", f"**<@{members[1]}>**", "**Unassigned**"]
    assert f"`#{late.id}` Late one — due <t:{int(late.due_at.timestamp())}:f> **(overdue)**" in text
    assert any(line.startswith("`#") and "Later one ❗" in line and "overdue" not in line for line in text)
    assert f"`#{theirs.id}` Organiser's" in text
    assert text[-1] == f"`#{loose.id}` Nobody's"
    assert not any("Finished" in line for line in text)
    assert board_message(cast.guild.id, now)["embeds"][0]["footer"]["text"] == "4 open, 1 overdue"


def test_the_board_is_posted_once_and_redrawn_with_the_current_tasks(cast, make_task):
    now = timezone.now()
    board = services.place_board(cast.guild.id, BOARD_CHANNEL, now=now)
    post = OutboundMessage.objects.get(idempotency_key=f"desk:board:{cast.guild.id}:1")
    assert (post.channel_id, post.refresh_kind, post.refresh_object_id) == (BOARD_CHANNEL, "task_board", board.id)
    assert "No open tasks" in post.payload["embeds"][0]["description"]
    assert render_board(board.id) is None  # not delivered yet: nothing to edit
    OutboundMessage.objects.filter(id=post.id).update(delivered_message_id=4242)
    services.add_task(cast.guild.id, By(cast.member.member_id), title="Fresh task", now=now)
    drawn = render_board(board.id)
    assert (drawn.channel_id, drawn.message_id) == (BOARD_CHANNEL, 4242)
    assert "Fresh task" in drawn.message["embeds"][0]["description"]


def test_moving_the_board_posts_a_new_message(cast):
    now = timezone.now()
    services.place_board(cast.guild.id, BOARD_CHANNEL, now=now)
    board = services.place_board(cast.guild.id, BOARD_CHANNEL + 1, now=now)
    assert (board.version, board.message_id, TaskBoard.objects.count()) == (2, None, 1)
    keys = set(OutboundMessage.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"desk:board:{cast.guild.id}:1", f"desk:board:{cast.guild.id}:2"}
