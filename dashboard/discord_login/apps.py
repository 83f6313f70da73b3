from django.apps import AppConfig


class DiscordLoginConfig(AppConfig):
    name = "dashboard.discord_login"
    label = "dashboard_discord_login"
    verbose_name = "Log in with Discord"
