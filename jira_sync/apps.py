from django.apps import AppConfig


class JiraSyncConfig(AppConfig):
    name = "jira_sync"
    verbose_name = "Jira reminders"

    def ready(self):
        from jira_sync import delivery

        delivery.register_held_kinds()
