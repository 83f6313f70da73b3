"""The README's `make run` contract: web, worker, beat and Flower come up healthy."""

import importlib.util
import os
import re
import signal
import stat
import subprocess
import sys
import time

import httpx
import pytest

from devtools.ports import free_port
from tests.processes import ROOT


def member(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.discord.member", "--timeout", "20", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def assert_admin_stays_logged_in(base: str, username: str, password: str, *, pages: int) -> None:
    with httpx.Client(base_url=base, timeout=10) as browser:
        form = browser.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        logged_in = browser.post(
            "/admin/login/?next=/admin/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"},
            headers={"Referer": f"{base}/admin/login/"},
        )
        assert (logged_in.status_code, logged_in.headers.get("location")) == (302, "/admin/")
        index = browser.get("/admin/")
        assert index.status_code == 200
        links = sorted(set(re.findall(r'href="(/admin/\w+/\w+/)"', index.text)))
        assert len(links) >= 5, index.text[:2000]
        seen = []
        for number in range(pages):
            page = browser.get(links[number % len(links)])
            seen.append((page.url.path, page.status_code))
        assert seen == [(links[n % len(links)], 200) for n in range(pages)]


def log_in_with_discord(base: str, username: str) -> httpx.Client:
    """The dashboard's "Log in with Discord" as a browser does it, picking ``username`` on the sandbox's page."""
    browser = httpx.Client(base_url=base, timeout=10)
    page = browser.get("/accounts/discord/login/?next=/dashboard/me/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    to_discord = browser.post(
        "/accounts/discord/login/?next=/dashboard/me/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/discord/login/"},
    )
    assert to_discord.status_code == 302, to_discord.text[:2000]
    consent = httpx.get(to_discord.headers["location"], timeout=10)
    user_id = re.search(rf'value="(\d+)"> [^<]*<small>@{username}</small>', consent.text).group(1)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', consent.text))
    action = str(consent.url).split("?")[0]
    back = httpx.post(action, data={**fields, "user_id": user_id, "decision": "authorize"}, timeout=10)
    assert back.status_code == 302
    done = browser.get(back.headers["location"])
    assert (done.status_code, done.headers.get("location")) == (302, "/dashboard/me/"), done.text[:2000]
    return browser


@pytest.mark.e2e
def test_run_local_serves_a_healthy_stack_and_stops_on_ctrl_c(tmp_path, redis_server, start_process):
    web_port, flower_port = free_port(), free_port()
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'muster.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "WEB_PORT": str(web_port),
        "FLOWER_PORT": str(flower_port),
        "FLOWER_BASIC_AUTH": "ops:flower-pass",
        "MUSTER_ADMIN_PASSWORD": "admin-pass-for-test",
    }
    run = start_process([sys.executable, "scripts/run_local.py"], env, "make-run")
    run.wait_for_output(r"Muster is starting", timeout=120)

    deadline = time.monotonic() + 90
    health = None
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=3)
            if health.status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    assert health is not None and health.status_code == 200, run.output()[-4000:]
    assert health.json() == {"database": "ok", "broker": "ok", "beat": "ok", "delivery": "ok"}

    # Sandbox mode (no DISCORD_TOKEN): a member can use Muster through the stand-in.
    run.wait_for_output(r"organiser olivia and member alice", timeout=60)
    assert member("/muster", "ping").stdout.startswith("(only you can see this)\nPong!")
    fields = ["--field", "title=Picnic", "--field", "start=2031-06-01 18:00", "--field", "location=The park"]
    created = member("--as", "olivia", "/event", "create", "capacity:1", *fields)
    assert "Created **Picnic**" in created.stdout
    assert "Going (1/1): @alice" in member("--as", "alice", "click", "Going").stdout
    refused = member("--as", "alice", "/event", "create", check=False)
    assert refused.returncode == 0
    assert "Going (1/1)" not in refused.stdout and "only you can see this" in refused.stdout

    # Anyone may log in to the dashboard as olivia or alice through the sandbox's OAuth2.
    alice = log_in_with_discord(f"http://127.0.0.1:{web_port}", "alice")
    assert "Picnic" in alice.get("/dashboard/me/").text
    assert alice.get("/admin/").status_code == 302  # a member is not staff
    olivia = log_in_with_discord(f"http://127.0.0.1:{web_port}", "olivia")
    assert "Muster sandbox" in olivia.get("/dashboard/").text
    assert olivia.get("/admin/events/event/").status_code == 200
    alice.close(), olivia.close()

    assert httpx.get(f"http://127.0.0.1:{flower_port}/", timeout=5).status_code == 401
    # Two gunicorn workers, one SECRET_KEY (kept in var/): a session signed by one worker is
    # valid in the other, so page after page the organiser stays logged in.
    assert_admin_stays_logged_in(f"http://127.0.0.1:{web_port}", "admin", "admin-pass-for-test", pages=20)
    for name in ("secret-key", "interaction-signing-key", "poll-voter-key", "jira-token-key"):
        assert stat.S_IMODE((ROOT / "var" / name).stat().st_mode) == 0o600
    assert "admin-pass-for-test" not in run.output()
    assert "flower-pass" not in run.output()

    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(30) == 0  # a clean stop: `make run` does not end in "Error 130"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=2)


