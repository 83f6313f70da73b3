"""The Celery application; settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("muster")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def announce_beat(sender, **kwargs) -> None:
    """Write beat's first heartbeat at start instead of one interval later."""
    sender.app.send_task("core.tasks.record_beat_heartbeat", expires=25)
