"""A guild's Jira sites on the Settings page: connect, change and remove one, unlink a member.

What an organiser does in the admin (``jira_sync.admin``), with its form and rules: the form
names environment variables, never their values, and only Jira ones no other guild's site
uses. Unlinking forgets the link as the admin's inline does (its tokens, reminders and
mutes go with it); the member may link again with /jira link.
"""

from __future__ import annotations

import copy

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect

from core import organiser_log
from dashboard.forms_settings import JiraSiteSettingsForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from jira_sync.models import JiraLink, JiraSite

TICK_TO_REMOVE = "Tick the box to confirm: removing the site unlinks everyone on it."


def _site_or_404(guild, site_id: int) -> JiraSite:
    return get_object_or_404(JiraSite.objects.filter(guild=guild), pk=site_id)


def _page(request, guild, form, site=None, *, status: int = 200, problem: str = ""):
    links = []
    if site is not None:
        links = JiraLink.objects.filter(site=site).select_related("member").order_by("member__username")
    context = {"form": form, "site": site, "links": links, "problem": problem}
    return render_guild(request, guild, "settings", "dashboard/guild/jira_site.html", context, status=status)


def _who(link: JiraLink) -> str:
    """The member and their Jira name, as the Settings page lists them (never tokens)."""
    return f"{link.member} ({link.display_name})" if link.display_name else str(link.member)


@login_required
def jira_site_add(request, guild_id: int):
    """Connect a site: saved once the dry-run search with its credentials succeeds."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return _page(request, guild, JiraSiteSettingsForm(guild=guild))
    form = JiraSiteSettingsForm(request.POST, guild=guild)
    if form.is_valid():
        try:
            with transaction.atomic():  # the log's row with the site, or neither
                site = form.save()
                organiser_log.record(request, guild.id, "connected Jira site", site, site.base_url)
        except IntegrityError:  # the same address saved by a second sending in the meantime
            form.add_error("base_url", "This server already has a Jira site at that address.")
        else:
            return redirect("dashboard:settings", guild_id=guild.id)
    return _page(request, guild, form, status=400)


@login_required
def jira_site_edit(request, guild_id: int, site_id: int):
    """Change a site; a changed connection is checked against Jira again (the admin's rule)."""
    guild = organised_guild_or_404(request, guild_id)
    site = _site_or_404(guild, site_id)
    if request.method != "POST":
        return _page(request, guild, JiraSiteSettingsForm(instance=site, guild=guild), site)
    # A copy: a refused form must not leave half its values on the site the page shows.
    form = JiraSiteSettingsForm(request.POST, instance=copy.copy(site), guild=guild)
    if form.is_valid():
        changed = ", ".join(form.changed_data) or "nothing"
        try:
            with transaction.atomic():
                saved = form.save()
                organiser_log.record(request, guild.id, "changed Jira site", saved, f"changed {changed}")
        except IntegrityError:
            form.add_error("base_url", "This server already has a Jira site at that address.")
        else:
            return redirect("dashboard:settings", guild_id=guild.id)
    return _page(request, guild, form, site, status=400)


@login_required
def jira_site_delete(request, guild_id: int, site_id: int):
    """Remove a site (and every link on it) once the organiser ticked the confirmation."""
    guild = organised_guild_or_404(request, guild_id)
    site = _site_or_404(guild, site_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.POST.get("confirm") != "yes":
        form = JiraSiteSettingsForm(instance=site, guild=guild)
        return _page(request, guild, form, site, status=400, problem=TICK_TO_REMOVE)
    with transaction.atomic():
        linked = site.links.count()
        organiser_log.record(
            request, guild.id, "removed Jira site", f"{site.name} (Jira site {site.pk})", f"{linked} unlinked"
        )
        site.delete()
    return redirect("dashboard:settings", guild_id=guild.id)


@login_required
def jira_link_remove(request, guild_id: int, site_id: int):
    """Unlink one member from the site (the POSTed ``link`` id, a link of this site only)."""
    guild = organised_guild_or_404(request, guild_id)
    site = _site_or_404(guild, site_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    link_id = request.POST.get("link", "")
    if not link_id.isdigit():
        form = JiraSiteSettingsForm(instance=site, guild=guild)
        return _page(request, guild, form, site, status=400, problem="Choose the member to unlink.")
    link = get_object_or_404(JiraLink.objects.filter(site=site).select_related("member"), pk=int(link_id))
    with transaction.atomic():
        organiser_log.record(request, guild.id, "unlinked Jira member", site, _who(link))
        link.delete()
    return redirect("dashboard:jira_site_edit", guild_id=guild.id, site_id=site.pk)
