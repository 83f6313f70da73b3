"""The README's sandbox walk-through, run as written against `make run` in sandbox mode.

The shell block under "Sandbox mode: try Muster without Discord" is read from README.md and
each command is run by bash, in order, as a user pastes it into a second terminal.
"""

import re
import shlex
import subprocess
import sys
import time

import httpx
import pytest

from devtools.ports import free_port
from tests.processes import ROOT

SECTION = "### Sandbox mode: try Muster without Discord"


def walkthrough() -> tuple[str, list[str]]:
    """The ``M=...`` line and the commands of the README's walk-through block."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index(SECTION) :]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands, pending = [], ""
    for line in block.splitlines(keepends=True):
        pending += line
        try:  # a quoted value may go on over several lines, as bash reads it
            shlex.split(pending, comments=True)
        except ValueError:
            continue
        if pending.strip():
            commands.append(pending.rstrip("\n"))
        pending = ""
    assert commands[0].startswith("M="), commands[0]
    return commands[0], commands[1:]


def test_the_walkthrough_block_is_read_as_bash_reads_it():
    setup, commands = walkthrough()
    assert setup == 'M=".venv/bin/python -m sandbox.discord.member"'
    assert commands[0] == "$M /muster ping"
    poll = next(c for c in commands if "/poll create" in c)
    assert shlex.split(poll, comments=True)[-1] == "options=Pizza\nSushi"


def wait_healthy(run, web_port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=3).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(run.output()[-4000:])


@pytest.mark.e2e
def test_the_readme_sandbox_walkthrough_works_as_written(tmp_path, redis_server, start_process):
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'muster.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "WEB_PORT": str(free_port()),
        "FLOWER_PORT": str(free_port()),
        "FLOWER_BASIC_AUTH": "ops:flower-pass",
        "MUSTER_ADMIN_PASSWORD": "admin-pass-for-test",
    }
    run = start_process([sys.executable, "scripts/run_local.py"], env, "make-run")
    wait_healthy(run, int(env["WEB_PORT"]))
    run.wait_for_output(r"organiser olivia and member alice", timeout=60)

    setup, commands = walkthrough()
    outputs = []
    for command in commands:
        result = subprocess.run(
            ["bash", "-c", f"{setup}\n{command}"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert (result.returncode, result.stderr) == (0, ""), (command, result.stdout)
        outputs.append((command, result.stdout))

    print("\n\n".join(f"$ {command}\n{out}" for command, out in outputs))
    said = dict(outputs)
    step = lambda text: next(out for command, out in outputs if text in command)  # noqa: E731
    assert said["$M /muster ping"].startswith("(only you can see this)\nPong!")
    assert "Created **Picnic**" in step("/event create")
    assert "Going (1/1): @alice" in step("--as alice click Going")
    assert "waitlist" in step("--as olivia click Going").lower()
    assert "Going (1/1): @olivia" in step('click "Can\'t go"')
    assert "Picnic" in step("--as olivia dms")
    assert "Poll 1 is posted in #general" in step("/poll create")
    voted = step("click Pizza")
    assert voted.startswith('clicked [1. Pizza] on the post "Lunch?" in #general (message ')
    assert "1. Pizza: @alice" in voted and voted.endswith("(only you can see this)\nYour vote: **Pizza**.\n")
    assert step("add-member bob") == "bob joined Muster sandbox; act as them with --as bob\n"
    assert "chose 2. Beach in the menu" in step("choose Beach")
    general, events = step("$M messages  "), step('$M messages "#events"')
    assert "Lunch?" in general and "Where next?" in general and "Picnic" not in general
    assert "== Picnic ==" in events and "Going (1/1): @olivia" in events
    assert "(only you can see this)" not in general + events
    assert "Offered 3 seats from North: ride 1 to the event" in step("/ride offer")
    assert "You have a seat in ride 1 to the event" in step('click "Join ride 1"')
    assert "You have a bed in room 1 for" in step('click "Claim a bed in 1"')
    assert "Logistics for **Retreat**: 2 going." in step("/event logistics")
