"""Custom commands as guild slash commands: one debounced bulk overwrite per guild, limits, failures kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community import services, slash_sync
from community.models import CustomCommand, GuildCommandSync
from community.services import CommandDraft
from core.discord_api import get_client
from core.models import Guild
from tests.e2e.conftest import APPLICATION_ID

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture
def guild(live_discord, settings):
    settings.DISCORD_APPLICATION_ID = APPLICATION_ID
    return Guild.objects.create(id=live_discord.guild_id, name="Muster HQ")


def add(guild, name, *, slash=True, now=None):
    draft = CommandDraft(name=name, description=f"About {name}", content=f"{name}!", slash_command=slash)
    return services.create_command(guild, draft, now=now or timezone.now())


def registered(live_discord) -> list[str]:
    return [c["name"] for c in live_discord.control.commands()["guilds"].get(str(live_discord.guild_id), [])]


def puts(live_discord) -> int:
    return live_discord.control.stats()["rest"]["requests"].get(
        "PUT /applications/{application_id}/guilds/{guild_id}/commands", 0
    )


def test_a_burst_of_changes_is_registered_by_one_bulk_overwrite_once_due(live_discord, guild):
    now = timezone.now()
    add(guild, "rules", now=now)
    add(guild, "faq", now=now)
    add(guild, "plain", slash=False, now=now)
    assert slash_sync.sync(guild.id, now=now + timedelta(seconds=1)) is None  # not due yet: still debouncing
    assert registered(live_discord) == []
    assert slash_sync.sync(guild.id, now=now + timedelta(seconds=3)) is None
    assert slash_sync.sync(guild.id, now=now + timedelta(seconds=4)) is None  # claimed already: nothing twice
    assert registered(live_discord) == ["rules", "faq"]
    assert puts(live_discord) == 1
    sync = GuildCommandSync.objects.get(guild=guild)
    assert (sync.due_at, sync.registered, sync.last_error) == (None, 2, "")
    assert sorted(CustomCommand.objects.exclude(slash_registered_at=None).values_list("name", flat=True)) == [
        "faq",
        "rules",
    ]


def test_turning_it_off_or_deleting_it_removes_it_from_discord(live_discord, guild):
    now = timezone.now()
    rules, faq = add(guild, "rules", now=now), add(guild, "faq", now=now)
    slash_sync.sync(guild.id, now=now + timedelta(seconds=3))
    services.update_command(rules, CommandDraft(name="rules", description="R", content="r"), now=now)
    services.delete_command(faq, now=now)
    slash_sync.sync(guild.id, now=now + timedelta(seconds=3))
    assert registered(live_discord) == []
    assert CustomCommand.objects.get(id=rules.id).slash_registered_at is None


def test_past_discords_100_guild_commands_the_rest_say_why(live_discord, guild):
    now = timezone.now()
    for n in range(101):
        add(guild, f"c{n:03}", now=now)
    slash_sync.sync(guild.id, now=now + timedelta(seconds=3))
    assert len(registered(live_discord)) == 100
    left_out = CustomCommand.objects.get(name="c100")
    assert left_out.slash_registered_at is None
    assert left_out.slash_error == (
        "Not registered: Discord allows 100 commands per server and 100 are registered; "
        "use /custom run name:<name>, or turn another off."
    )


def test_a_refusal_is_recorded_on_the_guild_and_its_commands_and_not_retried(live_discord, guild):
    now = timezone.now()
    add(guild, "rules", now=now)
    live_discord.control.remove_bot(guild.id)
    assert slash_sync.sync(guild.id, now=now + timedelta(seconds=3)) is None
    why = "Discord refused: Muster may not add commands in this server (invite it with applications.commands)"
    assert CustomCommand.objects.get(name="rules").slash_error == why
    sync = GuildCommandSync.objects.get(guild=guild)
    assert (sync.last_error, sync.due_at, sync.attempts) == (why, None, 1)


def test_an_outage_is_recorded_and_retried_with_backoff(live_discord, guild):
    now = timezone.now()
    add(guild, "rules", now=now)
    live_discord.control.inject_fault("error", "/applications/*/guilds/*/commands", method="PUT", status=503, count=2)
    delay = slash_sync.sync(guild.id, now=now + timedelta(seconds=3))
    assert delay == 15
    sync = GuildCommandSync.objects.get(guild=guild)
    assert sync.due_at == now + timedelta(seconds=18)
    assert sync.last_error.startswith("Discord did not answer (")
    assert CustomCommand.objects.get(name="rules").slash_error == sync.last_error
    assert slash_sync.sync(guild.id, now=now + timedelta(seconds=18)) is None
    assert registered(live_discord) == ["rules"]
    assert CustomCommand.objects.get(name="rules").slash_error == ""


def test_musters_own_commands_synced_into_a_development_guild_are_kept(live_discord, guild, settings):
    path = "/applications/{application_id}/guilds/{guild_id}/commands"
    params = {"application_id": APPLICATION_ID, "guild_id": guild.id}
    get_client().request("PUT", path, params, json=[{"type": 1, "name": "muster", "description": "Muster"}])
    now = timezone.now()
    add(guild, "rules", now=now)
    slash_sync.sync(guild.id, now=now + timedelta(seconds=3))
    assert registered(live_discord) == ["muster", "rules"]


def test_a_sync_whose_worker_was_killed_is_taken_up_again_by_the_backstop(live_discord, guild):
    now = timezone.now()
    add(guild, "rules", now=now)
    GuildCommandSync.objects.filter(guild=guild).update(due_at=None, running_since=now)  # claimed, then killed
    assert slash_sync.due(now + timedelta(seconds=60)) == []
    later = now + timedelta(seconds=121)
    assert slash_sync.due(later) == [guild.id]
    slash_sync.sync(guild.id, now=later)
    assert registered(live_discord) == ["rules"]
