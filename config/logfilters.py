"""Log filters: no interaction token (nor calendar link) reaches a log line, whatever LOG_LEVEL says.

An interaction's token answers as the bot for 15 minutes. discord.py puts it in request
URLs (``/interactions/<id>/<token>/callback``, ``/webhooks/<app>/<token>/...``) at DEBUG
and in its rate-limit warnings; settings cap the loggers that dump raw payloads (see LOGGING)
and this filter, on every handler, masks the token in any URL that still gets through.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from config import logcontext

# /interactions/<id>/<token>/callback and /webhooks/<application id>/<token>[/...]
TOKEN_IN_URL = re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_\-.~%]{20,}")
# a calendar link's /calendar/<token>.ics (events.calendars: the token is the key to a feed)
CALENDAR_IN_URL = re.compile(r"(/calendar/)[A-Za-z0-9_\-]{20,}")
MASK = r"\1<token>"
# an interaction token anywhere else: Discord's start with base64("interaction:")
BARE_TOKEN = re.compile(r"aW50ZXJhY3Rpb246[A-Za-z0-9_\-.~%]+")


def redact(text: str) -> str:
    """``text`` with every interaction token and calendar link token replaced by ``<token>``."""
    return BARE_TOKEN.sub("<token>", CALENDAR_IN_URL.sub(MASK, TOKEN_IN_URL.sub(MASK, text)))


class RedactInteractionTokens(logging.Filter):
    """Rewrites a record whose message holds an interaction URL so its token reads ``<token>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it always does
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json): time, level, logger, message, the ids known
    (``config.logcontext``: interaction_id, guild_id, task_id, request_id) and any traceback.

    The message has passed ``RedactInteractionTokens`` (the handler's filter); the traceback,
    formatted here, is redacted the same way. Muster never logs a message body nor, for a
    redacted interaction, an exception's message (``core.interactions.dispatcher``).
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "process": record.process,
            **logcontext.current(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
