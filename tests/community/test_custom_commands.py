"""Custom commands: names, responses, placeholders, roles, cooldown and mentions (services)."""

from datetime import UTC, datetime, timedelta

import pytest

from community import services
from community.models import CommandUse, CustomCommand, GuildCommandSync
from community.services import CommandDraft, Use
from core.errors import RuleError
from core.interactions import Actor
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # already Sunday 29 March in Tokyo
ROLE, OTHER_ROLE = 611_000_000_000_000_001, 611_000_000_000_000_002


def draft(**fields) -> CommandDraft:
    fields.setdefault("name", "rules")
    fields.setdefault("description", "The server rules")
    fields.setdefault("content", "Be kind.")
    return CommandDraft(**fields)


def use_by(cast, who, *, roles=(), channel_id=42) -> Use:
    actor = Actor(id=who.member_id, username=who.member.username, display_name="", role_ids=roles)
    return Use(actor=actor, guild_name=cast.guild.name, channel_id=channel_id)


def create(cast, **fields) -> CustomCommand:
    return services.create_command(cast.guild, draft(**fields), created_by_id=cast.organiser.member_id, now=NOW)


def test_it_stores_a_command_with_its_name_lowercased(cast):
    command = create(cast, name=" /Rules ")
    assert (command.name, command.description, command.content, command.private) == (
        "rules",
        "The server rules",
        "Be kind.",
        False,
    )
    assert services.find_command(cast.guild.id, "RULES") == command


@pytest.mark.parametrize(
    "name",
    ["", "two words", "a" * 33, "café", "hello!", "émoji😀"],
)
def test_it_refuses_a_name_discord_would_not_take(cast, name):
    with pytest.raises(
        RuleError,
        match=r"^'.*' cannot be a command name: use 1 to 32 lowercase letters, digits, - or _ \(no spaces\)\.$",
    ):
        create(cast, name=name)


@pytest.mark.parametrize("name", ["muster", "event", "poll", "custom", "schedule", "standings"])
def test_it_refuses_the_name_of_one_of_musters_own_commands(cast, name):
    with pytest.raises(RuleError, match=rf"^/{name} is one of Muster's own commands; choose another name\.$"):
        create(cast, name=name)


def test_it_refuses_a_second_command_of_the_same_name_in_the_guild_but_not_elsewhere(cast):
    create(cast)
    with pytest.raises(
        RuleError, match=r"^This server already has a custom command named rules; edit it or choose another name\.$"
    ):
        create(cast, name="Rules")
    other = services.create_command(cast.outsider.guild, draft(), now=NOW)
    assert other.name == "rules"
    assert CustomCommand.objects.count() == 2


def test_an_edit_may_keep_its_own_name_but_not_take_another(cast):
    rules, faq = create(cast), create(cast, name="faq")
    services.update_command(rules, draft(content="Be very kind."), now=NOW)
    assert CustomCommand.objects.get(id=rules.id).content == "Be very kind."
    with pytest.raises(
        RuleError, match=r"^This server already has a custom command named faq; edit it or choose another name\.$"
    ):
        services.update_command(rules, draft(name="faq"), now=NOW)
    assert CustomCommand.objects.get(id=faq.id).content == "Be kind."


def test_it_refuses_text_over_2000_characters_and_an_empty_response(cast):
    with pytest.raises(RuleError, match=r"^The text is 2001 characters; Discord allows 2000\.$"):
        create(cast, content="x" * 2001)
    with pytest.raises(RuleError, match=r"^Give the response some text or an embed title or description\.$"):
        create(cast, content="  ")


def test_it_refuses_an_embed_outside_discords_limits(cast):
    too_many = [{"name": f"F{n}", "value": "v"} for n in range(6)]
    with pytest.raises(RuleError, match=r"^The embed has 6 fields; at most 5 are allowed\.$"):
        create(cast, content="", embed={"title": "T", "fields": too_many})
    with pytest.raises(RuleError, match=r"^The embed title is 257 characters; Discord allows 256\.$"):
        create(cast, content="", embed={"title": "t" * 257})
    with pytest.raises(RuleError, match=r"^The colour 'blue' is not a hex value such as #5865F2\.$"):
        create(cast, content="", embed={"title": "T", "colour": "blue"})
    with pytest.raises(
        RuleError, match=r"^The image URL must start with https:// \(or http://\) and have no spaces\.$"
    ):
        create(cast, content="", embed={"title": "T", "image_url": "javascript:alert(1)"})
    assert CustomCommand.objects.count() == 0


def test_an_embed_renders_with_its_colour_fields_and_image(cast):
    embed = {
        "title": "Welcome {member}",
        "description": "to {guild}",
        "colour": "#5865F2",
        "fields": [{"name": "Where", "value": "{channel}"}],
        "image_url": "https://example.org/a.png",
    }
    command = create(cast, content="", embed=embed)
    assert command.embed["colour"] == 0x5865F2
    message = services.use_command(command, use_by(cast, cast.member), now=NOW)
    assert message["embeds"] == [
        {
            "title": "Welcome alice",
            "description": "to Muster HQ",
            "fields": [{"name": "Where", "value": "<#42>", "inline": False}],
            "color": 0x5865F2,
            "image": {"url": "https://example.org/a.png"},
        }
    ]


