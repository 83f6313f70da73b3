#!/usr/bin/env python
"""``make run``: Muster on this machine, every process under one manager (honcho).

Reads ``.env`` when present (the environment wins over it). Starts a local Redis when
REDIS_URL is not set, migrates, makes sure an admin account exists, then runs web,
worker, beat and Flower. Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import environ

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.queues import MUSTER_QUEUES
from devtools.ports import free_port, port_is_free

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable


def fail(message: str) -> None:
    raise SystemExit(f"muster: {message}")


# Secrets make run generates into var/ when neither NAME nor NAME_FILE is set, kept across
# restarts: SECRET_KEY (sessions signed by one gunicorn worker are valid in the other, and
# after a restart), the gateway's signing key, the anonymous polls' voter key.
GENERATED_KEYS = {
    "SECRET_KEY": "secret-key",
    "INTERACTION_SIGNING_KEY": "interaction-signing-key",
    "POLL_VOTER_KEY": "poll-voter-key",
    "JIRA_TOKEN_KEY": "jira-token-key",
}
# The Google service account's key file (the Sheets export), for workers only.
GOOGLE_KEYS = {"GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_SERVICE_ACCOUNT_FILE"}
# What each process is given of them (and of DISCORD_TOKEN): only what it uses.
SECRETS_OF = {
    "web": {"SECRET_KEY", "JIRA_TOKEN_KEY", "DISCORD_CLIENT_SECRET", "INTERACTION_SIGNING_KEY"},  # HTTP mode signs
    "beat": {"SECRET_KEY"},
    "worker": {
        "SECRET_KEY",
        "DISCORD_TOKEN",
        "INTERACTION_SIGNING_KEY",
        "POLL_VOTER_KEY",
        "JIRA_TOKEN_KEY",
        *GOOGLE_KEYS,
    },
    "gateway": {"SECRET_KEY", "DISCORD_TOKEN", "INTERACTION_SIGNING_KEY"},
    "flower": set(),
}
SECRETS = {
    "SECRET_KEY",
    "DISCORD_TOKEN",
    "INTERACTION_SIGNING_KEY",
    "POLL_VOTER_KEY",
    "JIRA_TOKEN_KEY",
    "DISCORD_CLIENT_SECRET",
    *GOOGLE_KEYS,
}


def secret_file(path: Path, nbytes: int = 18) -> str:
    """A generated secret kept in ``path`` so it survives restarts, readable only by you from the start."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def is_set(env: dict[str, str], name: str) -> bool:
    return bool(env.get(name) or env.get(f"{name}_FILE"))


def process_env(env: dict[str, str], name: str) -> dict[str, str]:
    """``env`` without the secrets process ``name`` does not use (and their _FILE forms)."""
    kept = SECRETS_OF.get(name, set())
    dropped = {secret for secret in SECRETS - kept} | {f"{secret}_FILE" for secret in SECRETS - kept}
    if name != "flower":
        dropped |= {"FLOWER_BASIC_AUTH", "FLOWER_BASIC_AUTH_FILE"}
    else:
        dropped |= {"DATABASE_URL", "DATABASE_URL_FILE"}  # Flower reads the broker only
    result = {key: value for key, value in env.items() if key not in dropped}
    if name == "flower" and not result.get("SECRET_KEY"):
        # Settings demand SECRET_KEY outside DEBUG; Flower signs nothing, so a throwaway one.
        result["SECRET_KEY"] = secrets.token_urlsafe(50)
    return result


def local_redis(env: dict[str, str], processes: dict[str, str]) -> None:
    if env.get("REDIS_URL"):
        return
    if subprocess.run([ROOT / "scripts" / "system_deps.sh", "redis"], check=False).returncode != 0:
        fail("REDIS_URL is not set and redis-server could not be installed; install it or set REDIS_URL")
    port = 6379 if port_is_free(6379) else free_port()
    (VAR / "redis").mkdir(exist_ok=True)
    processes["redis"] = (
        f"redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no --dir {shlex.quote(str(VAR / 'redis'))}"
    )
    env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        fail(f"'manage.py {' '.join(args)}' failed (exit {result.returncode}); see the lines above")


def ensure_admin(env: dict[str, str]) -> tuple[str, str]:
    """Create or update the local admin account; return its user name and where its password is."""
    username = env.get("MUSTER_ADMIN_USER", "admin")
    password = env.get("MUSTER_ADMIN_PASSWORD") or secret_file(VAR / "admin-password")
    where = "MUSTER_ADMIN_PASSWORD" if env.get("MUSTER_ADMIN_PASSWORD") else "var/admin-password"
    code = (
        "from django.contrib.auth import get_user_model; import os; U = get_user_model(); "
        "u, _ = U.objects.get_or_create(username=os.environ['MUSTER_ADMIN_USER']); "
        "u.is_staff = u.is_superuser = True; u.set_password(os.environ['MUSTER_ADMIN_PASSWORD']); u.save()"
    )
    account = {"MUSTER_ADMIN_USER": username, "MUSTER_ADMIN_PASSWORD": password}
    manage({**env, **account}, "shell", "--no-imports", "-c", code)
    return username, where


