"""``python -m sandbox``: serve the Discord, Jira and Google Sheets stand-ins on 127.0.0.1.

Prints each URL and credential, writes a Google service-account key file whose
``token_uri`` is the Sheets stand-in, and runs until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import tempfile
import threading
from pathlib import Path

from sandbox.jira import create_app as create_jira
from sandbox.runner import ServerThread
from sandbox.sheets import create_app as create_sheets
from sandbox.sheets.auth import key_file

KEY_FILE_NAME = "google-service-account.json"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        # one line naming the problem, not the usage block
        self.exit(2, f"sandbox: {message}\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535; 0 picks a free one)")
    return port


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _nonempty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _absolute_url(text: str) -> str:
    if "://" not in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not an absolute URL")
    return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; exit 2 with one line on a bad flag."""
    parser = _Parser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--discord-port", type=_port, default=8780, help="default 8780; 0 picks a free port")
    parser.add_argument("--jira-port", type=_port, default=8781, help="default 8781; 0 picks a free port")
    parser.add_argument("--sheets-port", type=_port, default=8782, help="default 8782; 0 picks a free port")
    parser.add_argument("--bot-token", type=_nonempty, help="Discord bot token to accept (default: random)")
    parser.add_argument("--application-id", type=_count, help="Discord application id (default: generated)")
    parser.add_argument("--jira-user", type=_nonempty, default="muster@example.org", help="Jira API email")
    parser.add_argument("--jira-token", type=_nonempty, help="Jira API token to accept (default: random)")
    parser.add_argument("--jira-issues", type=_count, default=200, help="seeded Jira issues (default 200)")
    parser.add_argument(
        "--jira-oauth-redirect",
        type=_absolute_url,
        action="append",
        metavar="URI",
        help="register a Jira OAuth 2.0 (3LO) app with this callback URL (repeatable)",
    )
    parser.add_argument("--jira-oauth-client-id", type=_nonempty, default="muster-sandbox", help="its client id")
    parser.add_argument("--jira-oauth-secret", type=_nonempty, help="its client secret (default: random)")
    parser.add_argument("--seed", type=_count, default=0, help="seed for generated data (default 0)")
    parser.add_argument("--state-dir", type=Path, help="where to write the service-account key (default: temp)")
    return parser.parse_args(argv)


def _discord_app(args: argparse.Namespace):
    """The Discord stand-in, or None (with the reason) when it cannot be imported."""
    try:
        from sandbox.discord import create_app as create_discord
    except ImportError as exc:
        return None, f"discord stand-in unavailable ({exc})"
    options = {"bot_token": args.bot_token}
    if args.application_id is not None:
        options["application_id"] = args.application_id
    return create_discord(**options), None


def _write_key(state_dir: Path, sheets_app, sheets_url: str) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / KEY_FILE_NAME
    # the key file holds a private key: owner-only, like a downloaded Google key should be
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(key_file(sheets_app["state"].default_account, sheets_url), out, indent=2)
    return path


def main(argv: list[str] | None = None) -> int:
    """Start the stand-ins, print how to reach them, serve until interrupted."""
    args = parse_args(argv)
    args.bot_token = args.bot_token or "sandbox-bot-" + secrets.token_urlsafe(24)
    args.jira_token = args.jira_token or "sandbox-jira-" + secrets.token_urlsafe(18)
    discord_app, discord_problem = _discord_app(args)
    oauth_apps = []
    if args.jira_oauth_redirect:
        args.jira_oauth_secret = args.jira_oauth_secret or "sandbox-oauth-" + secrets.token_urlsafe(18)
        app = {"client_id": args.jira_oauth_client_id, "client_secret": args.jira_oauth_secret}
        oauth_apps.append({**app, "redirect_uris": args.jira_oauth_redirect})
    jira_app = create_jira(
        user=args.jira_user, token=args.jira_token, issues=args.jira_issues, seed=args.seed, oauth_apps=oauth_apps
    )
    sheets_app = create_sheets(seed=args.seed)
    planned = [("jira", jira_app, args.jira_port), ("sheets", sheets_app, args.sheets_port)]
    if discord_app is not None:
        planned.insert(0, ("discord", discord_app, args.discord_port))
    servers: dict[str, ServerThread] = {}
    try:
        for name, app, port in planned:
            try:
                servers[name] = ServerThread(app, port=port).start()
            except OSError as exc:
                print(f"sandbox: {name} cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", file=sys.stderr)
                return 1
        state_dir = args.state_dir or Path(tempfile.mkdtemp(prefix="muster-sandbox-"))
        key_path = _write_key(state_dir, sheets_app, servers["sheets"].url)
        _announce(args, servers, key_path, sheets_app, discord_problem)
        _wait_for_stop()
    finally:
        for server in servers.values():
            server.stop()
    print("sandbox stopped", flush=True)
    return 0


def _announce(args, servers, key_path: Path, sheets_app, discord_problem: str | None) -> None:
    if "discord" in servers:
        discord = servers["discord"]
        public_key = discord.app["state"].endpoint.verify_key
        print(f"discord  {discord.url}  bot token: {args.bot_token}  public key: {public_key}")
    else:
        print(f"discord  not started: {discord_problem}")
    jira = servers["jira"]
    print(
        f"jira     {jira.url}  user: {args.jira_user}  token: {args.jira_token}  "
        f"issues: {args.jira_issues}  (JIRA(server=url, basic_auth=(user, token), options={{'rest_api_version': '3'}}))"
    )
    if args.jira_oauth_redirect:
        print(
            f"jira     oauth client id: {args.jira_oauth_client_id}  secret: {args.jira_oauth_secret}  "
            f"cloud id: {jira.app['state'].oauth.cloud_id}  redirect: {' '.join(args.jira_oauth_redirect)}  "
            f"(auth.atlassian.com and api.atlassian.com are {jira.url})"
        )
    email = sheets_app["state"].default_account.client_email
    print(f"sheets   {servers['sheets'].url}  service account: {email}")
    print(
        f"google   key file: {key_path}  (token_uri is the sheets stand-in's /token; pass it as "
        f"GOOGLE_APPLICATION_CREDENTIALS or to Credentials.from_service_account_file, and "
        f'build("sheets", "v4", client_options={{"api_endpoint": "{servers["sheets"].url}"}}))'
    )
    print("sandbox ready; Ctrl-C or SIGTERM stops it", flush=True)


def _wait_for_stop() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
