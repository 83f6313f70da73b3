"""The one user-facing error type.

Services and handlers raise ``RuleError("one sentence for the member")`` for a request the
rules refuse. The interaction dispatcher shows it as a private refusal; admin forms show
it as a form error. Nothing else converts it, and its message is shown as is, so it must
say what to change.
"""

from __future__ import annotations

import redis.exceptions
from django.db import InterfaceError, OperationalError


class RuleError(Exception):
    """A request the rules refuse; ``message`` is shown to the member as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# A service Muster depends on is briefly unavailable (PostgreSQL or Redis restarting): the
# work was not done, and doing it again in a moment helps. Tasks retry these.
OUTAGES = (OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
