"""``python -m sandbox`` as operators run it: a real subprocess, stopped with SIGTERM."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from google.oauth2 import service_account
from googleapiclient.discovery import build
from jira import JIRA

ROOT = Path(__file__).resolve().parents[2]


class Sandbox:
    """The subprocess, with its stdout read line by line on a thread (reads never block the test)."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def read_until(self, pattern: str, timeout: float = 20.0) -> list[str]:
        seen = []
        while True:
            line = self.lines.get(timeout=timeout)
            seen.append(line)
            if re.search(pattern, line):
                return seen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


FLAGS = {
    "--discord-port": "0",
    "--jira-port": "0",
    "--sheets-port": "0",
    "--jira-user": "ops@example.org",
    "--jira-token": "t0ken",
    "--jira-issues": "30",
    "--bot-token": "bot-t0ken",
    "--jira-oauth-redirect": "http://127.0.0.1:9/cb",
    "--jira-oauth-secret": "s3cret",
}


@pytest.fixture
def sandbox_process(tmp_path):
    flags = {**FLAGS, "--state-dir": str(tmp_path)}
    started = Sandbox(*(part for flag in flags.items() for part in flag))
    yield started
    started.stop()


def test_it_starts_prints_urls_serves_and_stops_on_sigterm(sandbox_process, tmp_path):
    banner = "\n".join(sandbox_process.read_until(r"sandbox ready"))
    urls = dict(re.findall(r"^(discord|jira|sheets)\s+(http://127\.0\.0\.1:\d+)", banner, re.MULTILINE))
    key_path = tmp_path / "google-service-account.json"

    jira = JIRA(server=urls["jira"], basic_auth=("ops@example.org", "t0ken"), options={"rest_api_version": "3"})
    found = jira.enhanced_search_issues("project in (OPS, WEB, EVT)", maxResults=False)
    credentials = service_account.Credentials.from_service_account_file(
        str(key_path), scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    sheets = build("sheets", "v4", credentials=credentials, client_options={"api_endpoint": urls["sheets"]})
    created = sheets.spreadsheets().create(body={"properties": {"title": "From the runner"}}).execute()
    discord = httpx.get(f"{urls['discord']}/api/v10/gateway", trust_env=False, timeout=5)
    application = httpx.get(
        f"{urls['discord']}/api/v10/applications/@me", headers={"Authorization": "Bot bot-t0ken"}, trust_env=False
    )
    oauth = dict(re.findall(r"(client id|secret|cloud id|redirect): (\S+)", banner.split("oauth", 1)[1]))
    authorize = {
        "audience": "api.atlassian.com",
        "client_id": oauth["client id"],
        "scope": "read:jira-user",
        "redirect_uri": oauth["redirect"],
        "response_type": "code",
        "sandbox_user": jira.myself()["accountId"],
    }
    consent = httpx.get(f"{urls['jira']}/authorize", params=authorize, trust_env=False, timeout=5)
    jira.close()
    sheets.close()

    sandbox_process.process.send_signal(signal.SIGTERM)
    code = sandbox_process.process.wait(10)

    assert set(urls) == {"discord", "jira", "sheets"}
    assert "bot token: bot-t0ken" in banner
    assert f"public key: {application.json()['verify_key']}" in banner
    assert "user: ops@example.org  token: t0ken" in banner
    assert f"key file: {key_path}" in banner
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert len(found) == 30
    assert created["properties"]["title"] == "From the runner"
    assert discord.status_code == 200
    assert oauth == {
        "client id": "muster-sandbox",
        "secret": "s3cret",
        "cloud id": oauth["cloud id"],
        "redirect": "http://127.0.0.1:9/cb",
    }
    assert consent.status_code == 302 and consent.headers["Location"].startswith("http://127.0.0.1:9/cb?code=")
    assert code == 0
    assert sandbox_process.read_until("sandbox stopped", timeout=5)[-1] == "sandbox stopped"


@pytest.mark.parametrize(
    ("flag", "problem"),
    [
        (["--jira-port", "http"], "sandbox: argument --jira-port: 'http' is not a port number"),
        (["--jira-issues", "-5"], "sandbox: argument --jira-issues: -5 is negative"),
        (["--colour"], "sandbox: unrecognized arguments: --colour"),
        (["--jira-oauth-redirect", "cb"], "sandbox: argument --jira-oauth-redirect: 'cb' is not an absolute URL"),
    ],
)
def test_it_exits_with_one_line_on_a_bad_flag(flag, problem):
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", *flag], cwd=ROOT, capture_output=True, text=True, timeout=30
    )

    assert done.returncode == 2
    assert done.stderr.splitlines() == [problem]
    assert done.stdout == ""
