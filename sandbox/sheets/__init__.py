"""A Google Sheets API v4 stand-in with its own OAuth token endpoint and a control API.

Point googleapiclient at it with the service-account key from ``/_control/service-account``
(its ``token_uri`` is this server's ``/token``)::

    creds = service_account.Credentials.from_service_account_info(key)
    build("sheets", "v4", credentials=creds, static_discovery=True,
          client_options={"api_endpoint": url})
"""

from __future__ import annotations

import warnings

from aiohttp import web

from sandbox.sheets import api, control_api
from sandbox.sheets.auth import generate_service_account, token_endpoint
from sandbox.sheets.errors import error_middleware
from sandbox.sheets.quota import MinuteQuota
from sandbox.sheets.state import SheetsState

MAX_BODY_BYTES = 512 * 1024 * 1024
DEFAULT_ACCOUNT = "muster-export@muster-sandbox.iam.gserviceaccount.com"


def create_app(
    *,
    write_quota_per_minute: int | None = 60,
    read_quota_per_minute: int | None = 60,
    cell_limit: int = 10_000_000,
    service_account_email: str = DEFAULT_ACCOUNT,
    seed: int = 0,
) -> web.Application:
    """A Sheets server whose quotas default to Google's per-user limits (60 a minute each).

    A service account ``service_account_email`` with a fresh RSA key is registered at once;
    its key file is at ``GET /_control/service-account``. ``seed`` fixes generated ids.
    State is at ``app["state"]``.
    """
    state = SheetsState(
        write_quota=MinuteQuota(write_quota_per_minute),
        read_quota=MinuteQuota(read_quota_per_minute),
        cell_limit=cell_limit,
        seed=seed,
    )
    state.default_account = generate_service_account(service_account_email)
    state.register(state.default_account)
    # Google takes large batchUpdates (a 100,000-row export is ~100 MB of JSON); aiohttp's
    # default body limit is 1 MiB
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY_BYTES)
    with warnings.catch_warnings():
        # app["state"] is the documented way in for tests; aiohttp prefers AppKey objects
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["state"] = state
    app.router.add_post("/token", token_endpoint)
    api.add_routes(app)
    control_api.add_routes(app)
    return app


__all__ = ["create_app"]
