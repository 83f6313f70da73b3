"""Custom commands and scheduled messages end to end: the sandbox, the gateway, a worker."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community import schedules
from community.models import CustomCommand, ScheduledMessage
from core.models import CommandLog, Guild
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def submit_form(discord, world, user_id, command, fields, subcommand="create", options=None):
    ix = discord.control.inject_command(
        command, subcommand=subcommand, options=options or {}, channel_id=world.channel_id, user_id=user_id
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=5)["response"]["data"]["custom_id"]
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id, user_id=user_id, custom_id=custom_id, fields=fields
    )
    return discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]["content"]


def guild_commands(discord, guild_id) -> list[str]:
    return [c["name"] for c in discord.control.commands()["guilds"].get(str(guild_id), [])]


def test_a_custom_command_becomes_a_guild_slash_command_and_answers(
    discord, world, sandbox_cast, muster_worker, gateway
):
    olivia, alice = sandbox_cast.organiser_id, sandbox_cast.member_id
    wait_until(lambda: Guild.objects.filter(id=world.guild_id).exists(), what="the guild known to Muster")
    fields = {"name": "rules", "description": "The server rules", "response": "Be kind, {member}. {nothing.__class__}"}
    answer = submit_form(discord, world, olivia, "custom", fields, options={"slash": True})
    assert answer == (
        "Created the custom command **rules**: members run it with /custom run name:rules "
        "and, in a few seconds, /rules."
    )

    # The debounced bulk overwrite registers /rules in the guild
    wait_until(lambda: guild_commands(discord, world.guild_id) == ["rules"], timeout=30, what="/rules registered")
    assert CustomCommand.objects.get(name="rules").slash_error == ""

    # Autocomplete offers it, /custom run answers, and so does /rules
    ix = discord.control.inject_autocomplete(
        "custom", subcommand="run", channel_id=world.channel_id, user_id=alice, focused="name", options={"name": "ru"}
    )
    choices = discord.control.wait_for_response(ix["id"], timeout=10)["response"]["data"]["choices"]
    assert choices == [{"name": "rules", "value": "rules"}]
    run = discord.control.inject_command(
        "custom", subcommand="run", options={"name": "rules"}, channel_id=world.channel_id, user_id=alice
    )
    assert discord.control.wait_for_original_edit(run["id"], timeout=15)["original"]["content"] == (
        "Be kind, alice. {nothing.__class__}"
    )
    slash = discord.control.inject_command("rules", channel_id=world.channel_id, user_id=alice)
    assert discord.control.wait_for_original_edit(slash["id"], timeout=15)["original"]["content"] == (
        "Be kind, alice. {nothing.__class__}"
    )
    wait_until(lambda: CommandLog.objects.filter(command="rules", answered_at__isnull=False).exists(), what="logged")
    entry = CommandLog.objects.get(command="rules")
    assert (entry.outcome, entry.member_id) == ("ok", alice)
    assert entry.completion_latency_ms is not None
    assert "Traceback" not in gateway.output()


def test_a_schedule_posts_into_the_channel_once(discord, world, sandbox_cast, muster_worker, gateway):
    olivia = sandbox_cast.organiser_id
    wait_until(lambda: Guild.objects.filter(id=world.guild_id).exists(), what="the guild known to Muster")
    fields = {"message": "Stand-up in {guild}!", "start": "tomorrow 09:00", "repeat": "weekly mon,thu"}
    answer = submit_form(discord, world, olivia, "schedule", fields)
    schedule = ScheduledMessage.objects.get()
    assert answer.startswith(f"Scheduled message **{schedule.id}** posts in <#{world.channel_id}> weekly on mon, thu")
    assert answer.count("\n- <t:") == 5

    # Two beat ticks after its first time (run here, as beat would queue them): one post
    due = schedule.next_occurrence_at + timedelta(seconds=1)
    assert schedules.post_due(now=due) + schedules.post_due(now=due) == 1
    posts = discord.control.wait_for_message(world.channel_id, content="Stand-up in Muster HQ!", timeout=15)
    assert len(posts) == 1
    wait_until(lambda: schedule.occurrences.filter(outbound__status="delivered").count() == 1, what="delivered")
    assert len(discord.control.wait_for_message(world.channel_id, contains="Stand-up", timeout=2)) == 1


def test_schedule_edit_opens_the_form_filled_in_and_saves_the_change(
    discord, world, sandbox_cast, muster_worker, gateway
):
    olivia = sandbox_cast.organiser_id
    wait_until(lambda: Guild.objects.filter(id=world.guild_id).exists(), what="the guild known to Muster")
    submit_form(discord, world, olivia, "schedule", {"message": "Hi", "start": "tomorrow 09:00", "repeat": "daily"})
    schedule = ScheduledMessage.objects.get()

    ix = discord.control.inject_command(
        "schedule", subcommand="edit", options={"schedule": schedule.id}, channel_id=world.channel_id, user_id=olivia
    )
    form = discord.control.wait_for_response(ix["id"], timeout=5)["response"]["data"]
    assert form["custom_id"] == f"schedule:edit:{schedule.id}:0::"
    shown = {row["components"][0]["custom_id"]: row["components"][0].get("value") for row in form["components"]}
    assert (shown["message"], shown["repeat"], shown["start"][-5:]) == ("Hi", "daily", "09:00")
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=form["custom_id"],
        fields={**{k: v for k, v in shown.items() if v}, "message": "Stand-up!", "repeat": "weekly mon"},
    )
    answer = discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]["content"]
    assert answer.startswith(
        f"Saved scheduled message **{schedule.id}**: it posts in <#{world.channel_id}> weekly on mon"
    )
    schedule.refresh_from_db()
    assert (schedule.content, schedule.weekdays) == ("Stand-up!", [0])
    assert "Traceback" not in gateway.output()
