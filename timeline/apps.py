from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Event-day timeline"

    def ready(self):
        from core import hooks
        from timeline import services

        # Items at an offset from the start follow the event when it moves.
        hooks.event_moved.subscribe(services.on_event_moved)
