"""A real worker process runs Muster's tasks against the test database."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from core.models import Heartbeat
from core.tasks import record_beat_heartbeat


def test_it_routes_tasks_to_queues_by_latency_class():
    from config.celery_app import app

    router = app.amqp.router
    assert router.route({}, "core.tasks.record_beat_heartbeat")["queue"].name == "default"
    assert router.route({}, "jira_sync.tasks.poll_sites")["queue"].name == "jira"
    assert router.route({}, "sheets_export.tasks.export_due")["queue"].name == "sheets"


def test_every_beat_tick_expires_before_the_next():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert 0 < entry["options"]["expires"] <= entry["schedule"], name


def test_the_broker_keeps_a_message_longer_than_any_countdown():
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.MAX_RETRY_DELAY_S


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_and_its_effect_lands_in_postgres(celery_worker):
    assert not Heartbeat.objects.filter(name="beat").exists()
    record_beat_heartbeat.delay()
    deadline = time.monotonic() + 30
    while not Heartbeat.objects.filter(name="beat").exists():
        assert time.monotonic() < deadline, celery_worker.output()[-2000:]
        time.sleep(0.1)
    assert Heartbeat.objects.filter(name="beat").count() == 1
    celery_worker.wait_for_output(r"Task core\.tasks\.record_beat_heartbeat\[[0-9a-f-]+\] succeeded")


def test_a_worker_and_its_pool_run_below_the_gateways_priority(celery_worker):
    # The worker's main process lowered its priority at start (WORKER_NICE, default 10) ...
    celery_worker.wait_for_output(r"worker niceness 10: the gateway and web processes run first")
    main = celery_worker.process.pid
    assert os.getpriority(os.PRIO_PROCESS, main) == os.getpriority(os.PRIO_PROCESS, 0) + 10
    # ... and the pool's children, forked after it, inherit it
    children = [int(pid) for pid in Path(f"/proc/{main}/task/{main}/children").read_text().split()]
    assert children and {os.getpriority(os.PRIO_PROCESS, pid) for pid in children} == {
        os.getpriority(os.PRIO_PROCESS, 0) + 10
    }
