from django.apps import AppConfig


class StandupsConfig(AppConfig):
    name = "standups"
    verbose_name = "Standups"
