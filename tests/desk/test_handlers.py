"""/task's handlers, driven with the interactions a worker receives from the cast."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import dispatcher
from core.models import Member, OutboundMessage
from core.permissions import REFUSAL
from desk.models import DeskSettings, MemberPrefs, Task, TaskComment
from tests.cast import handle

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.now().year + 1


def task_command(cast, who, name: str, **options):
    return cast.interaction(who, command=f"task {name}", options=options)


def test_add_reads_the_due_time_in_the_members_zone(cast):
    Member.objects.filter(id=cast.member.member_id).update(timezone="Asia/Tokyo")
    reply = handle(task_command(cast, cast.member, "add", title="Ship it", due=f"{NEXT_YEAR}-06-10 09:30"))
    task = Task.objects.get()
    assert task.due_at == datetime(NEXT_YEAR, 6, 10, 0, 30, tzinfo=UTC)
    assert (task.assignee_id, task.created_by_id) == (cast.member.member_id, cast.member.member_id)
    assert reply.content == (
        f"Added task #{task.id}: Ship it, yours, due {task.due_at.astimezone(ZoneInfo('Asia/Tokyo')):%A} 10 June "
        f"{NEXT_YEAR} 09:30 (Asia/Tokyo)."
    )


def test_a_date_alone_is_due_at_17_00_that_day_in_the_guilds_zone(cast):
    handle(task_command(cast, cast.member, "add", title="Report", due=f"{NEXT_YEAR}-01-15"))
    paris = Task.objects.get().due_at.astimezone(ZoneInfo("Europe/Paris"))  # the cast's guild zone
    assert (paris.date().isoformat(), paris.hour, paris.minute) == (f"{NEXT_YEAR}-01-15", 17, 0)
    with pytest.raises(RuleError, match=r"^I could not read the due time 'someday'\. Write it like "):
        handle(task_command(cast, cast.member, "add", title="Report", due="someday"))
    with pytest.raises(
        RuleError, match=r"^The due time Wednesday 1 January 2020 17:00 \(Europe/Paris\) is in the past\.$"
    ):
        handle(task_command(cast, cast.member, "add", title="Report", due="2020-01-01"))
    with pytest.raises(RuleError, match=r"^The due time .* is in the past."):
        handle(task_command(cast, cast.member, "add", title="Report", due="2020-01-01 10:00"))


def test_a_member_cannot_give_a_task_to_someone_else_but_an_organiser_can(cast):
    with pytest.raises(RuleError, match=r"^Only organisers and task managers can give a task to someone else\.$"):
        handle(task_command(cast, cast.member, "add", title="Chairs", assignee=str(cast.organiser.member_id)))
    reply = handle(task_command(cast, cast.organiser, "add", title="Chairs", assignee=str(cast.member.member_id)))
    task = Task.objects.get()
    assert reply.content == f"Added task #{task.id}: Chairs, assigned to <@{cast.member.member_id}> (told by DM)."
    assert OutboundMessage.objects.filter(member_id=cast.member.member_id).count() == 1


def test_a_member_holding_the_task_managers_role_assigns_others(cast):
    role = 555_000_000_000_000_321
    DeskSettings.objects.create(guild=cast.guild, manager_role_id=role)
    task = Task.objects.create(guild=cast.guild, title="Flyers", assignee=cast.organiser.member)
    interaction = task_command(cast, cast.member, "assign", task=task.id, member=str(cast.member.member_id))
    with pytest.raises(RuleError):
        handle(interaction)
    manager = replace(interaction, actor=replace(interaction.actor, role_ids=(role,)))
    assert handle(manager).content == f"Task #{task.id} is now <@{cast.member.member_id}>'s."


def test_list_done_reopen_edit_comment_and_show(cast):
    handle(task_command(cast, cast.member, "add", title="First", priority="high"))
    handle(task_command(cast, cast.organiser, "add", title="Theirs"))
    first = Task.objects.get(title="First")
    mine = handle(task_command(cast, cast.member, "list"))
    assert mine.content == "Your open tasks:"
    assert mine.embeds[0]["description"] == f"`#{first.id}` First ❗ → <@{cast.member.member_id}>"
    everyone = handle(task_command(cast, cast.member, "list", whose="all"))
    assert len(everyone.embeds[0]["description"].splitlines()) == 2
    theirs = handle(task_command(cast, cast.member, "list", member=str(cast.organiser.member_id)))
    assert theirs.content == f"<@{cast.organiser.member_id}>'s open tasks:"
    assert handle(task_command(cast, cast.member, "done", task=first.id)).content == f"Task #{first.id} is done: First."
    assert handle(task_command(cast, cast.member, "list")).content == "Your open tasks: none."
    assert handle(task_command(cast, cast.member, "list", status="done")).content == "Your done tasks:"
    assert handle(task_command(cast, cast.member, "reopen", task=first.id)).content.endswith("is open again: First.")
    edited = handle(task_command(cast, cast.member, "edit", task=first.id, title="First, renamed", due="in 3 days"))
    assert edited.content.startswith(f"Updated task #{first.id}: First, renamed. It is due ")
    cleared = handle(task_command(cast, cast.member, "edit", task=first.id, due="none"))
    assert cleared.content.endswith("It has no due time.")
    theirs_task = Task.objects.get(title="Theirs")
    with pytest.raises(RuleError, match=r"^Only organisers and task managers can change someone else's task\.$"):
        handle(task_command(cast, cast.member, "edit", task=theirs_task.id, title="Mine"))
    # Anyone comments on any task of the guild.
    assert handle(task_command(cast, cast.member, "comment", task=theirs_task.id, text="On it?")).content == (
        f"Commented on task #{theirs_task.id}."
    )
    assert TaskComment.objects.get().author_id == cast.member.member_id
    shown = handle(task_command(cast, cast.organiser, "show", task=theirs_task.id))
    assert shown.embeds[0]["title"] == f"#{theirs_task.id} Theirs"
    assert "On it?" in shown.embeds[0]["fields"][-1]["value"]


def test_settings_the_members_reminder_and_the_organisers_guild_settings(cast):
    reply = handle(task_command(cast, cast.member, "settings", reminder="1h"))
    assert reply.content == "Your task reminder: a DM 1 hour before the due time."
    assert MemberPrefs.objects.get(member_id=cast.member.member_id).reminder == "1h"
    with pytest.raises(RuleError, match=f"^{REFUSAL}$"):
        handle(task_command(cast, cast.member, "settings", digest_hour=8))
    role = 555_000_000_000_000_999
    said = handle(task_command(cast, cast.organiser, "settings", managers=str(role), digest_hour=8))
    assert said.content.startswith(
        f"Task managers: <@&{role}>. The overdue digest goes at 08:00 on each member's clock."
    )
    assert DeskSettings.objects.values_list("manager_role_id", "digest_hour").get() == (role, 8)


def test_the_board_is_for_organisers(cast):
    refused = dispatcher.run(task_command(cast, cast.member, "board", channel="700000000000000056"))
    assert refused[1]["message"]["content"] == REFUSAL
    reply = handle(task_command(cast, cast.organiser, "board", channel="700000000000000056"))
    assert reply.content.startswith("The task board is posted in <#700000000000000056>")
    assert OutboundMessage.objects.filter(channel_id=700000000000000056).count() == 1


def test_reminders_next_to_now_are_claimed_by_the_tick(cast):
    from desk.tasks import send_due_reminders

    handle(task_command(cast, cast.member, "settings", reminder="1h"))
    handle(task_command(cast, cast.member, "add", title="Soon", due="in 2 hours"))
    task = Task.objects.get()
    Task.objects.filter(id=task.id).update(remind_at=timezone.now() - timedelta(seconds=1))
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
