"""Google's error and token shapes, which the Sheets discovery document does not describe.

``ERROR`` follows Google's JSON error format for REST APIs (``google.rpc.Status`` rendered as
``{"error": {"code", "message", "status", "details"}}``, AIP-193 and
cloud.google.com/apis/design/errors), ``status`` being a ``google.rpc.Code`` name and each
detail an ``Any`` with its ``@type``. ``TOKEN`` and ``TOKEN_ERROR`` follow Google's OAuth 2.0
token endpoint for service accounts (developers.google.com/identity/protocols/oauth2/service-account,
RFC 6749 sections 5.1 and 5.2).
"""

from __future__ import annotations

from .common import STRING, array, enum, obj

RPC_CODES = enum(
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)
# google.rpc.Code -> the HTTP status it maps to (google/rpc/code.proto)
HTTP_FOR_CODE = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
}
ERROR_INFO = obj(
    "google.rpc.ErrorInfo",
    {"@type": enum("type.googleapis.com/google.rpc.ErrorInfo"), "reason": STRING, "domain": STRING},
    {"metadata": {"type": "object", "additionalProperties": STRING}},
)
ERROR = obj(
    "Google JSON error (google.rpc.Status)",
    {
        "error": obj(
            "Status",
            {"code": {"type": "integer", "minimum": 400, "maximum": 599}, "message": STRING, "status": RPC_CODES},
            {"details": array({"type": "object", "required": ["@type"], "properties": {"@type": STRING}})},
            closed=True,
        )
    },
    closed=True,
)
TOKEN = obj(
    "OAuth 2.0 access token response",
    {"access_token": STRING, "expires_in": {"type": "integer", "minimum": 1}, "token_type": enum("Bearer")},
)
TOKEN_ERROR = obj(
    "OAuth 2.0 error response",
    {
        "error": enum(
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
        ),
        "error_description": STRING,
    },
    closed=True,
)
