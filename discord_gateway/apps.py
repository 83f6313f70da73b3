from django.apps import AppConfig


class DiscordGatewayConfig(AppConfig):
    name = "discord_gateway"
    verbose_name = "Discord gateway"
