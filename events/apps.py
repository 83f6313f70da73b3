from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from core import hooks
        from events import calendars, date_polls, nudges

        hooks.event_post_stale.subscribe(redraw_post)
        hooks.member_left.subscribe(calendars.on_member_left)
        hooks.date_poll_decided.subscribe(date_polls.on_date_poll_decided)
        nudges.register_held_kind()


def redraw_post(event_id: int) -> None:
    """Another domain changed what the post shows (its rides, say): redraw it, coalesced."""
    from core.refresh import schedule_refresh

    schedule_refresh("event", event_id)
