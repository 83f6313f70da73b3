"""Discord's OAuth2 for users.

``MY_GUILD`` follows ``MyGuildResponse`` of discord/discord-api-spec ``specs/openapi.json``
(``GET /users/@me/guilds``; ``approximate_*`` only ``with_counts``). The token endpoints
have no schema in the spec: ``TOKEN`` and ``TOKEN_ERROR`` follow the access token response
of discord-api-docs ``developers/topics/oauth2.mdx`` and RFC 6749 §5.1 / §5.2, which that
page names.
"""

from __future__ import annotations

from .common import BOOL, INT32, STRING, array, enum, nullable, obj
from .discord_api import PERMISSIONS, SNOWFLAKE

MY_GUILD = obj(
    "MyGuildResponse",
    {
        "id": SNOWFLAKE,
        "name": STRING,
        "icon": nullable(STRING),
        "banner": nullable(STRING),
        "owner": BOOL,
        "permissions": PERMISSIONS,
        "features": array(STRING, uniqueItems=True),
    },
    {"approximate_member_count": nullable(INT32), "approximate_presence_count": nullable(INT32)},
    closed=True,
)
MY_GUILDS = {"title": "array of MyGuildResponse", **nullable(array(MY_GUILD))}

TOKEN = obj(
    "access token response",
    {"token_type": enum("Bearer"), "access_token": STRING, "expires_in": {"type": "integer"}, "scope": STRING},
    {"refresh_token": STRING},
    closed=True,
)
TOKEN_ERROR = obj(
    "RFC 6749 error response",
    {
        "error": enum(
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
        )
    },
    {"error_description": STRING},
    closed=True,
)
