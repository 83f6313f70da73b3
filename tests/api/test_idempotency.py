"""Idempotency-Key on POST: one effect per key and token for 24 hours, the first answer replayed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api.models import IdempotentRequest
from core.models import OutboundMessage
from events.models import Event
from tests.api.conftest import error

pytestmark = pytest.mark.django_db
KEY = "5b0e7c8e-3f0a-4a53-9a43-1d3c4a0f6b21"


def picnic(title="Picnic") -> dict:
    return {"title": title, "starts_at": (timezone.now() + timedelta(days=7)).replace(microsecond=0).isoformat()}


def test_the_same_key_and_body_create_one_event_and_replay_the_answer(api):
    data = picnic()
    first = api.send("POST", api.url("/events"), data, **{"Idempotency-Key": KEY})
    second = api.send("POST", api.url("/events"), data, **{"Idempotency-Key": KEY})
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Event.objects.count() == 1
    assert OutboundMessage.objects.count() == 1


def test_the_same_key_with_another_body_is_422(api):
    api.send("POST", api.url("/events"), picnic(), **{"Idempotency-Key": KEY})
    response = api.send("POST", api.url("/events"), picnic("Barbecue"), **{"Idempotency-Key": KEY})
    assert response.status_code == 422
    detail = "This Idempotency-Key was already used with a different request; use a new key for a new request."
    assert error(response)["detail"] == detail
    assert error(response)["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert list(Event.objects.values_list("title", flat=True)) == ["Picnic"]


def test_a_refused_request_is_not_remembered_so_it_can_be_corrected(api):
    bad = {**picnic(), "starts_at": "2020-01-01T00:00:00+00:00"}
    assert api.send("POST", api.url("/events"), bad, **{"Idempotency-Key": KEY}).status_code == 422
    assert IdempotentRequest.objects.count() == 0
    assert api.send("POST", api.url("/events"), picnic(), **{"Idempotency-Key": KEY}).status_code == 201
    assert Event.objects.count() == 1


def test_a_key_is_forgotten_after_24_hours(api):
    data = picnic()
    api.send("POST", api.url("/events"), data, **{"Idempotency-Key": KEY})
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    response = api.send("POST", api.url("/events"), data, **{"Idempotency-Key": KEY})
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Event.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1


def test_keys_belong_to_their_token(api, cast):
    from tests.api.conftest import caller_for

    other = caller_for(cast.guild, name="another script")
    api.send("POST", api.url("/events"), picnic(), **{"Idempotency-Key": KEY})
    response = other.send("POST", other.url("/events"), picnic(), **{"Idempotency-Key": KEY})
    assert response.status_code == 201
    assert Event.objects.count() == 2


def test_cancel_is_replayed_too(api, cast):
    event_id = api.send("POST", api.url("/events"), picnic()).json()["id"]
    first = api.send("POST", api.url(f"/events/{event_id}/cancel"), **{"Idempotency-Key": KEY})
    second = api.send("POST", api.url(f"/events/{event_id}/cancel"), **{"Idempotency-Key": KEY})
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_key_that_is_not_visible_ascii_is_422(api, key):
    response = api.send("POST", api.url("/events"), picnic(), **{"Idempotency-Key": key})
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Event.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_take_effect_once(api):
    data, barrier = picnic(), threading.Barrier(4)

    def post():
        try:
            barrier.wait()
            return api.send("POST", api.url("/events"), data, **{"Idempotency-Key": KEY})
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: post(), range(4)))
    assert [response.status_code for response in responses] == [201] * 4
    assert len({response.json()["id"] for response in responses}) == 1
    assert Event.objects.count() == 1
    assert sum(response.has_header("Idempotent-Replayed") for response in responses) == 3
