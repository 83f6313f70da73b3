from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Results and standings"

    def ready(self):
        from core import hooks
        from results import checkin, services

        hooks.event_post_extras.subscribe(checkin.post_extras)
        hooks.event_post_extras.subscribe(services.post_extras)
        hooks.event_moved.subscribe(checkin.on_event_moved)
