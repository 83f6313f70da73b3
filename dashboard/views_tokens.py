"""API tokens of a guild: list, create (the token is shown this once), revoke.

The rules are ``api.tokens``'s (the one import of ``api`` the dashboard may make); a
token is never stored here, only shown in the answer to the POST that made it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from core import organiser_log
from core.errors import RuleError
from dashboard.forms_tokens import TokenForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from dashboard.submissions import create_once


def _page(request, guild, form, *, token: str | None = None, status: int = 200):
    rows = ApiToken.objects.filter(guild=guild).select_related("created_by")
    context = {"guild": guild, "tokens": rows, "form": form, "token": token, "now": timezone.now()}
    return render_guild(request, guild, "tokens", "dashboard/guild/tokens.html", context, status=status)


@login_required
def token_list(request, guild_id: int):
    """The guild's tokens (prefix, scopes, expiry, last use) and the form for a new one."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return _page(request, guild, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, guild, form, status=400)
    data = form.cleaned_data
    ask = tokens.TokenRequest(guild=guild, name=data["name"], scopes=tuple(data["scopes"]), lifetime=data["lifetime"])
    made: list[str] = []

    def create():
        row, token = tokens.create_token(ask, now=timezone.now(), created_by_id=request.user.pk)
        made.append(token)
        return row

    try:
        _, first = create_once(
            request, guild, form, "created API token", create, lambda row: f"scopes {','.join(row.scopes)}"
        )
    except RuleError as error:
        form.add_error(None, error.message)
        return _page(request, guild, form, status=400)
    if not first:  # the same form sent again: its token was shown the first time, and only then
        messages.info(request, "This form was already sent: its token was made once and shown then.")
        return redirect("dashboard:tokens", guild_id=guild.id)
    # Rendered in this answer only: a reload shows the list without it.
    return _page(request, guild, TokenForm(), token=made[0])


@login_required
def token_revoke(request, guild_id: int, token_id: int):
    guild = organised_guild_or_404(request, guild_id)
    row = get_object_or_404(ApiToken, guild=guild, id=token_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():  # the log's row with the change, or neither
        if tokens.revoke(row.id, now=timezone.now()):
            organiser_log.record(request, guild.id, "revoked API token", row)
    return redirect("dashboard:tokens", guild_id=guild.id)
