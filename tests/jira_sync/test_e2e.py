"""End to end through the sandboxes: link by comment, reassign in Jira, the DM arrives, snooze it.

Real processes: the gateway and a worker (every queue) against the Discord stand-in, and
the Jira stand-in the worker polls; the test plays beat by queueing the ticks' tasks.
"""

from __future__ import annotations

import re

import pytest

from core.models import Guild
from jira_sync.models import IssueMute, JiraLink, JiraSite
from jira_sync.tasks import check_link_codes, poll_site
from sandbox.jira import create_app
from sandbox.jira.control import JiraControl
from sandbox.runner import ServerThread

# The real-process fixtures of tests/e2e, used here by name.
from tests.e2e.conftest import discord, gateway, muster_env, start_gateway, start_worker, wait_until, world

__all__ = ["discord", "gateway", "muster_env", "start_gateway", "start_worker", "world"]
from tests.jira_sync.conftest import API_TOKEN, API_USER, TOKEN_ENV

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_jira():
    """The Jira stand-in on the real clock (the worker polls it as time goes by)."""
    server = ServerThread(create_app(user=API_USER, token=API_TOKEN, issues=0)).start()
    control = JiraControl(server.url)
    control.url = server.url
    yield control
    server.stop()


def answer(discord, ix) -> str:
    return discord.control.wait_for_original_edit(ix["id"], timeout=20)["original"]["content"]


def dm_with(discord, user_id, text):
    def found():
        for message in discord.control.dms(user_id):
            body = message["content"] + " ".join(e.get("description", "") for e in message.get("embeds") or [])
            if text in body:
                return message
        return None

    return wait_until(found, timeout=30, what=f"a DM with {text!r}")


def test_link_reassign_dm_snooze(discord, world, gateway, start_worker, live_jira, client):
    worker_env = {TOKEN_ENV: API_TOKEN, "MUSTER_PUBLIC_URL": "http://testserver"}
    start_worker(env=worker_env)
    wait_until(lambda: Guild.objects.filter(id=world.guild_id).exists(), what="the guild synced")
    people = [u for u in live_jira.users() if u["emailAddress"] != API_USER]
    me, bob = people[0], people[1]
    live_jira.put_issue("OPS-1", summary="Link your Discord account here")
    live_jira.put_issue("OPS-2", summary="Print the badges", assignee=bob["accountId"])
    site = JiraSite.objects.create(
        guild_id=world.guild_id,
        name="Acme Jira",
        base_url=live_jira.url,
        service_email=API_USER,
        token_env=TOKEN_ENV,
        link_issue_key="OPS-1",
    )

    # alice links: /jira link, the page's code, a comment as herself in Jira.
    ix = discord.control.inject_command("jira", subcommand="link", channel_id=world.channel_id, user_id=world.member_id)
    url = re.search(r"http://testserver(/jira/connect/\S+)", answer(discord, ix))[1]
    page = client.get(url).content.decode()
    code = re.search(r"MUSTER-[A-Z0-9]{8}", page)[0]
    live_jira.comment("OPS-1", f"Linking: {code}", by=me["accountId"])
    check_link_codes.delay()
    dm_with(discord, world.member_id, f"Your Jira account **{me['displayName']}** is now linked on Acme Jira.")

    settings = discord.control.inject_command(
        "jira",
        subcommand="settings",
        options={"delivery": "live", "quiet_hours": "off"},
        channel_id=world.channel_id,
        user_id=world.member_id,
    )
    assert answer(discord, settings).startswith("Reminders: due soon (1 day before), overdue, newly assigned;")

    poll_site.delay(site.id)  # the first poll seeds silently
    wait_until(lambda: JiraLink.objects.filter(seeded_at__isnull=False).exists(), what="the first poll")

    live_jira.reassign("OPS-2", me["accountId"], by=bob["accountId"])
    poll_site.delay(site.id)
    dm = dm_with(discord, world.member_id, "Print the badges")
    assert dm["embeds"][0]["description"] == (
        f"**Newly assigned to you**\n[OPS-2]({live_jira.url}/browse/OPS-2) Print the badges · To Do"
    )
    snooze = next(b for b in dm["components"][0]["components"] if b["label"] == "Snooze OPS-2 1 day")
    click = discord.control.inject_component(
        message_id=dm["id"], custom_id=snooze["custom_id"], user_id=world.member_id
    )
    record = wait_until(lambda: (r := discord.control.interaction(click["id"]))["followups"] and r, what="the answer")
    assert record["followups"][0]["content"].startswith("Snoozed: you will be reminded again <t:")
    assert IssueMute.objects.get().until is not None
    assert live_jira.refused_writes() == []
