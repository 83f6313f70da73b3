"""OAuth tokens at rest: Fernet (AES-128-CBC + HMAC-SHA256) under ``JIRA_TOKEN_KEY``.

Only workers and web hold the key (``JIRA_TOKEN_KEY`` or ``JIRA_TOKEN_KEY_FILE``); any
string will do, it is stretched with SHA-256 into Fernet's key. A database dump without it
holds no usable token.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = "JIRA_TOKEN_KEY is not set (or JIRA_TOKEN_KEY_FILE): it encrypts Jira OAuth tokens at rest"


def _fernet() -> Fernet:
    secret = settings.JIRA_TOKEN_KEY
    if not secret:
        if not settings.DEBUG:
            raise ImproperlyConfigured(MISSING_KEY)
        # DEBUG only, and no secret: keeps a development database's tokens readable across restarts.
        secret = f"muster-debug-jira-token-key:{settings.DATABASES['default']['NAME']}"
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def seal(token: str) -> str:
    """The token, encrypted for the database ("" stays "")."""
    return _fernet().encrypt(token.encode()).decode() if token else ""


def unseal(sealed: str) -> str:
    """The token back; "" when empty or sealed under another key (the link must reconnect)."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
