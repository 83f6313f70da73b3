"""The Custom commands page: list, create, edit and delete through community.services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from community import services
from community.models import CustomCommand, GuildCommandSync
from community.services import CommandDraft

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db

FORM = {"name": "rules", "description": "The club rules", "response": "Be kind, {member}.", "cooldown_seconds": "0"}


def url(world, tail: str = "", guild=None) -> str:
    return f"/dashboard/g/{(guild or world.cast.guild).id}/commands/{tail}"


def make(guild, name: str = "rules", **fields) -> CustomCommand:
    draft = CommandDraft(name=name, description="d", content="hello", **fields)
    return services.create_command(guild, draft, now=timezone.now())


def test_it_creates_a_command(world):
    olivia = log_in(world, "olivia")
    done = csrf_post(
        olivia, url(world, "create/"), {**FORM, "private": "on", "mention_role_ids": ["555000000000000001"]}
    )
    assert (done.status_code, done["Location"]) == (302, url(world))
    command = CustomCommand.objects.get()
    assert (command.guild_id, command.name, command.content, command.private, command.mention_role_ids) == (
        world.cast.guild.id,
        "rules",
        "Be kind, {member}.",
        True,
        [555000000000000001],
    )
    assert command.created_by_id == world.cast.organiser.member_id
    assert "rules" in olivia.get(url(world)).content.decode()


def test_it_edits_a_command_into_an_embed(world):
    command = make(world.cast.guild)
    olivia = log_in(world, "olivia")
    form = olivia.get(url(world, f"{command.id}/edit/")).context["form"]
    assert form.initial["response"] == "hello"
    data = {**FORM, "name": "Rules", "embed_title": "Rules", "embed_fields": "One: be kind", "embed_colour": "#5865F2"}
    done = csrf_post(olivia, url(world, f"{command.id}/edit/"), data)
    assert done.status_code == 302
    command.refresh_from_db()
    assert (command.name, command.content, command.embed["title"], command.embed["fields"]) == (
        "rules",
        "",
        "Rules",
        [{"name": "One", "value": "be kind"}],
    )


def test_a_rule_broken_is_a_form_error(world):
    make(world.cast.guild)
    olivia = log_in(world, "olivia")
    taken = csrf_post(olivia, url(world, "create/"), FORM)
    assert taken.status_code == 400
    assert taken.context["form"].non_field_errors() == [
        "This server already has a custom command named rules; edit it or choose another name."
    ]
    reserved = csrf_post(olivia, url(world, "create/"), {**FORM, "name": "event"})
    assert reserved.context["form"].non_field_errors() == [
        "/event is one of Muster's own commands; choose another name."
    ]
    fields = csrf_post(olivia, url(world, "create/"), {**FORM, "name": "x", "embed_fields": "no colon"})
    assert fields.status_code == 400
    assert fields.context["form"].non_field_errors() == [
        "Write each embed field as \"Name: value\" on its own line; 'no colon' is not."
    ]
    foreign_role = csrf_post(olivia, url(world, "create/"), {**FORM, "name": "y", "allowed_role_ids": ["42"]})
    assert foreign_role.status_code == 400 and "allowed_role_ids" in foreign_role.context["form"].errors
    assert CustomCommand.objects.count() == 1


def test_a_slash_registration_failure_is_shown(world):
    command = make(world.cast.guild, slash_command=True)
    CustomCommand.objects.filter(pk=command.pk).update(slash_error="Discord refused: 50035 Invalid Form Body")
    GuildCommandSync.objects.update_or_create(
        guild=world.cast.guild, defaults={"last_error": "HTTP 403 Missing Access", "attempts": 3, "due_at": None}
    )
    html = log_in(world, "olivia").get(url(world)).content.decode()
    assert "not registered:</strong> Discord refused: 50035 Invalid Form Body" in html
    assert "failed\n(3 attempts): HTTP 403 Missing Access" in html


def test_it_deletes_a_command(world):
    command = make(world.cast.guild)
    done = csrf_post(log_in(world, "olivia"), url(world, f"{command.id}/delete/"), {}, page=url(world))
    assert done.status_code == 302
    assert not CustomCommand.objects.exists()


def test_outsiders_and_other_guilds_objects_get_404(world):
    ours, theirs = make(world.cast.guild), make(world.cast.outsider.guild, "theirs")
    for name in ("otto", "oscar", "alice"):
        client = log_in(world, name)
        assert client.get(url(world)).status_code == 404, name
        assert client.get(url(world, f"{ours.id}/edit/")).status_code == 404, name
        assert csrf_post(client, url(world, "create/"), FORM, page="/dashboard/").status_code == 404, name
    olivia = log_in(world, "olivia")
    assert olivia.get(url(world, f"{theirs.id}/edit/")).status_code == 404
    assert csrf_post(olivia, url(world, f"{theirs.id}/delete/"), {}, page=url(world)).status_code == 404
    assert CustomCommand.objects.count() == 2
