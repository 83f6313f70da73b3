"""Tasks: who may do what, the assignee's DM, reminders at the chosen time, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.models import Member, OutboundMessage
from desk import services
from desk.models import DeskSettings, Task
from desk.services import By
from tests.cast import ORGANISER_ROLE_ID

pytestmark = pytest.mark.django_db

MANAGERS_ROLE = 555_000_000_000_000_777


def dms_to(member_id: int) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(member_id=member_id).order_by("id"))


def test_a_member_adds_a_task_for_themselves_and_is_not_told_by_dm(cast):
    now = timezone.now()
    task = services.add_task(cast.guild.id, By(cast.member.member_id), title="  Book   the room ", now=now)
    assert (task.title, task.assignee_id, task.created_by_id) == (
        "Book the room",
        cast.member.member_id,
        task.created_by_id,
    )
    assert dms_to(cast.member.member_id) == []


def test_only_managers_give_tasks_to_others(cast):
    now = timezone.now()
    with pytest.raises(RuleError, match=r"^Only organisers and task managers can give a task to someone else.$"):
        services.add_task(
            cast.guild.id, By(cast.member.member_id), title="Chairs", assignee_id=cast.organiser.member_id, now=now
        )
    guild = cast.guild
    assert not services.may_manage(guild, cast.member.member_id, (), 0)
    assert services.may_manage(guild, cast.organiser.member_id, (ORGANISER_ROLE_ID,), 0)
    assert not services.may_manage(guild, cast.member.member_id, (MANAGERS_ROLE,), 0)
    services.configure(guild.id, manager_role_id=MANAGERS_ROLE)
    assert services.may_manage(guild, cast.member.member_id, (MANAGERS_ROLE,), 0)
    task = services.add_task(
        guild.id, By(cast.member.member_id, manages=True), title="Chairs", assignee_id=cast.organiser.member_id, now=now
    )
    assert task.assignee_id == cast.organiser.member_id


def test_a_task_goes_only_to_a_member_of_the_guild(cast):
    with pytest.raises(RuleError, match=rf"^<@{cast.outsider.member_id}> is not a member of this server.$"):
        services.add_task(
            cast.guild.id,
            By(cast.organiser.member_id, manages=True),
            title="Chairs",
            assignee_id=cast.outsider.member_id,
            now=timezone.now(),
        )


def test_members_change_their_own_tasks_only(cast, make_task):
    now = timezone.now()
    theirs = make_task("Organiser's", assignee=cast.organiser)
    mine = make_task("Mine")
    member = By(cast.member.member_id)
    for change in (
        lambda: services.edit_task(theirs.id, cast.guild.id, member, now=now, title="Mine now"),
        lambda: services.set_done(theirs.id, cast.guild.id, member, done=True, now=now),
        lambda: services.assign(theirs.id, cast.guild.id, member, assignee_id=cast.member.member_id, now=now),
    ):
        with pytest.raises(RuleError, match=r"^Only organisers and task managers can change someone else's task.$"):
            change()
    assert services.edit_task(mine.id, cast.guild.id, member, now=now, title="Renamed").title == "Renamed"
    assert services.set_done(mine.id, cast.guild.id, member, done=True, now=now).status == Task.Status.DONE
    with pytest.raises(RuleError, match=rf"^Task #{mine.id} is already done.$"):
        services.set_done(mine.id, cast.guild.id, member, done=True, now=now)
    assert services.set_done(mine.id, cast.guild.id, member, done=False, now=now).done_at is None
    organiser = By(cast.organiser.member_id, manages=True)
    assert services.edit_task(mine.id, cast.guild.id, organiser, now=now, priority="high").priority == "high"


def test_a_task_of_another_guild_is_not_found(cast, make_task):
    task = make_task()
    with pytest.raises(RuleError, match=r"^There is no such task in this server.$"):
        services.set_done(
            task.id, cast.outsider.guild_id, By(cast.outsider.member_id, True), done=True, now=timezone.now()
        )


def test_the_assignee_is_told_by_dm_once_per_assignment(cast, make_task):
    now = timezone.now()
    task = make_task("Print the badges", assignee=cast.organiser)
    organiser = By(cast.organiser.member_id, manages=True)
    services.assign(task.id, cast.guild.id, organiser, assignee_id=cast.member.member_id, now=now)
    [dm] = dms_to(cast.member.member_id)
    assert dm.payload["content"].startswith(
        f"<@{cast.organiser.member_id}> assigned you task #{task.id}: Print the badges. (in Muster HQ;"
    )
    with pytest.raises(RuleError, match=rf"^Task #{task.id} is already assigned to <@{cast.member.member_id}>.$"):
        services.assign(task.id, cast.guild.id, organiser, assignee_id=cast.member.member_id, now=now)
    assert len(dms_to(cast.member.member_id)) == 1


def test_a_member_who_turned_dms_off_gets_no_assignment_dm(cast, make_task):
    Member.objects.filter(id=cast.member.member_id).update(dm_reminders=False)
    services.add_task(
        cast.guild.id,
        By(cast.organiser.member_id, manages=True),
        title="Sweep",
        assignee_id=cast.member.member_id,
        now=timezone.now(),
    )
    assert dms_to(cast.member.member_id) == []


def test_the_due_reminder_goes_once_at_the_assignees_chosen_time(cast, make_task):
    now = timezone.now().replace(microsecond=0)
    due = now + timedelta(days=3)
    services.set_reminder(cast.guild.id, cast.member.member_id, "1h", now=now)
    task = services.add_task(cast.guild.id, By(cast.member.member_id), title="Send the invoice", due_at=due, now=now)
    assert task.remind_at == due - timedelta(hours=1)
    assert services.send_due_reminders(due - timedelta(minutes=61)) == 0
    assert services.send_due_reminders(due - timedelta(minutes=59)) == 1
    assert services.send_due_reminders(due - timedelta(minutes=58)) == 0
    [dm] = dms_to(cast.member.member_id)
    assert dm.idempotency_key == f"desk:task:{task.id}:due:{cast.member.member_id}:{int(due.timestamp())}"
    assert dm.payload["content"].startswith(
        f"Reminder: Task #{task.id}: Send the invoice is due <t:{int(due.timestamp())}:R>"
    )


def test_the_reminder_follows_the_members_choice_and_the_due_time(cast, make_task):
    now = timezone.now().replace(microsecond=0)
    due = now + timedelta(days=3)
    task = services.add_task(cast.guild.id, By(cast.member.member_id), title="Report", due_at=due, now=now)
    assert task.remind_at == due - timedelta(days=1)  # the default: 1 day before
    services.set_reminder(cast.guild.id, cast.member.member_id, "none", now=now)
    task.refresh_from_db()
    assert task.remind_at is None
    services.set_reminder(cast.guild.id, cast.member.member_id, "1h", now=now)
    moved = services.edit_task(
        task.id, cast.guild.id, By(cast.member.member_id), now=now, due_at=due + timedelta(days=1)
    )
    assert moved.remind_at == due + timedelta(days=1) - timedelta(hours=1)
    # A due time closer than the lead: no reminder (the moment has passed).
    soon = services.edit_task(
        task.id, cast.guild.id, By(cast.member.member_id), now=now, due_at=now + timedelta(minutes=30)
    )
    assert soon.remind_at is None
    done = services.set_done(task.id, cast.guild.id, By(cast.member.member_id), done=True, now=now)
    assert done.remind_at is None


def test_no_reminder_for_a_member_who_left_the_guild(cast):
    now = timezone.now().replace(microsecond=0)
    due = now + timedelta(days=2)
    services.add_task(cast.guild.id, By(cast.member.member_id), title="Chairs", due_at=due, now=now)
    cast.member.left_at = now
    cast.member.save()
    assert services.send_due_reminders(due - timedelta(hours=23)) == 0
    assert dms_to(cast.member.member_id) == []
    assert Task.objects.get().remind_at is None  # claimed: not tried again every tick


def test_refusals_of_bad_input_are_sentences(cast):
    now = timezone.now()
    by = By(cast.member.member_id)
    for kwargs, sentence in (
        ({"title": "   "}, "A task needs a title."),
        ({"title": "x" * 201}, "A task's title is at most 200 characters."),
        ({"title": "x", "due_at": now - timedelta(minutes=1)}, "The due time is in the past."),
        ({"title": "x", "priority": "asap"}, "The priority is one of low, normal, high."),
    ):
        with pytest.raises(RuleError) as refused:
            services.add_task(cast.guild.id, by, now=now, **kwargs)
        assert str(refused.value) == sentence
    with pytest.raises(RuleError, match=r"^The digest hour is from 0 to 23.$"):
        services.configure(cast.guild.id, digest_hour=24)
    assert not DeskSettings.objects.exists()
