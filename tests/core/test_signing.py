"""The gateway's signature on interaction payloads (core.interactions.signing)."""

import json

import pytest

from core.interactions import signing

PAYLOAD = {
    "id": 1_300_000_000_000_000_001,
    "token": "aW50ZXJhY3Rpb24tdG9rZW4",
    "member": {"id": 42, "roles": [7, 8], "permissions": 0, "nick": "Zoë"},
    "created_at": 1_780_000_000.123456,
    "options": {"title": "Picnic", "capacity": 3, "public": True, "note": None},
}


def test_a_signed_payload_verifies_after_the_brokers_json_round_trip():
    signed = signing.sign(PAYLOAD)
    carried = json.loads(json.dumps(signed))  # what kombu's json serializer delivers
    assert signing.verified(carried) == PAYLOAD


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["member"].update(permissions=8),
        lambda p: p.update(id=p["id"] + 1),
        lambda p: p["options"].update(extra="x"),
        lambda p: p.pop("token"),
        lambda p: p.update(sig=p["sig"].upper()),
        lambda p: p.pop("sig"),
        lambda p: p.update(sig=None),
    ],
)
def test_any_change_or_a_missing_signature_is_refused(change):
    signed = json.loads(json.dumps(signing.sign(PAYLOAD)))
    change(signed)
    assert signing.verified(signed) is None


def test_a_signature_under_another_key_is_refused():
    assert signing.verified(signing.sign(PAYLOAD, key=b"another key")) is None


@pytest.mark.parametrize("payload", [None, "text", ["a"], {"sig": "00", "bad": {1, 2}}])
def test_what_is_not_a_signed_dict_is_refused(payload):
    assert signing.verified(payload) is None


def test_the_key_is_required_outside_debug(settings):
    settings.INTERACTION_SIGNING_KEY = None
    with pytest.raises(
        signing.SigningKeyMissing,
        match=r"^INTERACTION_SIGNING_KEY is required: workers run only interactions the gateway signed$",
    ):
        signing.sign(PAYLOAD)


def test_in_debug_without_a_key_it_derives_one_from_secret_key(settings):
    settings.INTERACTION_SIGNING_KEY, settings.DEBUG = None, True
    signed = signing.sign(PAYLOAD)
    assert signing.verified(signed) == PAYLOAD
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789"
    assert signing.verified(signed) is None