def discord_processes(env: dict[str, str], processes: dict[str, str], web_port: int = 8000) -> str:
    """Add the gateway; without DISCORD_TOKEN, the Discord sandbox too, and point everything at it.

    In sandbox mode "Log in with Discord" logs in through the sandbox's OAuth2: the
    application id is the client id, the client secret is kept in var/discord-client-secret
    (web reads it; scripts/sandbox_discord.py registers it with the web's callback).
    """
    gateway = f"{PYTHON} manage.py run_gateway"
    if env.get("DISCORD_TOKEN") or env.get("DISCORD_TOKEN_FILE"):
        processes["gateway"] = gateway
        return "Discord itself (DISCORD_TOKEN is set)"
    port = 8780 if port_is_free(8780) else free_port()
    token = "sandbox-bot-" + secrets.token_urlsafe(18)
    url = f"http://127.0.0.1:{port}"
    sheets_port = 8782 if port_is_free(8782) else free_port()
    state = VAR / "sandbox"
    application_id = 1_100_000_000_000_000_000 + secrets.randbelow(10**17)
    processes["sandbox"] = (
        f"{PYTHON} -m sandbox --discord-port {port} --jira-port 0 --sheets-port {sheets_port} --bot-token {token}"
        f" --application-id {application_id}"
        f" --state-dir {shlex.quote(str(state))}"
    )
    env.update(
        DISCORD_TOKEN=token,
        DISCORD_API_BASE=f"{url}/api/v10",
        DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/",
        DISCORD_CLIENT_ID=str(application_id),
        DISCORD_CLIENT_SECRET=secret_file(VAR / "discord-client-secret"),
        DISCORD_OAUTH_AUTHORIZE_URL=f"{url}/oauth2/authorize",
    )
    if not any(env.get(name) for name in GOOGLE_KEYS):
        # The Sheets export writes to the stand-in, with the key file it writes at start.
        env.update(
            GOOGLE_APPLICATION_CREDENTIALS=str(state / "google-service-account.json"),
            SHEETS_API_ENDPOINT=f"http://127.0.0.1:{sheets_port}/",
        )
    callbacks = " ".join(
        f"http://{host}:{web_port}/accounts/discord/login/callback/" for host in ("127.0.0.1", "localhost")
    )
    processes["gateway"] = f"{PYTHON} scripts/sandbox_discord.py {url} {callbacks} && {gateway}"
    return f"SANDBOX MODE (no DISCORD_TOKEN): a local Discord stand-in at {url}, control API {url}/_control"


def flower_credentials(env: dict[str, str]) -> str:
    if env.get("FLOWER_BASIC_AUTH") or not env.get("FLOWER_BASIC_AUTH_FILE"):
        return env.get("FLOWER_BASIC_AUTH", "")
    try:
        return Path(env["FLOWER_BASIC_AUTH_FILE"]).read_text().strip()
    except OSError as exc:
        fail(f"FLOWER_BASIC_AUTH_FILE: cannot read {env['FLOWER_BASIC_AUTH_FILE']!r} ({exc.strerror})")


def main() -> int:
    os.chdir(ROOT)
    VAR.mkdir(exist_ok=True)
    # .env fills in what the environment does not say: the environment wins.
    environ.Env.read_env(ROOT / ".env", overwrite=False)
    env = dict(os.environ)
    env.setdefault("DEBUG", "true")  # make run is local development
    env["PYTHONUNBUFFERED"] = "1"
    web_port = int(env.get("WEB_PORT", "8000"))
    flower_port = int(env.get("FLOWER_PORT", "5555"))
    flower_where = "FLOWER_BASIC_AUTH_FILE" if env.get("FLOWER_BASIC_AUTH_FILE") else "FLOWER_BASIC_AUTH"
    if not is_set(env, "FLOWER_BASIC_AUTH"):
        env["FLOWER_BASIC_AUTH"] = f"admin:{secret_file(VAR / 'flower-password')}"
        flower_where = "var/flower-password"
    for name, file_name in GENERATED_KEYS.items():
        if not is_set(env, name):
            env[name] = secret_file(VAR / file_name, nbytes=50)

    processes: dict[str, str] = {}
    local_redis(env, processes)

    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    admin_user, admin_where = ensure_admin(env)

    processes.update(
        web=f"{PYTHON} -m gunicorn config.wsgi -b 127.0.0.1:{web_port} --workers 2 --access-logfile -",
        worker=f"{PYTHON} -m celery -A config worker -Q {','.join(MUSTER_QUEUES)} -c 4 -l info",
        beat=f"{PYTHON} -m celery -A config beat -s {shlex.quote(str(VAR / 'celerybeat-schedule'))} -l info",
        flower=f"{PYTHON} manage.py run_flower --port={flower_port} --address=127.0.0.1",
    )

    discord_mode = discord_processes(env, processes, web_port)

    flower_user = flower_credentials(env).partition(":")[0]
    sandboxed = "SANDBOX" in discord_mode
    login_note = " (sandbox: pick olivia or alice)" if sandboxed else ""
    if not sandboxed and not (env.get("DISCORD_CLIENT_ID") and is_set(env, "DISCORD_CLIENT_SECRET")):
        login_note = " (off: set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET)"
    # Passwords are never printed: say where they are kept.
    print(
        "\nMuster is starting (Ctrl-C stops everything):\n"
        f"  admin    http://127.0.0.1:{web_port}/admin   user {admin_user}, password in {admin_where}\n"
        f"  login    http://127.0.0.1:{web_port}/dashboard/   Log in with Discord{login_note}\n"
        f"  health   http://127.0.0.1:{web_port}/healthz\n"
        f"  flower   http://127.0.0.1:{flower_port}   user {flower_user}, password in {flower_where}\n"
        f"  redis    {env['REDIS_URL'].split('@')[-1]}\n"
        f"  discord  {discord_mode}\n",
        flush=True,
    )

    from honcho.manager import Manager

    manager = Manager()
    for name, command in processes.items():
        manager.add_process(name, command, env=process_env(env, name), cwd=str(ROOT))
    manager.loop()
    # honcho answers Ctrl-C (SIGTERM) by stopping every process and returning 130 (143); a
    # stop that was asked for is a clean exit, so `make run` does not end in "Error 130".
    if manager.returncode in (128 + signal.SIGINT, 128 + signal.SIGTERM):
        return 0
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