def load_run_local():
    spec = importlib.util.spec_from_file_location("run_local", ROOT / "scripts" / "run_local.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_generated_secret_is_never_readable_by_others_not_even_for_an_instant(tmp_path):
    run_local = load_run_local()
    path = tmp_path / "secret-key"
    modes_seen = []

    def watch(event: str, args: tuple) -> None:
        # Every file operation on the secret (open, write, chmod...) first shows its mode so far.
        if watching and event in {"open", "os.chmod", "os.fdopen"} and path.exists():
            modes_seen.append(stat.S_IMODE(path.stat().st_mode))

    watching = True
    sys.addaudithook(watch)  # audit hooks cannot be removed: `watching` ends it
    old_umask = os.umask(0o022)
    try:
        first = run_local.secret_file(path, nbytes=50)
        again = run_local.secret_file(path, nbytes=50)
    finally:
        watching = False
        os.umask(old_umask)

    assert set(modes_seen) == {0o600}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first == again and len(first) == 67  # kept: the same key after a restart


def test_each_process_is_given_only_the_secrets_it_uses():
    run_local = load_run_local()
    env = {
        "PATH": "/bin",
        "SECRET_KEY": "sk",
        "DISCORD_TOKEN": "dt",
        "INTERACTION_SIGNING_KEY": "isk",
        "POLL_VOTER_KEY": "pvk",
        "JIRA_TOKEN_KEY": "jtk",
        "FLOWER_BASIC_AUTH": "ops:pw",
        "DATABASE_URL": "postgres://muster:db-password@db/muster",
        "GOOGLE_APPLICATION_CREDENTIALS": "/keys/google.json",
        "DISCORD_CLIENT_SECRET": "dcs",
    }
    given = {name: sorted(set(run_local.process_env(env, name)) - {"PATH"}) for name in run_local.SECRETS_OF}
    assert given == {
        "web": ["DATABASE_URL", "DISCORD_CLIENT_SECRET", "INTERACTION_SIGNING_KEY", "JIRA_TOKEN_KEY", "SECRET_KEY"],
        "beat": ["DATABASE_URL", "SECRET_KEY"],
        "worker": [
            *("DATABASE_URL", "DISCORD_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS"),
            *("INTERACTION_SIGNING_KEY", "JIRA_TOKEN_KEY", "POLL_VOTER_KEY", "SECRET_KEY"),
        ],
        "gateway": ["DATABASE_URL", "DISCORD_TOKEN", "INTERACTION_SIGNING_KEY", "SECRET_KEY"],
        "flower": ["FLOWER_BASIC_AUTH", "SECRET_KEY"],
    }
    throwaway = {run_local.process_env(env, "flower")["SECRET_KEY"] for _ in range(2)}
    assert len(throwaway) == 2 and "sk" not in throwaway  # Flower never holds the real key
