from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = "Leave"

    def ready(self):
        from core import nudging
        from leave import away

        # Members on approved leave or a public holiday are away: no nudges, held for their return.
        if hasattr(nudging, "register_away"):
            nudging.register_away(away.away_provider)
        else:  # until core.nudging has register_away
            nudging.register(lambda pairs, at: set(away.away_provider(pairs, at)))
