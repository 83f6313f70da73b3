"""The desk's tests: the cast, and a task maker that skips the services' "not in the past" check."""

from __future__ import annotations

from datetime import datetime

import pytest


@pytest.fixture
def make_task(cast):
    from desk.models import Task

    def make(title: str = "Write the agenda", *, assignee=None, due_at: datetime | None = None, **fields) -> Task:
        member = (assignee or cast.member).member_id
        return Task.objects.create(
            guild=cast.guild, title=title, assignee_id=member, created_by_id=member, due_at=due_at, **fields
        )

    return make
