from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams"

    def ready(self):
        from core import hooks
        from teams import post, services, spaces

        hooks.registration_status_changed.subscribe(services.on_registration_status)
        hooks.event_post_extras.subscribe(post.post_extras)
        hooks.event_deletion_refusals.subscribe(spaces.deletion_refusal)
