"""What a member typed in a refused form, kept a few minutes so the form can reopen filled in.

When a form's handler refuses the submission (``RuleError``: an unreadable start, a past
deadline), the dispatcher keeps the typed values here and puts an *Edit and try again*
button (``RETRY``) under the refusal. Discord only lets the gateway answer a click with a
form, so the gateway reads the values back (``load``, without blocking its loop; it never
writes) and reopens the form declared for them (``core.interactions.declare.reopened_form``).

The values sit in Redis under the member's id and a random token, for ``KEEP_FOR``; a
click by anyone else, or after that, finds nothing. Forms whose route redacts (what was
chosen must leave no trace) are never kept.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import timedelta

from django.conf import settings

from core.interactions.custom_ids import CustomId
from core.interactions.values import Interaction
from core.redis import get_redis

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(minutes=10)
RETRY = CustomId("form:retry:{draft}")
EXPIRED = "That form has expired (typed values are kept for 10 minutes). Run the command again."


def _key(member_id: int, draft: str) -> str:
    return f"muster:form-draft:{member_id}:{draft}"


def keep(interaction: Interaction) -> str:
    """Keep the submitted form's custom_id and values; returns the token for ``RETRY``."""
    draft = secrets.token_urlsafe(12)
    value = json.dumps({"custom_id": interaction.custom_id, "fields": interaction.fields})
    get_redis().set(_key(interaction.actor.id, draft), value, ex=int(KEEP_FOR.total_seconds()))
    return draft


async def load(member_id: int, draft: str) -> dict | None:
    """``{"custom_id", "fields"}`` kept for this member under ``draft``, or None (expired, or not theirs)."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        raw = await client.get(_key(member_id, draft))
    except redis.RedisError as exc:
        log.warning("form draft of member %s could not be read: %s", member_id, type(exc).__name__)
        return None
    finally:
        await client.aclose()
    return None if raw is None else json.loads(raw)