def test_placeholders_are_filled_and_anything_else_is_shown_as_typed(cast):
    cast.guild.timezone = "Asia/Tokyo"
    cast.guild.save()
    text = (
        "Hi {member} ({member.mention}) in {guild} {channel} on {date}: {member.__class__} {0} {guild.name} {{date}} {x"
    )
    command = create(cast, content=text)
    message = services.use_command(command, use_by(cast, cast.member), now=NOW)
    member_id = cast.member.member_id
    assert message["content"] == (
        f"Hi alice (<@{member_id}>) in Muster HQ <#42> on 2026-03-29: {{member.__class__}} {{0}} {{guild.name}} "
        "{2026-03-29} {x"
    )


def test_a_value_put_in_is_never_read_again_and_its_markdown_is_escaped(cast):
    cast.guild.name = "{member.mention} **HQ**"
    cast.guild.save()
    command = create(cast, content="{guild}")
    use = Use(actor=Actor(id=cast.member.member_id, username="alice"), guild_name=cast.guild.name, channel_id=1)
    assert services.use_command(command, use, now=NOW)["content"] == r"{member.mention} \*\*HQ\*\*"


def test_the_event_placeholders_read_the_guilds_next_upcoming_event(cast):
    command = create(cast, content="Next: {event.title} at {event.time} {event.link}")
    assert (
        services.use_command(command, use_by(cast, cast.member), now=NOW)["content"] == "Next: no upcoming event at  "
    )
    EventFactory(guild=cast.guild, title="Old", starts_at=NOW - timedelta(days=1))
    later = EventFactory(guild=cast.guild, title="Quiz", starts_at=NOW + timedelta(days=9), channel_id=5, message_id=6)
    EventFactory(guild=cast.guild, title="Picnic", starts_at=NOW + timedelta(days=2), channel_id=7, message_id=8)
    EventFactory(guild=cast.outsider.guild, title="Elsewhere", starts_at=NOW + timedelta(hours=1))
    content = services.use_command(command, use_by(cast, cast.member), now=NOW)["content"]
    unix = int((NOW + timedelta(days=2)).timestamp())
    assert content == f"Next: Picnic at <t:{unix}:F> https://discord.com/channels/{cast.guild.id}/7/8"
    assert later.title == "Quiz"


def test_mentions_are_silent_unless_the_organiser_allowed_the_role(cast):
    silent = create(cast, content="@everyone <@&611000000000000001>")
    assert services.use_command(silent, use_by(cast, cast.member), now=NOW)["allowed_mentions"] == {
        "parse": [],
        "roles": [],
    }
    pinging = create(cast, name="ping-team", content="<@&611000000000000001>", mention_role_ids=(ROLE, ROLE))
    assert pinging.mention_role_ids == [ROLE]
    assert services.use_command(pinging, use_by(cast, cast.member), now=NOW)["allowed_mentions"] == {
        "parse": [],
        "roles": [str(ROLE)],
    }


def test_a_command_restricted_to_roles_refuses_members_without_one(cast):
    command = create(cast, allowed_role_ids=(ROLE, OTHER_ROLE))
    with pytest.raises(
        RuleError, match=rf"^Only members with one of these roles can use rules: <@&{ROLE}>, <@&{OTHER_ROLE}>\.$"
    ):
        services.use_command(command, use_by(cast, cast.member), now=NOW)
    assert services.use_command(command, use_by(cast, cast.member, roles=(OTHER_ROLE,)), now=NOW)["content"] == (
        "Be kind."
    )


def test_the_cooldown_is_per_member_and_ends_after_its_seconds(cast):
    command = create(cast, cooldown_seconds=30)
    services.use_command(command, use_by(cast, cast.member), now=NOW)
    with pytest.raises(RuleError, match=r"^You used rules a moment ago; try again in 20 s\.$"):
        services.use_command(command, use_by(cast, cast.member), now=NOW + timedelta(seconds=10))
    services.use_command(command, use_by(cast, cast.organiser), now=NOW + timedelta(seconds=10))
    services.use_command(command, use_by(cast, cast.member), now=NOW + timedelta(seconds=30))
    assert CommandUse.objects.filter(command=command).count() == 2
    assert CommandUse.objects.get(command=command, member_id=cast.member.member_id).used_at == NOW + timedelta(
        seconds=30
    )


def test_a_slash_command_asks_for_one_debounced_sync_of_its_guild(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        create(cast, slash_command=True)
        create(cast, name="faq", slash_command=True)
        create(cast, name="plain")
    assert len(queued) == 1
    assert GuildCommandSync.objects.get(guild=cast.guild).due_at == NOW + timedelta(seconds=3)


def test_an_edit_that_changes_nothing_discord_sees_asks_for_no_sync(cast, django_capture_on_commit_callbacks):
    command = create(cast, slash_command=True)
    GuildCommandSync.objects.filter(guild=cast.guild).update(due_at=None)
    with django_capture_on_commit_callbacks() as queued:
        services.update_command(command, draft(content="New text", slash_command=True), now=NOW)
    assert queued == []
    with django_capture_on_commit_callbacks() as queued:
        services.update_command(command, draft(content="New text", slash_command=False), now=NOW)
    assert len(queued) == 1
