from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = "Leave"

    def ready(self):
        from core import nudging
        from leave import away

        # Members on approved leave or a public holiday of their guild are away (core.nudging):
        # no nudges for them, and what senders held back is summarised on their first day back.
        nudging.register_away(away.away_provider)
