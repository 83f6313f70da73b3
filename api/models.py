"""API tokens and the POST requests they made with an Idempotency-Key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from core.models import Guild

READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)


class ApiToken(models.Model):
    """A bearer token for one guild: shown once, stored as a prefix and a keyed hash.

    The prefix (public, part of the token) finds the row; the keyed hash of the whole token
    (``api.tokens.digest``) proves it. The token itself is never stored or logged.
    """

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What it is for: the script or service that uses it.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False, help_text="HMAC-SHA256 of the token (hex).")
    scopes = models.JSONField(default=list, help_text='"read" (GET) and/or "write" (POST, PATCH, PUT, DELETE).')
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="To the minute.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotentRequest(models.Model):
    """A POST's successful answer, replayed when the same token sends the same Idempotency-Key.

    Kept 24 hours (``api.idempotency.KEPT_FOR``); the unique constraint is what stops two
    simultaneous requests with one key from both taking effect.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotent_requests")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Blank while in flight.")
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotentrequest_one_per_key")]
        indexes = [models.Index(fields=["token", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
