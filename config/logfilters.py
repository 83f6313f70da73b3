"""Log filters: no interaction token (nor calendar link) reaches a log line, whatever LOG_LEVEL says.

An interaction's token answers as the bot for 15 minutes. discord.py puts it in request
URLs (``/interactions/<id>/<token>/callback``, ``/webhooks/<app>/<token>/...``) at DEBUG
and in its rate-limit warnings; settings cap the loggers that dump raw payloads (see LOGGING)
and this filter, on every handler, masks the token in any URL that still gets through.
"""

from __future__ import annotations

import logging
import re

# /interactions/<id>/<token>/callback and /webhooks/<application id>/<token>[/...]
TOKEN_IN_URL = re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_\-.~%]{20,}")
# a calendar link's /calendar/<token>.ics (events.calendars: the token is the key to a feed)
CALENDAR_IN_URL = re.compile(r"(/calendar/)[A-Za-z0-9_\-]{20,}")
MASK = r"\1<token>"


class RedactInteractionTokens(logging.Filter):
    """Rewrites a record whose message holds an interaction URL so its token reads ``<token>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it always does
            return True
        redacted = CALENDAR_IN_URL.sub(MASK, TOKEN_IN_URL.sub(MASK, message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
