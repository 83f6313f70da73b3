"""The club's roster on the dashboard (``community.roster``): import the CSV, see how it
compares with the guild, choose the Member role, and apply it only when the organiser clicks
(a worker does it: the web holds no bot token)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone

from community import roster, tasks
from community.roster import RosterError
from core import organiser_log
from core.errors import RuleError
from core.permissions import SESSION_MEMBER_ID
from dashboard.nav import render_guild
from dashboard.pickers import role_choices
from dashboard.scoping import organised_guild_or_404

SHOWN = 200  # rows per list on the page


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Roster (CSV)",
        help_text="A header line naming the columns: discord (a username or a user id), and optionally "
        "external_id and roles (names or ids separated by ;).",
    )


class RoleForm(forms.Form):
    member_role_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Member role")

    def __init__(self, guild, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = (getattr(guild, "roster", None) and guild.roster.role_names) or {}
        choices = role_choices(guild, blank="None (no apply step)")
        known = {value for value, _ in choices}
        choices += [(rid, f"role {rid}") for rid in names if rid not in known and rid != str(guild.id)]
        self.fields["member_role_id"].choices = [(v, names.get(v, label) if v else label) for v, label in choices]


def _page(request, guild, *, import_form=None, status: int = 200):
    found = roster.status(guild.id)
    names = found.roster.role_names if found.roster else {}

    def role(role_id: int) -> str:
        return names.get(str(role_id), f"role {role_id}")

    differ = [
        (d, ", ".join(role(r) for r in d.lacking), ", ".join(role(r) for r in d.surplus)) for d in found.roles_differ
    ]
    initial = {"member_role_id": found.roster.member_role_id} if found.roster else {}
    context = {
        "status": found,
        "differ": differ[:SHOWN],
        "not_in_guild": found.not_in_guild[:SHOWN],
        "not_on_roster": found.not_on_roster[:SHOWN],
        "shown": SHOWN,
        "member_role": role(found.roster.member_role_id) if found.roster and found.roster.member_role_id else "",
        "import_form": import_form or ImportForm(),
        "role_form": RoleForm(guild, initial=initial),
    }
    return render_guild(request, guild, "roster", "dashboard/guild/roster.html", context, status=status)


@login_required
def roster_page(request, guild_id: int):
    return _page(request, organised_guild_or_404(request, guild_id))


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def roster_import(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    if refused := _post_only(request):
        return refused
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, guild, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        with transaction.atomic():
            data = upload.read(roster.MAX_BYTES + 1)
            by = request.session.get(SESSION_MEMBER_ID)
            saved = roster.import_roster(guild.id, data, source=upload.name, by=by, now=timezone.now())
            count = saved.guild.roster_entries.count()
            organiser_log.record(request, guild.id, "imported roster", saved, f"{upload.name}: {count} lines")
            transaction.on_commit(lambda: tasks.read_roster_roles.delay(guild.id), robust=True)
    except RosterError as error:
        form.add_error("file", error.message)
        return _page(request, guild, import_form=form, status=400)
    messages.info(request, f"Imported {count} lines from {upload.name}.")
    return redirect("dashboard:roster", guild_id=guild.id)


@login_required
def roster_role(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    if refused := _post_only(request):
        return refused
    form = RoleForm(guild, request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles offered.")
        return redirect("dashboard:roster", guild_id=guild.id)
    try:
        with transaction.atomic():
            saved = roster.set_member_role(guild.id, form.cleaned_data["member_role_id"])
            organiser_log.record(
                request, guild.id, "chose roster member role", saved, str(saved.member_role_id or "none")
            )
    except RuleError as error:
        messages.error(request, error.message)
    return redirect("dashboard:roster", guild_id=guild.id)


@login_required
def roster_apply(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    if refused := _post_only(request):
        return refused
    found = roster.status(guild.id)
    if not found.roster or not found.roster.member_role_id:
        messages.error(request, "Choose the Member role first.")
        return redirect("dashboard:roster", guild_id=guild.id)
    with transaction.atomic():
        detail = f"{len(found.to_add)} to add, {len(found.to_remove)} to remove"
        organiser_log.record(request, guild.id, "applied roster", found.roster, detail)
        transaction.on_commit(lambda: tasks.apply_roster.delay(guild.id), robust=True)
    messages.info(request, f"Applying: {detail}. Reload this page in a moment to see the outcome.")
    return redirect("dashboard:roster", guild_id=guild.id)


@login_required
def roster_roles(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    if refused := _post_only(request):
        return refused
    transaction.on_commit(lambda: tasks.read_roster_roles.delay(guild.id), robust=True)
    messages.info(request, "Reading the role names from Discord; reload this page in a moment.")
    return redirect("dashboard:roster", guild_id=guild.id)
