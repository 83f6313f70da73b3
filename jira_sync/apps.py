from django.apps import AppConfig


class JiraSyncConfig(AppConfig):
    name = "jira_sync"
    verbose_name = "Jira reminders"

    def ready(self):
        from core import digests
        from jira_sync import delivery

        delivery.register_held_kinds()
        # Members' Jira digests carry the other apps' sections of their day (the desk's overdue tasks).
        digests.register_host(delivery.hosted_digests)
