"""A route table that remembers, per handler, its bucket and how it authenticates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web

API_PREFIX = "/api/v10"


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str  # Discord's template, e.g. /channels/{channel_id}/messages
    bucket: str
    # "bot": needs the bot token; "token": the webhook/interaction token in the path;
    # "bot|<scope>": the bot token or a user's Bearer token granted <scope>.
    auth: str
    unversioned: bool = False  # also served under /api without the version, as Discord does

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def global_limited(self) -> bool:
        # Interaction callbacks and webhook-token routes are outside the global limit.
        return self.auth.startswith("bot")

    @property
    def bearer_scope(self) -> str | None:
        return self.auth.partition("|")[2] or None


class RouteTable:
    """Collect handlers with ``@routes.route(...)`` and add them under /api/v10."""

    def __init__(self) -> None:
        self.entries: list[tuple[RouteSpec, object]] = []

    def route(self, method: str, path: str, *, bucket: str = "default", auth: str = "bot", unversioned=False):
        def register(handler):
            spec = RouteSpec(method, path, bucket, auth, unversioned)
            handler.route_spec = spec
            self.entries.append((spec, handler))
            return handler

        return register

    def install(self, app: web.Application) -> None:
        for spec, handler in self.entries:
            app.router.add_route(spec.method, API_PREFIX + spec.path, handler)
            if spec.unversioned:
                app.router.add_route(spec.method, "/api" + spec.path, handler)


def spec_of(request: web.Request) -> RouteSpec | None:
    """The spec of the handler aiohttp matched, if it is one of ours."""
    return getattr(request.match_info.handler, "route_spec", None)


def major_parameters(request: web.Request) -> str:
    """channel_id, guild_id, webhook_id(+token) from the path: what buckets are keyed by."""
    info = request.match_info
    keys = ("channel_id", "guild_id", "webhook_id", "webhook_token")
    return "+".join(info[k] for k in keys if k in info)


def snowflake(request: web.Request, name: str) -> int:
    """A path parameter as an int; Discord answers 404 for ids that cannot exist."""
    from .errors import not_found_route

    try:
        return int(request.match_info[name])
    except ValueError:
        raise not_found_route() from None


def int_query(request: web.Request, name: str, default: int) -> int:
    """An integer query parameter; Discord answers one that is not a number with 50035."""
    from .errors import field_error, invalid_form_body

    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        problem = field_error("NUMBER_TYPE_COERCE", f'Value "{raw}" is not int.')
        raise invalid_form_body({name: problem}) from None


def body_int(value, *path: str) -> int:
    """A number or snowflake from a JSON body (ints or strings, as clients send them), or 50035
    with the error nested under ``path`` (``"roles", "0"``).
    """
    from .errors import field_error, invalid_form_body

    try:
        return int(value)
    except (TypeError, ValueError):
        problem = field_error("NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
        for key in reversed(path):
            problem = {key: problem}
        raise invalid_form_body(problem) from None


async def read_json(request: web.Request):
    """The JSON body, or Discord's 50109 when it is not JSON."""
    from .errors import DiscordError

    if not request.can_read_body:
        return {}
    if request.content_type.startswith("multipart/"):
        # Files are accepted and dropped; the JSON part is what the sandbox keeps.
        form = await request.post()
        text = form.get("payload_json") or "{}"
        try:
            return _loads(text if isinstance(text, str) else text.file.read().decode())
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    try:
        return await request.json(loads=_loads)
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


# Discord's default upload limit per request ("Uploading Files"): larger answers 40005.
UPLOAD_LIMIT = 10 * 1024 * 1024
_FILE_PART = re.compile(r"^files\[(\d+)\]$")


async def read_message(request: web.Request) -> tuple[dict, dict[int, dict]]:
    """A message-creating body: its JSON, and for multipart/form-data the uploaded ``files[n]`` by n.

    Discord's contract ("Uploading Files"): the JSON goes in ``payload_json``, each file in a
    ``files[n]`` part, and ``attachments`` in the JSON names each file by its ``id`` (n).
    """
    from .errors import DiscordError

    if not request.content_type.startswith("multipart/"):
        return await read_json(request), {}
    form = await request.post()
    text = form.get("payload_json") or "{}"
    try:
        body = _loads(text if isinstance(text, str) else text.file.read().decode())
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    files = {}
    for name, part in form.items():
        match = _FILE_PART.match(name)
        if match is None or isinstance(part, str):
            continue
        data = part.file.read()
        files[int(match.group(1))] = {"filename": part.filename, "content_type": part.content_type, "data": data}
    if sum(len(f["data"]) for f in files.values()) > UPLOAD_LIMIT:
        raise DiscordError(413, 40005, "Request entity too large")
    return body, files


def _loads(text: str):
    import json

    return json.loads(text)
