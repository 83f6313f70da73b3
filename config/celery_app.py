"""The Celery application; settings come from Django's, under the CELERY_ prefix."""

import logging
import os

from celery import Celery
from celery.signals import beat_init, celeryd_after_setup, task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("muster")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def announce_beat(sender, **kwargs) -> None:
    """Write beat's first heartbeat at start instead of one interval later."""
    sender.app.send_task("core.tasks.record_beat_heartbeat", expires=25)


@celeryd_after_setup.connect
def no_banner_among_json_lines(sender, instance, **kwargs) -> None:
    """LOG_FORMAT=json: the worker starts as with ``-q`` (its banner is text, not a log line)."""
    from django.conf import settings

    if settings.LOG_FORMAT == "json":
        instance.quiet = True


@worker_init.connect
def yield_the_cpu(**kwargs) -> None:
    """Lower the worker's priority (WORKER_NICE) before its pool starts: its children inherit it.

    The gateway and the web process keep the default priority, so an acknowledgement
    (Discord's 3 s deadline) never queues for the CPU behind domain work on one machine.
    """
    from django.conf import settings

    if settings.WORKER_NICE:
        niceness = os.nice(settings.WORKER_NICE)
        logging.getLogger(__name__).info("worker niceness %s: the gateway and web processes run first", niceness)


@task_prerun.connect
def name_the_task_in_log_lines(task_id=None, **kwargs) -> None:
    """Lines logged while a task runs carry its id (LOG_FORMAT=json's task_id)."""
    from config import logcontext

    logcontext.set_ids(task_id=task_id)


@task_postrun.connect
def forget_the_task_id(**kwargs) -> None:
    from config import logcontext

    logcontext.set_ids(task_id=None)


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(task=None, **kwargs) -> None:
    """Apply CONN_MAX_AGE and CONN_HEALTH_CHECKS around each task, as Django does around requests.

    Celery's Django fixup would otherwise close the connection before and after every
    task (see CELERY_DB_REUSE_MAX in settings): a new PostgreSQL backend per task.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return  # eager tasks run inside the caller's transaction (tests)
    from django.db import close_old_connections

    close_old_connections()
