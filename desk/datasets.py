"""What the desk offers to views over several domains (core.datasets): the guild's tasks.

One row per task of the guild (whatever events are chosen: tasks belong to no event);
a done task is marked "done".
"""

from __future__ import annotations

from collections.abc import Iterator

from core.datasets import (
    DATETIME,
    INTEGER,
    Column,
    Dataset,
    Row,
    Selection,
    aggregate_fingerprint,
    member_names,
    register,
)
from desk.models import Task


def _tasks(selection: Selection):
    return Task.objects.filter(guild=selection.guild)


def task_rows(selection: Selection) -> Iterator[Row]:
    tasks = list(_tasks(selection).order_by("id"))
    names = member_names(
        selection.guild.id, also={t.assignee_id for t in tasks} | {t.created_by_id for t in tasks} - {None}
    )
    for task in tasks:
        values = {
            "Task ID": task.id,
            "Title": task.title,
            "Assignee": names.get(task.assignee_id, "") if task.assignee_id else "",
            "Created by": names.get(task.created_by_id, "") if task.created_by_id else "",
            "Due": task.due_at,
            "Priority": task.get_priority_display(),
            "Status": task.get_status_display(),
            "Done at": task.done_at,
            "Details": task.details,
        }
        yield Row(f"task-{task.id}", values, status="done" if task.status == Task.Status.DONE else "")


def task_fingerprint(selection: Selection) -> str:
    return aggregate_fingerprint(_tasks(selection), "updated_at")


register(
    Dataset(
        name="tasks",
        title="Tasks",
        columns=(
            Column("Task ID", INTEGER),
            Column("Title"),
            Column("Assignee"),
            Column("Created by"),
            Column("Due", DATETIME),
            Column("Priority"),
            Column("Status"),
            Column("Done at", DATETIME),
            Column("Details"),
        ),
        rows=task_rows,
        fingerprint=task_fingerprint,
    )
)
