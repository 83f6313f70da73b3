"""The README's API example, run as written (host and guild replaced) against a live gunicorn."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.ports import free_port
from events.models import Event
from tests.processes import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SECTION = "### Calls"


def example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index(SECTION) :]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_creates_a_token_lists_events_and_creates_one_once(cast, process_env, start_process):
    port = free_port()
    env = {**process_env, "PATH": f"{Path(sys.executable).parent}:{process_env['PATH']}"}
    argv = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    web = start_process(argv, env, "web")
    web.wait_for_output(r"Booting worker", timeout=30)
    script = example().replace("https://muster.example.com", f"http://127.0.0.1:{port}")
    script = script.replace("123456789012345678", str(cast.guild.id)).replace("curl ", "curl -sS ")
    # The POST once more with the same key (the README's key is made fresh in its command).
    script = script.replace("$(python3 -c 'import uuid; print(uuid.uuid4())')", "readme-key-1")
    post = script[script.index("curl -sS -X POST") :].strip()
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f"{script}\necho\n{post}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr + web.output()[-2000:]
    listed, created, replayed = (json.loads(line) for line in run.stdout.replace("}{", "}\n{").splitlines() if line)
    assert (listed["items"], listed["count"]) == ([], 0)
    assert (created["title"], created["capacity"], created["reminders"]) == ("Picnic", 30, ["1d", "1h"])
    assert replayed == created
    assert Event.objects.count() == 1
