"""The control API under /_control/: drive the sandbox from tests and benchmarks."""

from aiohttp import web

from . import admin, application, entities, inject, oauth2, organising, readback
from .common import control_errors

__all__ = ["control_errors", "install"]


def install(app: web.Application) -> None:
    """Add every control route to ``app``."""
    for module in (entities, inject, readback, admin, oauth2, application, organising):
        app.router.add_routes(module.routes)
