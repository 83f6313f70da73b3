"""The ``/api/v1/`` API: its routers, authentication, error handlers and documentation.

The OpenAPI 3.1 schema is at ``/api/v1/openapi.json``; ``/api/v1/docs`` is Swagger UI served
from Muster's own static files (django-ninja's, with ``ninja`` in INSTALLED_APPS), never a CDN.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from api import errors
from api.routes import command_logs, custom_commands, events, guilds, polls, registrations, schedules
from api.security import TokenAuth

DESCRIPTION = """Muster's REST API. Every request carries a guild's API token
(`Authorization: Bearer mst_...`), which sees that guild only: another guild's objects answer 404.
GET needs the `read` scope, every other method `write`. Errors are
`{"detail": "<sentence>", "errors": [{"loc": [...], "msg": ..., "type": ...}]}`.
A POST may carry an `Idempotency-Key` header: the first success is replayed for 24 hours."""

api = NinjaAPI(
    title="Muster API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False}),
)
errors.install(api)
for module in (guilds, events, registrations, polls, command_logs, custom_commands, schedules):
    api.add_router("/", module.router)
