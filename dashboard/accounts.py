"""allauth adapters: Discord is the only way in for organisers and members; no passwords.

At each login the member's rights are worked out afresh: they are staff (the scoped
admin) while they organise at least one guild Muster is in.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from core.permissions import guilds_organised_by

from . import discord_rights


class NoPasswordAccounts(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # local (password) accounts: only `createsuperuser` makes them

    def login(self, request, user):
        super().login(request, user)
        if discord_rights.remember_login(request) is not None and not user.is_superuser:
            organises = bool(guilds_organised_by(request))
            if user.is_staff != organises:
                user.is_staff = organises
                user.save(update_fields=["is_staff"])


class DiscordAccounts(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True  # anyone with a Discord account may log in; rights come from the bot's view
