"""A guild's tasks for its organisers: the list with filters, creating and editing them.

Every change goes through ``desk.services`` as ``/task`` does (organisers manage tasks),
logged with ``core.organiser_log``; a ``RuleError`` becomes the form's error. Due times are
read in the organiser's time zone, else the server's (``core.timeparse``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from core import organiser_log
from core.errors import RuleError
from core.permissions import SESSION_MEMBER_ID
from core.timeparse import day_first, member_zone, parse_local_time
from dashboard.forms_desk import TaskFilter, TaskForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from dashboard.submissions import create_once
from desk import services
from desk.models import Task
from desk.services import By

LISTED = 200


def _by(request) -> By:
    member_id = request.session.get(SESSION_MEMBER_ID)
    return By(int(member_id) if member_id else 0, manages=True)


@login_required
def task_list(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    chosen = TaskFilter(guild, request.GET or None)
    status, assignee, overdue = "open", None, False
    if chosen.is_valid():
        status = chosen.cleaned_data["status"] or "open"
        assignee = int(chosen.cleaned_data["assignee"]) if chosen.cleaned_data["assignee"] else None
        overdue = chosen.cleaned_data["overdue"]
    now = timezone.now()
    tasks = services.tasks_of(
        guild.id, assignee_id=assignee, status={"open": Task.Status.OPEN, "done": Task.Status.DONE}.get(status)
    ).select_related("assignee")
    if overdue:
        tasks = tasks.filter(status=Task.Status.OPEN, due_at__lte=now)
    rows = [(task, task.overdue(now)) for task in tasks[:LISTED]]
    context = {"filter": chosen if chosen.is_bound else TaskFilter(guild), "rows": rows, "limit": LISTED}
    return render_guild(request, guild, "tasks", "dashboard/guild/tasks.html", context)


def _shown_due(request, guild, task: Task | None) -> str:
    """A task's due time as the form shows it (the organiser's zone, else the server's)."""
    if task is None or task.due_at is None:
        return ""
    return task.due_at.astimezone(member_zone(_by(request).member_id, guild.id)).strftime("%Y-%m-%d %H:%M")


def _due(request, guild, form, task: Task | None):
    typed = form.cleaned_data.get("due", "").strip()
    if not typed:
        return None
    if task is not None and typed == _shown_due(request, guild, task):
        return task.due_at  # unchanged (an overdue task's past due time stays as it is)
    zone = member_zone(_by(request).member_id, guild.id)
    return parse_local_time(typed, zone, now=timezone.now(), field="due time", day_first=day_first(guild.id))


def _save(request, guild, task: Task | None):
    if request.method != "POST":
        initial = {}
        if task is not None:
            due = _shown_due(request, guild, task)
            initial = {"title": task.title, "assignee": str(task.assignee_id or ""), "due": due}
            initial |= {"priority": task.priority, "details": task.details}
        return _form(request, guild, TaskForm(guild, initial=initial), task)
    form = TaskForm(guild, request.POST)
    if form.is_valid():
        now, by = timezone.now(), _by(request)
        data = form.cleaned_data
        try:
            due = _due(request, guild, form, task)
            if task is None:

                def create():
                    return services.add_task(
                        guild.id,
                        by,
                        title=data["title"],
                        assignee_id=form.assignee_id(),
                        due_at=due,
                        priority=data["priority"],
                        details=data["details"],
                        now=now,
                    )

                _, first = create_once(request, guild, form, "created task", create, lambda row: "")
                if not first:
                    messages.info(request, "This form was already sent: the task was created once.")
            else:
                with transaction.atomic():
                    changes = {"title": data["title"], "priority": data["priority"], "details": data["details"]}
                    if due != task.due_at and (due is not None or task.due_at is not None):
                        changes["due_at"] = due
                    saved = services.edit_task(task.id, guild.id, by, now=now, **changes)
                    if form.assignee_id() != saved.assignee_id:
                        saved = services.assign(task.id, guild.id, by, assignee_id=form.assignee_id(), now=now)
                    organiser_log.record(request, guild.id, "edited task", saved)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            return redirect("dashboard:tasks", guild_id=guild.id)
    return _form(request, guild, form, task, status=400)


def _form(request, guild, form, task, *, status: int = 200):
    context = {"form": form, "task": task}
    return render_guild(request, guild, "tasks", "dashboard/guild/task_form.html", context, status=status)


@login_required
def task_create(request, guild_id: int):
    return _save(request, organised_guild_or_404(request, guild_id), None)


@login_required
def task_edit(request, guild_id: int, task_id: int):
    guild = organised_guild_or_404(request, guild_id)
    return _save(request, guild, get_object_or_404(Task, guild=guild, id=task_id))


@login_required
def task_done(request, guild_id: int, task_id: int):
    """Mark done, or open again (``reopen`` posted)."""
    guild = organised_guild_or_404(request, guild_id)
    task = get_object_or_404(Task, guild=guild, id=task_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    done = not request.POST.get("reopen")
    try:
        with transaction.atomic():
            saved = services.set_done(task.id, guild.id, _by(request), done=done, now=timezone.now())
            organiser_log.record(request, guild.id, "marked task done" if done else "reopened task", saved)
    except RuleError as error:
        messages.error(request, error.message)
    return redirect("dashboard:tasks", guild_id=guild.id)
