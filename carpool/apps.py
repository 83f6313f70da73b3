from django.apps import AppConfig


class CarpoolConfig(AppConfig):
    name = "carpool"
    verbose_name = "Carpool"

    def ready(self):
        from carpool import logistics, rooms, services
        from core import hooks

        hooks.registration_status_changed.subscribe(services.on_registration_status)
        hooks.registration_status_changed.subscribe(rooms.on_registration_status)
        hooks.event_cancelled.subscribe(services.on_event_cancelled)
        hooks.event_moved.subscribe(services.on_event_moved)
        hooks.event_post_extras.subscribe(logistics.post_extras)
        hooks.event_admin.subscribe(admin_extras)
        logistics.register_held_kind()


def admin_extras():
    from carpool.admin import admin_extras

    return admin_extras()
