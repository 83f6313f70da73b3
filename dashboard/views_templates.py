"""Event templates of a guild: the list, an event made from one, saving an event as one, deleting one.

The same service as /event template (``events.templates``): saving keeps what does not
depend on the date; "Create an event" opens the event form prefilled with the template's
settings (its blank end and deadline are the template's, from the start typed), sent as
the dashboard's own event form is.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect

from core import organiser_log
from core.errors import RuleError
from events import signup, templates
from events.discord.messages import offset_text
from events.models import Event, EventTemplate

from .nav import render_guild
from .scoping import organised_guild_or_404
from .views_events import _member_id, create_page


def _template(request, guild_id: int, template_id: int):
    guild = organised_guild_or_404(request, guild_id)
    return guild, get_object_or_404(EventTemplate.objects.filter(guild=guild), pk=template_id)


def details(template: EventTemplate) -> list[str]:
    """What a template keeps beyond its summary: who may go and as what, who is nudged."""
    parts = []
    specs = signup.specs_from_json(template.signup_options)
    if specs:
        parts.append("options " + signup.options_text(specs))
    if template.allowed_role_ids:
        parts.append("only " + ", ".join(f"role {role}" for role in template.allowed_role_ids))
    if template.expected_role_id:
        who = "everyone" if template.expected_role_id == template.guild_id else f"role {template.expected_role_id}"
        nudged = ", ".join(offset_text(offset) for offset in templates.expected_of(template).offsets)
        parts.append(f"expects {who}" + (f", nudged {nudged} before" if nudged else ""))
    return parts


@login_required
def template_list(request, guild_id: int):
    """The guild's templates, each with what it makes and its actions."""
    guild = organised_guild_or_404(request, guild_id)
    rows = [
        (template, templates.summary(template), details(template))
        for template in EventTemplate.objects.filter(guild=guild).order_by("name", "id")
    ]
    return render_guild(request, guild, "templates", "dashboard/event/templates.html", {"rows": rows})


@login_required
def template_use(request, guild_id: int, template_id: int):
    """The event form prefilled from the template; sending it creates and posts the event."""
    guild, template = _template(request, guild_id, template_id)
    return create_page(request, guild, template)


@login_required
def template_delete(request, guild_id: int, template_id: int):
    """Delete the template; events made from it stay as they are."""
    guild, template = _template(request, guild_id, template_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():  # the log's row with the change, or neither
        name = templates.delete_template(guild.id, template.name)
        organiser_log.record(request, guild.id, "deleted event template", f"{name} (template {template_id})")
    messages.success(request, f"Deleted the template {name}; events made from it stay as they are.")
    return redirect("dashboard:templates", guild_id=guild.id)


@login_required
def template_save(request, guild_id: int, event_id: int):
    """Save the event's settings as a template (/event template save); a template of that name is replaced."""
    guild = organised_guild_or_404(request, guild_id)
    event = get_object_or_404(Event.objects.filter(guild=guild), pk=event_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        with transaction.atomic():
            saved = templates.save_template(event, request.POST.get("name", ""), created_by_id=_member_id(request))
            action = "replaced event template" if saved.replaced else "saved event template"
            organiser_log.record(request, guild.id, action, saved.template, f"from {event.title} (event {event.id})")
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("dashboard:event", guild_id=guild.id, event_id=event.id)
    what = "Replaced the template" if saved.replaced else "Saved the template"
    messages.success(request, f"{what} {saved.template.name}: {templates.summary(saved.template)}.")
    return redirect("dashboard:templates", guild_id=guild.id)
