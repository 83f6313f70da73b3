from django.apps import AppConfig


class CarpoolConfig(AppConfig):
    name = "carpool"
    verbose_name = "Carpool"
