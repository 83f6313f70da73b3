"""The handler filter masks interaction tokens in any URL that reaches a log line."""

import logging

import pytest

from config.logfilters import RedactInteractionTokens

TOKEN = "aW50ZXJhY3Rpb246MTU3NzQ0MDIxNTY5NjUzOTY0ODpzZWNyZXQ"


@pytest.mark.parametrize(
    ("message", "args", "expected"),
    [
        (
            "We are being rate limited. %s %s responded with 429.",
            ("POST", f"https://discord.com/api/v10/interactions/123/{TOKEN}/callback"),
            "We are being rate limited. POST https://discord.com/api/v10/interactions/123/<token>/callback "
            "responded with 429.",
        ),
        (
            "PATCH %s has returned %s",
            (f"https://discord.com/api/v10/webhooks/456/{TOKEN}/messages/@original", 404),
            "PATCH https://discord.com/api/v10/webhooks/456/<token>/messages/@original has returned 404",
        ),
        ("channel %s", ("/channels/789/messages",), "channel /channels/789/messages"),
        (
            "Not Found: %s",
            ("/calendar/3q2-7wEa_Gx5lGPNuWmk0nCzYbq1OKdLr8m0TjAXo9s.ics",),
            "Not Found: /calendar/<token>.ics",
        ),
    ],
)
def test_it_masks_the_token_of_interaction_urls(message, args, expected):
    record = logging.LogRecord("discord.http", logging.WARNING, __file__, 1, message, args, None)
    assert RedactInteractionTokens().filter(record) is True
    assert record.getMessage() == expected


def test_it_is_on_the_console_handler_and_caps_the_payload_loggers(settings):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact_tokens"]
    capped = {name: settings.LOGGING["loggers"][name]["level"] for name in ("discord", "celery.pool", "kombu")}
    assert capped == {"discord": "INFO", "celery.pool": "INFO", "kombu": "INFO"}
