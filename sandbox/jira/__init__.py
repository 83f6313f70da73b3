"""A Jira Cloud stand-in: REST v2/v3 reads, JQL search, refused writes, OAuth 2.0 (3LO), a control API.

Point the ``jira`` library at it with::

    JIRA(server=url, basic_auth=(user, token), options={"rest_api_version": "3"})
"""

from __future__ import annotations

import random
import uuid
import warnings
from datetime import datetime

from aiohttp import web

from sandbox.jira import api, control_api
from sandbox.jira import oauth as oauth_routes
from sandbox.jira.guard import guard
from sandbox.jira.oauth import OAuthRegistry, register_app
from sandbox.jira.state import JiraState


def create_app(
    *,
    user: str,
    token: str,
    issues: int = 200,
    seed: int = 0,
    users: int = 20,
    projects: int = 3,
    now: datetime | None = None,
    oauth_apps: list[dict] | None = None,
    cloud_id: str | None = None,
    site_name: str = "Muster Sandbox",
) -> web.Application:
    """A Jira Cloud site seeded with ``issues`` issues, ``users`` users and ``projects`` projects.

    ``user``/``token`` are the only accepted basic-auth credentials (email and API token).
    ``now`` (aware) freezes the site's clock, which seeds the times and resolves relative
    JQL dates; without it the real clock is used. State is at ``app["state"]``.

    ``oauth_apps`` registers OAuth 2.0 (3LO) integrations, each
    ``{"client_id", "client_secret", "redirect_uris": [...]}``; ``cloud_id`` (default: a
    UUID derived from ``seed``) and ``site_name`` are what ``accessible-resources`` reports.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    oauth = OAuthRegistry(
        cloud_id or str(uuid.UUID(int=random.Random(f"cloud:{seed}").getrandbits(128), version=4)), site_name
    )
    for entry in oauth_apps or ():
        problem = register_app(oauth, entry)
        if isinstance(problem, str):
            raise ValueError(f"oauth_apps: {problem}")
    state = JiraState(
        user=user,
        token=token,
        issues_count=issues,
        seed=seed,
        users_count=users,
        projects_count=projects,
        frozen_now=now,
        oauth=oauth,
    )
    state.reseed()
    app = web.Application(middlewares=[guard])
    with warnings.catch_warnings():
        # app["state"] is the documented way in for tests; aiohttp prefers AppKey objects
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["state"] = state
    app.on_shutdown.append(_release_held_connections)
    api.add_routes(app)
    oauth_routes.add_routes(app)
    control_api.add_routes(app)
    return app


async def _release_held_connections(app: web.Application) -> None:
    """Stopping the server frees hung requests at once, so it stops without waiting them out."""
    app["state"].release_hung()


__all__ = ["create_app"]
