"""/task's autocomplete of the task option: this guild's tasks by title or number."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync

from desk.discord.commands import done_task_choices, open_task_choices
from desk.models import Task

pytestmark = pytest.mark.django_db


def test_the_task_option_offers_this_guilds_tasks_by_title_or_number(cast, make_task):
    agenda = make_task("Write the agenda")
    make_task("Book the room")
    closed = make_task("Agenda of last week", status="done")
    Task.objects.create(guild=cast.outsider.guild, title="Agenda elsewhere")
    here = SimpleNamespace(guild_id=cast.guild.id)
    offered = async_to_sync(open_task_choices)(here, "agenda")
    assert [(c.name, c.value) for c in offered] == [(f"#{agenda.id} Write the agenda", agenda.id)]
    assert [c.value for c in async_to_sync(open_task_choices)(here, f"#{agenda.id}")] == [agenda.id]
    assert [c.value for c in async_to_sync(done_task_choices)(here, "")] == [closed.id]
