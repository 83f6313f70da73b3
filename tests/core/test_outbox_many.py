"""``outbox.enqueue_many``: the bulk enqueue of a beat tick stores each key once."""

import pytest

from core import outbox
from core.models import OutboundMessage

pytestmark = pytest.mark.django_db


def post(key, channel_id=700_000_000_000_000_001):
    return outbox.Outgoing(key=key, channel_id=channel_id, payload={"content": key})


def test_it_stores_each_key_once_however_often_it_is_sent():
    assert outbox.enqueue_many([post("a"), post("b"), post("b")]) == 2
    assert outbox.enqueue_many([post("a"), post("b"), post("c")]) == 1

    assert sorted(OutboundMessage.objects.values_list("idempotency_key", flat=True)) == ["a", "b", "c"]
    assert OutboundMessage.objects.get(idempotency_key="c").payload == {"content": "c"}


def test_a_message_with_no_target_is_refused_before_anything_is_stored():
    with pytest.raises(ValueError, match=r"^give exactly one of channel_id and member_id$"):
        outbox.enqueue_many([post("a"), outbox.Outgoing(key="b", payload={"content": "b"})])
    assert OutboundMessage.objects.count() == 0
