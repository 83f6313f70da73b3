"""A small synchronous client for the Discord sandbox's control API (``/_control/``).

Typical use in a test::

    ctl = DiscordControl(server.url)
    guild = ctl.create_guild("Muster HQ")                  # the bot is in it; GUILD_CREATE sent
    channel_id = guild["channels"][0]["id"]
    alice = ctl.add_member(guild["id"], username="alice", dms_open=False)
    ix = ctl.inject_command("poll", channel_id=channel_id, user_id=alice["user"]["id"],
                            subcommand="create", options={"question": "Lunch?"})
    done = ctl.wait_for_response(ix["id"], timeout=5)    # raises WaitTimeout after 5 s
    ctl.messages(channel_id)                              # every message, with edit history

Ids are returned as strings (as Discord sends them); every method accepts ints or strings.
Errors from the control API raise ``ControlError`` with the server's message.
"""

from __future__ import annotations

from typing import Any

import httpx

Id = int | str


class ControlError(RuntimeError):
    """The control API refused a request (bad id, unknown option, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class EndpointRefused(ControlError):
    """Discord's validation refused an Interactions Endpoint URL; ``checks`` is what the
    signed PING and the badly signed one got back (``{"ping": {...}, "bad_signature": ...}``).
    """

    def __init__(self, reason: str, checks: dict) -> None:
        super().__init__(400, reason)
        self.reason = reason
        self.checks = checks


class WaitTimeout(AssertionError):
    """A ``wait_*`` condition did not hold in time; ``condition`` is what was asked."""

    def __init__(self, condition: dict, waited_s: float) -> None:
        super().__init__(f"timed out after {waited_s:.2f}s waiting for {condition}")
        self.condition = condition


class DiscordControl:
    """Drive a running sandbox: build guilds and members, inject interactions, read results."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url + "/_control", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DiscordControl:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, method: str, path: str, json: dict | None = None, params: dict | None = None, **kw) -> Any:
        response = self._http.request(method, path, json=json, params=params, **kw)
        if response.status_code >= 400 and response.status_code != 408:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise ControlError(response.status_code, message)
        return response.json()

    @staticmethod
    def _clean(**fields) -> dict:
        return {k: v for k, v in fields.items() if v is not None}

    # --- world -------------------------------------------------------------------------------

    def create_user(self, username: str, *, dms_open: bool = True, user_id: Id | None = None) -> dict:
        """A user in no guild yet (``dms_open`` is their "DMs from server members" setting)."""
        return self._call("POST", "/users", self._clean(username=username, dms_open=dms_open, id=user_id))

    def set_dms_open(self, user_id: Id, dms_open: bool) -> dict:
        """Open or close a user's DMs; sends to a closed DM get 403 code 50007."""
        return self._call("PATCH", f"/users/{user_id}", {"dms_open": dms_open})

    def create_guild(
        self,
        name: str,
        *,
        channels: list[str] | None = None,
        with_bot: bool = True,
        guild_id: Id | None = None,
        owner_id: Id | None = None,
        everyone_permissions: int | None = None,
        bot_permissions: int | None = None,
    ) -> dict:
        """A guild with text ``channels`` (default ``["general"]``) and, by default, the bot.

        Returns ``{"id", "name", "owner_id", "bot_present", "channels", "roles", "members"}``.
        Pick ``guild_id`` to place a guild on a given shard ((id >> 22) % num_shards).
        """
        body = self._clean(
            name=name,
            channels=channels,
            with_bot=with_bot,
            id=guild_id,
            owner_id=owner_id,
            everyone_permissions=everyone_permissions,
            bot_permissions=bot_permissions,
        )
        return self._call("POST", "/guilds", body)

    def guild(self, guild_id: Id) -> dict:
        return self._call("GET", f"/guilds/{guild_id}")

    def add_bot(self, guild_id: Id) -> dict:
        """Invite the bot: its managed role and member, and GUILD_CREATE on the gateway."""
        return self._call("PUT", f"/guilds/{guild_id}/bot")

    def remove_bot(self, guild_id: Id) -> dict:
        """Kick the bot: GUILD_DELETE on the gateway."""
        return self._call("DELETE", f"/guilds/{guild_id}/bot")

    def create_channel(self, guild_id: Id, name: str, *, type: int = 0, **fields) -> dict:
        """A guild channel (CHANNEL_CREATE), a category with ``type=4``; ``fields``: topic,
        parent_id, permission_overwrites (``[{"id", "type": 0 role | 1 member, "allow", "deny"}]``).
        """
        return self._call("POST", f"/guilds/{guild_id}/channels", {"name": name, "type": type, **fields})

    def update_channel(self, channel_id: Id, **fields) -> dict:
        return self._call("PATCH", f"/channels/{channel_id}", fields)

    def delete_channel(self, channel_id: Id) -> dict:
        return self._call("DELETE", f"/channels/{channel_id}")

    def create_role(self, guild_id: Id, name: str, *, permissions: int = 0, **fields) -> dict:
        """A role just above @everyone (GUILD_ROLE_CREATE); ``fields``: color, hoist, mentionable."""
        return self._call("POST", f"/guilds/{guild_id}/roles", {"name": name, "permissions": permissions, **fields})

    def update_role(self, guild_id: Id, role_id: Id, **fields) -> dict:
        return self._call("PATCH", f"/guilds/{guild_id}/roles/{role_id}", fields)

    def delete_role(self, guild_id: Id, role_id: Id) -> dict:
        return self._call("DELETE", f"/guilds/{guild_id}/roles/{role_id}")

    def add_member(
        self,
        guild_id: Id,
        *,
        username: str | None = None,
        user_id: Id | None = None,
        roles: list[Id] | None = None,
        nick: str | None = None,
        dms_open: bool = True,
    ) -> dict:
        """Add an existing user or a new one (``username``): GUILD_MEMBER_ADD.

        Returns the member object (``member["user"]["id"]`` is the user id) plus ``dms_open``.
        """
        body = self._clean(username=username, user_id=user_id, roles=roles, nick=nick, dms_open=dms_open)
        return self._call("POST", f"/guilds/{guild_id}/members", body)

    def update_member(self, guild_id: Id, user_id: Id, **fields) -> dict:
        """Change ``roles`` (list of ids) or ``nick``: GUILD_MEMBER_UPDATE."""
        return self._call("PATCH", f"/guilds/{guild_id}/members/{user_id}", fields)

    def remove_member(self, guild_id: Id, user_id: Id) -> dict:
        return self._call("DELETE", f"/guilds/{guild_id}/members/{user_id}")

    def post_message(self, channel_id: Id, author_id: Id, content: str = "", **fields) -> dict:
        """A user writes in a channel (MESSAGE_CREATE to the bot)."""
        body = {"author_id": str(author_id), "content": content, **fields}
        return self._call("POST", f"/channels/{channel_id}/messages", body)

    def edit_message(self, message_id: Id, **fields) -> dict:
        """A user edits their message (MESSAGE_UPDATE)."""
        return self._call("PATCH", f"/messages/{message_id}", fields)

    def delete_message(self, message_id: Id) -> dict:
        return self._call("DELETE", f"/messages/{message_id}")

    def member(self, guild_id: Id, user_id: Id) -> dict:
        """A member object plus ``role_names`` (highest first)."""
        return self._call("GET", f"/guilds/{guild_id}/members/{user_id}")

    def set_bot_role_position(self, guild_id: Id, position: int) -> dict:
        """Move the bot's managed role (the role hierarchy: it may only hand out roles below)."""
        role = next(r for r in self.guild(guild_id)["roles"] if r.get("tags", {}).get("bot_id"))
        return self.update_role(guild_id, role["id"], position=position)

    def permissions_in(self, channel_id: Id, user_id: Id) -> dict:
        """What a member may do in a channel or thread, overwrites applied:
        ``{"permissions", "view_channel", "send_messages", "overwrites"}``.
        """
        return self._call("GET", f"/channels/{channel_id}/permissions/{user_id}")

    # --- threads and scheduled events -------------------------------------------------------

    def threads(self, channel_id: Id) -> list[dict]:
        """The threads under a channel: payloads plus ``members`` (user ids), ``archived``, ``locked``."""
        return self._call("GET", f"/channels/{channel_id}/threads")

    def thread(self, thread_id: Id) -> dict:
        return self._call("GET", f"/threads/{thread_id}")

    def start_thread(
        self, channel_id: Id, owner_id: Id, name: str, *, type: int = 11, message_id: Id | None = None
    ) -> dict:
        """A member starts a thread (THREAD_CREATE): public (11) or private (12), or from a message."""
        body = self._clean(owner_id=str(owner_id), name=name, type=type, message_id=message_id)
        return self._call("POST", f"/channels/{channel_id}/threads", body)

    def update_thread(self, thread_id: Id, **fields) -> dict:
        """A moderator changes ``name``, ``archived`` or ``locked`` (THREAD_UPDATE)."""
        return self._call("PATCH", f"/threads/{thread_id}", fields)

    def join_thread(self, thread_id: Id, user_id: Id) -> dict:
        """A member joins a thread (THREAD_MEMBERS_UPDATE)."""
        return self._call("PUT", f"/threads/{thread_id}/members/{user_id}")

    def leave_thread(self, thread_id: Id, user_id: Id) -> dict:
        return self._call("DELETE", f"/threads/{thread_id}/members/{user_id}")

    def scheduled_events(self, guild_id: Id) -> list[dict]:
        """A guild's scheduled events, each with ``interested`` (user ids)."""
        return self._call("GET", f"/guilds/{guild_id}/scheduled-events")

    def create_scheduled_event(
        self, guild_id: Id, creator_id: Id, name: str, *, start: str, end: str, location: str = "somewhere", **fields
    ) -> dict:
        """A member makes an EXTERNAL event (no checks: fill a guild, or make one not the bot's)."""
        body = {
            "creator_id": str(creator_id),
            "name": name,
            "scheduled_start_time": start,
            "scheduled_end_time": end,
            "location": location,
            **fields,
        }
        return self._call("POST", f"/guilds/{guild_id}/scheduled-events", body)

    def mark_interested(self, guild_id: Id, event_id: Id, user_id: Id, interested: bool = True) -> dict:
        """A member clicks (or unclicks) "Interested" (GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE)."""
        method = "PUT" if interested else "DELETE"
        return self._call(method, f"/guilds/{guild_id}/scheduled-events/{event_id}/users/{user_id}")

    def enable_intents(self, *names: str, enabled: bool = True) -> dict:
        """Enable (or with ``enabled=False`` disable) privileged intents for the application:
        ``GUILD_MEMBERS``, ``GUILD_PRESENCES``, ``MESSAGE_CONTENT``. Without them IDENTIFY
        asking for them is closed with 4014.
        """
        return self._call("POST", "/intents", {name: enabled for name in names})

    # --- the application and HTTP interactions ------------------------------------------------

    def application(self) -> dict:
        """``{"id", "verify_key", "interactions_endpoint_url", "delivery", "in_flight"}``:
        ``verify_key`` is the hex Ed25519 public key ("PUBLIC KEY" in the developer portal)
        that signs every POST to the endpoint; ``delivery`` is ``"gateway"`` or ``"http"``.
        """
        return self._call("GET", "/application")

    def set_interactions_endpoint(self, url: str | None) -> dict:
        """Set the Interactions Endpoint URL (``http://127.0.0.1:PORT/...`` only) after
        Discord's validation: a signed PING must be answered 200 ``{"type": 1}`` and a badly
        signed one 401. From then on every injected interaction is POSTed there, signed,
        instead of INTERACTION_CREATE. ``None`` or ``""`` goes back to the gateway. Returns
        ``application()`` plus ``checks``; raises ``EndpointRefused`` with the reason.
        """
        response = self._http.post("/application/interactions-endpoint", json={"url": url}, timeout=30)
        data = response.json()
        if response.status_code == 400 and "checks" in data:
            raise EndpointRefused(data["error"], data["checks"])
        if response.status_code >= 400:
            raise ControlError(response.status_code, data.get("error", response.text))
        return data

    # --- interactions ------------------------------------------------------------------------

    def inject_command(
        self,
        name: str,
        *,
        channel_id: Id,
        user_id: Id,
        options: dict | list | None = None,
        subcommand: str | None = None,
        command_type: int = 1,
        target_id: Id | None = None,
    ) -> dict:
        """A member runs a registered command. ``subcommand`` is ``"sub"`` or ``"group sub"``;
        ``options`` maps option names to values (users, channels, roles by id; ``resolved``
        is filled in). Returns ``{"id", "token", "payload"}`` (payload = what the bot got).
        """
        body = self._clean(
            name=name,
            channel_id=str(channel_id),
            user_id=str(user_id),
            options=options,
            subcommand=subcommand,
            command_type=command_type,
            target_id=target_id,
        )
        return self._call("POST", "/interactions/command", body)

    def inject_autocomplete(
        self, name: str, *, channel_id: Id, user_id: Id, focused: str, options: dict, subcommand: str | None = None
    ) -> dict:
        """A member types in option ``focused`` (its value in ``options`` is the partial text)."""
        body = self._clean(
            name=name,
            channel_id=str(channel_id),
            user_id=str(user_id),
            focused=focused,
            options=options,
            subcommand=subcommand,
        )
        return self._call("POST", "/interactions/autocomplete", body)

    def inject_component(self, *, message_id: Id, custom_id: str, user_id: Id, values: list[str] | None = None) -> dict:
        """A member clicks the button (or picks ``values`` in the select) ``custom_id`` on a message."""
        body = self._clean(message_id=str(message_id), custom_id=custom_id, user_id=str(user_id), values=values)
        return self._call("POST", "/interactions/component", body)

    def inject_modal_submit(
        self,
        *,
        channel_id: Id,
        user_id: Id,
        custom_id: str,
        fields: dict[str, str],
        message_id: Id | None = None,
        forged: bool = False,
    ) -> dict:
        """A member submits a modal; ``fields`` maps text-input custom_ids to values.

        ``forged``: the latest modal opened for the user, submitted under another custom_id
        (what a modified client could send).
        """
        body = self._clean(
            channel_id=str(channel_id),
            user_id=str(user_id),
            custom_id=custom_id,
            fields=fields,
            message_id=None if message_id is None else str(message_id),
            forged=forged or None,
        )
        return self._call("POST", "/interactions/modal", body)

    def interaction(self, interaction_id: Id) -> dict:
        """``{"response", "refused", "failed", "delivery", "original", "followups", "created",
        ...}`` of an interaction. ``response.at.monotonic - created.monotonic`` is the ack
        time in both delivery modes; ``failed`` says why the user saw "This interaction
        failed" (``late_callback``, ``http_late``, ``http_status``, ``http_malformed``,
        ``http_invalid``, ``http_connection``); ``delivery`` is ``{"mode": "gateway"}`` or the
        HTTP POST's record (``url``, ``sent``, ``answered``, ``status``, ``outcome``: response,
        callback (202), late, status, malformed, invalid, connection; ``error``).
        """
        return self._call("GET", f"/interactions/{interaction_id}")

    # --- read back and wait -------------------------------------------------------------------

    def messages(self, channel_id: Id, *, include_deleted: bool = True) -> list[dict]:
        """Every message of a channel, oldest first, ephemeral ones included. Each has
        ``content``, ``embeds``, ``components``, ``flags``, ``ephemeral``, ``deleted``,
        ``created`` (``monotonic``/``wall``/``iso``), ``history`` (earlier versions) and
        ``payload`` (the message object as Discord sends it).
        """
        params = {"include_deleted": "1" if include_deleted else "0"}
        return self._call("GET", f"/channels/{channel_id}/messages", params=params)

    def dms(self, user_id: Id) -> list[dict]:
        """Messages of the bot's DM channel with a user (empty if none was opened)."""
        return self._call("GET", f"/users/{user_id}/dms")["messages"]

    def message(self, message_id: Id) -> dict:
        return self._call("GET", f"/messages/{message_id}")

    def commands(self) -> dict:
        """Registered commands: ``{"global": [...], "guilds": {guild_id: [...]}}``."""
        return self._call("GET", "/commands")

    def wait(self, condition: dict, timeout: float = 5.0) -> Any:
        """Long-poll until ``condition`` holds and return its result; raise WaitTimeout otherwise.
        See ``wait_for_*`` for the conditions.
        """
        body = {**condition, "timeout": timeout}
        answer = self._call("POST", "/wait", body, timeout=timeout + 10)
        if not answer.get("ok"):
            raise WaitTimeout(condition, answer.get("waited_s", timeout))
        return answer["result"]

    def wait_for_response(self, interaction_id: Id, timeout: float = 5.0, *, include_refused: bool = False) -> dict:
        """Wait until an interaction has its initial response; returns ``interaction(...)``."""
        condition = {"for": "interaction_response", "interaction_id": str(interaction_id)}
        if include_refused:
            condition["include_refused"] = True
        return self.wait(condition, timeout)

    def wait_for_original_edit(self, interaction_id: Id, timeout: float = 5.0) -> dict:
        """Wait until the original response was edited (e.g. after a defer)."""
        return self.wait({"for": "original_edited", "interaction_id": str(interaction_id)}, timeout)

    def wait_for_message(
        self,
        channel_id: Id,
        *,
        content: str | None = None,
        contains: str | None = None,
        regex: str | None = None,
        author_id: Id | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[dict]:
        """Wait until ``count`` messages in a channel match every filter given; returns them."""
        condition = self._clean(content=content, contains=contains, regex=regex, author_id=author_id, count=count)
        return self.wait({"for": "message", "channel_id": str(channel_id), **condition}, timeout)

    def wait_for_dm(self, user_id: Id, *, contains: str | None = None, count: int = 1, timeout: float = 5.0):
        """Wait until the bot has sent ``count`` DMs (containing ``contains``) to a user."""
        condition = self._clean(contains=contains, count=count)
        return self.wait({"for": "dm", "user_id": str(user_id), **condition}, timeout)

    def wait_for_sessions(self, count: int = 1, timeout: float = 5.0) -> dict:
        """Wait until ``count`` gateway sessions are connected (identified or resumed)."""
        return self.wait({"for": "sessions", "count": count}, timeout)

    # --- limits, faults, stats ------------------------------------------------------------------

    def stats(self, *, ack_samples: bool = False) -> dict:
        """``{"rest": {requests, statuses, ratelimited, invalid_requests, ...}, "gateway": ...,
        "interactions": ...}``. ``interactions`` counts both delivery modes: ``delivered``
        (``delivered_gateway``, ``delivered_http``), ``responded_in_time``,
        ``deadline_missed`` (interactions the user saw fail: a callback refused as too late,
        an HTTP answer late, not 200/202, malformed or refused; each counted once, by reason
        in ``missed``), ``unanswered`` (past the deadline, never answered), ``in_flight``
        POSTs, and ``ack_ms`` (``count``, ``p50``, ``p90``, ``p99``, ``max`` of accepted
        initial responses); ``ack_samples=True`` adds ``ack_ms_samples``, each one in order.
        """
        return self._call("GET", "/stats", params={"ack_samples": "1"} if ack_samples else None)

    def register_oauth2_application(self, client_secret: str, redirect_uris: list[str]) -> dict:
        """Register the OAuth2 application (client id = the application id) for user logins."""
        body = {"client_secret": client_secret, "redirect_uris": redirect_uris}
        return self._call("POST", "/oauth2/application", body)

    def oauth2(self) -> dict:
        """The OAuth2 application, live authorizations (user and scopes) and counters."""
        return self._call("GET", "/oauth2")

    def expire_oauth2_tokens(self) -> int:
        """Expire every user access token now (refresh tokens stay good); returns how many."""
        return self._call("POST", "/oauth2/expire")["expired"]

    def reset(self) -> None:
        """Empty everything (world, counters, faults, limit windows) and close gateway sockets."""
        self._call("POST", "/reset")

    def set_limits(
        self,
        *,
        global_per_s: float | None = None,
        routes: dict[str, tuple[int, float]] | None = None,
        enabled: bool | None = None,
    ) -> dict:
        """Change limits; ``routes`` maps bucket names (``messages:create``, ``webhook``,
        ``default``, ...; see ``stats()["limits"]``) to ``(requests, per_seconds)``.
        """
        body = self._clean(global_per_s=global_per_s, routes=routes, enabled=enabled)
        return self._call("POST", "/limits", body)

    def configure(self, **settings) -> dict:
        """Run-time settings: interaction_deadline_s, token_ttl_s, recommended_shards,
        max_concurrency, heartbeat_interval_ms, heartbeat_ack_delay_ms, resume_window_s, bot_token (rotating it makes
        the old token fail: 401 on REST, 4004 on IDENTIFY).
        """
        return self._call("POST", "/config", settings)

    def inject_fault(
        self,
        kind: str,
        path: str,
        *,
        method: str = "*",
        count: int | None = None,
        duration_s: float | None = None,
        status: int | None = None,
        delay_s: float | None = None,
        retry_after: float | None = None,
        scope: str | None = None,
        is_global: bool | None = None,
    ) -> dict:
        """Make matching REST requests fail. ``kind``: ``"delay"`` (``delay_s``), ``"error"``
        (``status``, default 500) or ``"ratelimit"`` (429 with ``retry_after``, ``scope``
        user/global/shared, ``is_global``). ``path`` is a glob after /api/v10, e.g.
        ``"/channels/*/messages"``. Hits ``count`` requests, or all for ``duration_s``
        (neither: once).
        """
        body = self._clean(
            kind=kind,
            path=path,
            method=method,
            count=count,
            duration_s=duration_s,
            status=status,
            delay_s=delay_s,
            retry_after=retry_after,
            scope=scope,
        )
        if is_global is not None:
            body["global"] = is_global
        return self._call("POST", "/faults", body)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def drop_gateway(self, *, code: int | None = 4000, shard_id: int | None = None, hold_s: float = 0.0) -> int:
        """Drop gateway sockets (all, or one shard's). ``code`` closes with it (``None`` cuts the
        TCP connection). ``hold_s`` keeps new sockets waiting for HELLO that long, so events
        made meanwhile are replayed on RESUME. Returns how many sockets were dropped.
        """
        body = {"code": code, "hold_s": hold_s}
        if shard_id is not None:
            body["shard_id"] = shard_id
        return self._call("POST", "/gateway/drop", body)["dropped"]

    def send_reconnect(self, *, shard_id: int | None = None) -> int:
        """Send op 7 RECONNECT (the client closes and resumes)."""
        return self._call("POST", "/gateway/reconnect", self._clean(shard_id=shard_id))["sent"]

    def invalidate_session(self, *, resumable: bool = False, shard_id: int | None = None) -> int:
        """Send op 9 INVALID_SESSION (``resumable=False``: the client must identify again)."""
        return self._call("POST", "/gateway/invalidate", self._clean(resumable=resumable, shard_id=shard_id))["sent"]
