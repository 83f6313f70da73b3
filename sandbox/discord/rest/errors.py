"""Discord's error bodies, and JSON responses with exactly ``Content-Type: application/json``."""

from __future__ import annotations

import json

from aiohttp import web


def json_response(data, status: int = 200, headers: dict | None = None) -> web.Response:
    """A JSON response; aiohttp's own helper adds a charset, which discord.py does not accept."""
    body = json.dumps(data, separators=(",", ":")).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=body, status=status, headers=all_headers)


def no_content() -> web.Response:
    return web.Response(status=204)


class DiscordError(Exception):
    """An error answered as Discord does: ``{"message", "code"[, "errors"]}``."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict:
        data = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data

    def response(self) -> web.Response:
        return json_response(self.body(), status=self.status)


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def not_found_route() -> DiscordError:
    return DiscordError(404, 0, "404: Not Found")


def method_not_allowed() -> DiscordError:
    return DiscordError(405, 0, "405: Method Not Allowed")


def unknown(kind: str) -> DiscordError:
    """Unknown Channel / Guild / Member / Message / Role / User / Webhook / interaction."""
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "User": 10013,
        "Webhook": 10015,
        "interaction": 10062,
        "application command": 10063,
        "Guild Scheduled Event": 10070,
    }
    return DiscordError(404, codes[kind], f"Unknown {kind}")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def thread_archived() -> DiscordError:
    return DiscordError(400, 50083, "Thread is archived")


def wrong_channel_type() -> DiscordError:
    return DiscordError(400, 50024, "Cannot execute action on this channel type")


def cannot_dm() -> DiscordError:
    return DiscordError(403, 50007, "Cannot send messages to this user")


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message")


def invalid_webhook_token() -> DiscordError:
    return DiscordError(401, 50027, "Invalid Webhook Token")


def invalid_form_body(errors: dict) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def field_error(code: str, message: str) -> dict:
    """The leaf of Discord's nested ``errors`` object."""
    return {"_errors": [{"code": code, "message": message}]}
