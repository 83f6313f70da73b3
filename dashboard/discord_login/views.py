"""The login and callback views of allauth's OAuth2 flow, with our adapter and allauth's rate limit."""

from __future__ import annotations

from allauth.decorators import rate_limit
from allauth.socialaccount.providers.discord.views import DiscordOAuth2Adapter
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings

from dashboard import discord_rights


class MusterDiscordAdapter(DiscordOAuth2Adapter):
    @property
    def authorize_url(self) -> str:
        return settings.DISCORD_OAUTH_AUTHORIZE_URL

    @property
    def access_token_url(self) -> str:
        return f"{settings.DISCORD_API_BASE}/oauth2/token"

    @property
    def profile_url(self) -> str:
        return f"{settings.DISCORD_API_BASE}/users/@me"

    def complete_login(self, request, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        # Read now, while the access token is at hand; written to the session at login.
        discord_rights.stash_login(request, int(login.account.uid), discord_rights.fetch_permissions(token.token))
        return login


# Both count against allauth's "login" rate (ACCOUNT_RATE_LIMITS), the callback's GET too.
oauth2_login = rate_limit(action="login")(OAuth2LoginView.adapter_view(MusterDiscordAdapter))
oauth2_callback = rate_limit(action="login", limit_get=True)(OAuth2CallbackView.adapter_view(MusterDiscordAdapter))
