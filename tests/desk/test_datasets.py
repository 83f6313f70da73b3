"""The tasks in the Sheets export (core.datasets): one row per task of the guild, done ones marked."""

from __future__ import annotations

import pytest

from core import datasets
from core.datasets import Selection, iter_rows
from desk.models import Task

pytestmark = pytest.mark.django_db


def test_the_tasks_dataset_has_one_row_per_task_of_the_guild(cast, make_task):
    open_task = make_task("Agenda", priority="high")
    done = make_task("Chairs", status="done")
    Task.objects.create(guild=cast.outsider.guild, title="Elsewhere's")
    dataset = datasets.get("tasks")
    before = dataset.fingerprint(Selection(cast.guild))
    rows = list(iter_rows(dataset, Selection(cast.guild)))
    assert [(r.muster_id, r.values["Title"], r.values["Priority"], r.status) for r in rows] == [
        (f"task-{open_task.id}", "Agenda", "High", ""),
        (f"task-{done.id}", "Chairs", "Normal", "done"),
    ]
    assert rows[0].values["Assignee"] == str(cast.member.member)
    Task.objects.filter(id=open_task.id).update(title="Agenda v2")
    open_task.refresh_from_db()
    open_task.save()
    assert dataset.fingerprint(Selection(cast.guild)) != before
