from allauth.socialaccount.providers.discord.provider import DiscordProvider

from .views import MusterDiscordAdapter


class MusterDiscordProvider(DiscordProvider):
    """allauth's Discord provider with endpoints from the settings (scopes: SOCIALACCOUNT_PROVIDERS)."""

    oauth2_adapter_class = MusterDiscordAdapter

    def get_default_scope(self):
        return ["identify", "guilds"]


provider_classes = [MusterDiscordProvider]
