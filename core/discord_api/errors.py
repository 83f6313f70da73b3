"""The Discord client's errors, each saying whether retrying can help."""

from __future__ import annotations

# JSON error codes that no retry will change (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
CANNOT_DM = 50007
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_INTERACTION = 10062
UNKNOWN_WEBHOOK = 10015


class DiscordError(Exception):
    """A failed Discord request. ``retryable`` says whether the same request may succeed later."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code

    def __str__(self) -> str:
        parts = [super().__str__()]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        return " / ".join(parts)


class PermanentError(DiscordError):
    """Discord refused the request for good (4xx): closed DMs, unknown channel, missing access."""

    @property
    def cannot_dm(self) -> bool:
        return self.code == CANNOT_DM

    @property
    def gone(self) -> bool:
        """The channel, message or interaction no longer exists."""
        return self.code in (UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, UNKNOWN_INTERACTION, UNKNOWN_WEBHOOK)


class TransientError(DiscordError):
    """5xx, timeouts or rate limits outlasted the client's retries; try again later."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message, status=status)
        self.retry_after = retry_after

    @property
    def held_back(self) -> bool:
        """Nothing was sent: a rate limit would have made the request wait longer than its caller allows."""
        return self.status is None and self.retry_after is not None


class InvalidMessage(PermanentError):
    """A message Discord would refuse with a 400 (too long, too many embeds…); never sent."""
