from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Heartbeat
from devtools.localservers import RedisServer

pytestmark = pytest.mark.django_db


def test_it_is_healthy_when_every_part_answers(client):
    Heartbeat.objects.create(name="beat", seen_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "beat": "ok", "delivery": "ok"}


def test_it_names_the_broker_when_it_is_down(client, settings):
    Heartbeat.objects.create(name="beat", seen_at=timezone.now())
    broker = RedisServer().start()
    settings.CELERY_BROKER_URL = broker.url
    assert client.get("/healthz").status_code == 200
    broker.destroy()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error: ConnectionError", "beat": "ok", "delivery": "ok"}


def test_it_names_beat_when_its_heartbeat_is_stale(client):
    Heartbeat.objects.create(name="beat", seen_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "beat": "error: last heartbeat 600 s ago",
        "delivery": "ok",
    }


def test_it_names_beat_before_its_first_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "error: no heartbeat yet"
