"""Control API: reset, stats, limits, configuration, faults and gateway disruptions."""

from __future__ import annotations

import time

from aiohttp import web

from ..gateway import intents as I
from . import common as c

routes = web.RouteTableDef()
CONFIG_KEYS = {
    "interaction_deadline_s": float,
    "token_ttl_s": float,
    "recommended_shards": int,
    "max_concurrency": int,
    "heartbeat_interval_ms": int,
    "heartbeat_ack_delay_ms": int,
    "resume_window_s": float,
    "bot_token": str,
}


@routes.post("/_control/reset")
async def reset(request: web.Request) -> web.Response:
    """Empty the world, counters, faults and limit windows; close sockets (sessions end)."""
    state = request.app["state"]
    for connection in list(state.hub.connections):
        connection.close_later(4009)  # "session timed out": clients identify afresh
    state.hub.invalidate_all()
    state.hub.counters.clear()
    state.hub.events.clear()
    state.hub.hold_until = 0.0
    state.faults.clear()
    state.limits.reset()
    state.stats.reset()
    state.clear()
    return c.ok()


@routes.get("/_control/stats")
async def stats(request: web.Request) -> web.Response:
    """REST counters (per route, statuses, 429s by scope, invalid requests), gateway counters,
    and ``interactions``: delivery and answer figures of both modes (``?ack_samples=1`` adds
    every accepted initial response's latency in ms, in order).
    """
    state = request.app["state"]
    interactions = state.stats.interaction_snapshot(
        state.interactions, state.config.interaction_deadline_s, time.monotonic()
    )
    interactions["in_flight"] = state.endpoint.in_flight
    if request.query.get("ack_samples") in ("1", "true"):
        interactions["ack_ms_samples"] = [round(s * 1000, 3) for s in state.stats.ack_s]
    return c.ok(
        {
            "rest": state.stats.snapshot(),
            "gateway": state.hub.snapshot(),
            "limits": state.limits.snapshot(),
            "faults": state.faults.snapshot(),
            "interactions": interactions,
        }
    )


@routes.post("/_control/limits")
async def set_limits(request: web.Request) -> web.Response:
    """``{"global_per_s": 1000, "routes": {"messages:create": [5, 0.1]}, "enabled": true}``."""
    state, data = request.app["state"], await c.body(request)
    routes_given = data.get("routes") or {}
    unknown = [name for name in routes_given if name not in state.limits.rules]
    if unknown:
        raise c.ControlError(400, f"unknown buckets {unknown}; known: {sorted(state.limits.rules)}")
    state.limits.configure(
        global_per_s=data.get("global_per_s"),
        route_limits={k: tuple(v) for k, v in routes_given.items()},
        enabled=data.get("enabled"),
    )
    return c.ok(state.limits.snapshot())


@routes.post("/_control/config")
async def set_config(request: web.Request) -> web.Response:
    """Change run-time settings (deadline, token TTL, shards, heartbeat, bot token)."""
    state, data = request.app["state"], await c.body(request)
    for key, value in data.items():
        if key not in CONFIG_KEYS:
            raise c.ControlError(400, f"unknown setting {key!r}; known: {sorted(CONFIG_KEYS)}")
        setattr(state.config, key, CONFIG_KEYS[key](value))
    state.hub.resume_window_s = state.config.resume_window_s
    return c.ok({k: getattr(state.config, k) for k in CONFIG_KEYS if k != "bot_token"})


@routes.post("/_control/faults")
async def add_fault(request: web.Request) -> web.Response:
    """Delay, fail or rate-limit requests matching ``method`` and ``path`` (a glob after /api/v10)."""
    state, data = request.app["state"], await c.body(request)
    options = {k: data[k] for k in ("status", "delay_s", "retry_after", "scope") if k in data}
    if "global" in data:
        options["is_global"] = bool(data["global"])
    try:
        fault = state.faults.add(
            kind=data.get("kind", ""),
            path=data.get("path", "*"),
            method=data.get("method", "*"),
            count=data.get("count"),
            duration_s=data.get("duration_s"),
            **options,
        )
    except (TypeError, ValueError) as error:
        raise c.ControlError(400, str(error)) from None
    return c.ok(fault.describe(), status=201)


@routes.get("/_control/faults")
async def list_faults(request: web.Request) -> web.Response:
    return c.ok(request.app["state"].faults.snapshot())


@routes.delete("/_control/faults")
async def clear_faults(request: web.Request) -> web.Response:
    request.app["state"].faults.clear()
    return c.ok()


def _targets(request: web.Request, data: dict):
    shard = data.get("shard_id")
    return request.app["state"].hub.select(None if shard is None else int(shard))


@routes.post("/_control/gateway/drop")
async def drop_sockets(request: web.Request) -> web.Response:
    """Drop sockets: ``code`` closes with that code, ``null`` cuts TCP; ``hold_s`` delays HELLO
    on new sockets (an outage during which events pile up for RESUME to replay).
    """
    state, data = request.app["state"], await c.body(request)
    targets = _targets(request, data)
    hold = float(data.get("hold_s", 0.0))
    if hold > 0:
        state.hub.hold_until = time.monotonic() + hold
    code = data.get("code", 4000)
    for connection in targets:
        # Detach now so events injected right after this call are buffered, not sent.
        if connection.session is not None and connection.session.connection is connection:
            connection.session.connection = None
            connection.session.disconnected_at = time.monotonic()
        connection.close_later(None if code is None else int(code))
    state.hub.counters["drops"] += len(targets)
    state.changed()
    return c.ok({"dropped": len(targets)})


@routes.post("/_control/gateway/reconnect")
async def request_reconnect(request: web.Request) -> web.Response:
    """Send op 7 RECONNECT: clients close and RESUME."""
    data = await c.body(request)
    targets = _targets(request, data)
    for connection in targets:
        connection.enqueue({"op": I.RECONNECT, "d": None, "s": None, "t": None})
    return c.ok({"sent": len(targets)})


@routes.post("/_control/gateway/invalidate")
async def invalidate_sessions(request: web.Request) -> web.Response:
    """Send op 9 INVALID_SESSION with ``resumable`` (default false: the session is gone)."""
    data = await c.body(request)
    resumable = bool(data.get("resumable", False))
    targets = _targets(request, data)
    for connection in targets:
        if not resumable and connection.session is not None:
            connection.session.invalid = True
        connection.enqueue({"op": I.INVALID_SESSION, "d": resumable, "s": None, "t": None})
    return c.ok({"sent": len(targets)})
