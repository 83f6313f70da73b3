"""The Members page's organiser flag: flag and unflag a membership, under core.memberships' rules."""

from __future__ import annotations

import pytest

from core.models import GuildMember, OrganiserAction

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def flag_url(membership) -> str:
    return f"/dashboard/g/{membership.guild_id}/members/{membership.id}/organiser/"


def members_page(membership) -> str:
    return f"/dashboard/g/{membership.guild_id}/members/"


def test_flagging_alice_lets_her_in_and_unflagging_takes_it_back(world):
    alice = world.cast.member
    olivia = log_in(world, "olivia")
    page = olivia.get(members_page(alice)).content.decode()
    assert f'action="{flag_url(alice)}"' in page and "Make organiser" in page
    done = csrf_post(olivia, flag_url(alice), {"organiser": "1"}, page=members_page(alice))
    assert done.status_code == 302 and done["Location"] == members_page(alice)
    assert GuildMember.objects.get(pk=alice.pk).is_organiser
    shown = olivia.get(done["Location"]).content.decode()
    assert "is flagged as an organiser" in shown and "Remove organiser flag" in shown
    assert log_in(world, "alice").get(members_page(alice)).status_code == 200  # the flag is a right

    again = csrf_post(olivia, flag_url(alice), {"organiser": "1"}, page=members_page(alice))
    assert "already was flagged" in olivia.get(again["Location"]).content.decode()
    csrf_post(olivia, flag_url(alice), {"organiser": "0"}, page=members_page(alice))
    assert not GuildMember.objects.get(pk=alice.pk).is_organiser
    assert log_in(world, "alice").get(members_page(alice)).status_code == 404
    actions = OrganiserAction.objects.filter(guild_id=alice.guild_id).order_by("id").values_list("action", flat=True)
    assert list(actions) == ["flagged as organiser", "removed organiser flag"]  # the repeat changed nothing


def test_a_flag_backed_by_the_organiser_role_or_her_own_is_refused_with_the_reason(world):
    olivia_membership = world.cast.organiser
    GuildMember.objects.filter(pk=olivia_membership.pk).update(is_organiser=True)
    olivia = log_in(world, "olivia")
    url, page = flag_url(olivia_membership), members_page(olivia_membership)
    refused = csrf_post(olivia, url, {"organiser": "0"}, page=page)
    assert "organise through the server&#x27;s organiser role" in olivia.get(refused["Location"]).content.decode()
    assert GuildMember.objects.get(pk=olivia_membership.pk).is_organiser

    GuildMember.objects.filter(pk=olivia_membership.pk).update(role_ids=[])  # the flag is all she has
    refused = csrf_post(olivia, url, {"organiser": "0"}, page=page)
    assert "You cannot remove your own organiser flag" in olivia.get(refused["Location"]).content.decode()
    assert GuildMember.objects.get(pk=olivia_membership.pk).is_organiser
    unreadable = csrf_post(olivia, url, {"organiser": "maybe"}, page=page)
    assert "Choose whether to flag" in olivia.get(unreadable["Location"]).content.decode()
    assert not OrganiserAction.objects.exists()


def test_outsiders_and_another_guilds_membership_get_404(world):
    alice, otto = world.cast.member, world.other_organiser
    for name in ("otto", "oscar", "alice"):
        client = log_in(world, name)
        assert client.get(flag_url(alice)).status_code == 404, name
        response = client.post(
            flag_url(alice), {"organiser": "1", "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
        )
        assert response.status_code == 404, name
    olivia = log_in(world, "olivia")
    theirs = f"/dashboard/g/{alice.guild_id}/members/{otto.id}/organiser/"  # her guild, their membership
    page = members_page(alice)
    assert csrf_post(olivia, theirs, {"organiser": "0"}, page=page).status_code == 404
    assert GuildMember.objects.get(pk=otto.pk).is_organiser and not GuildMember.objects.get(pk=alice.pk).is_organiser


def test_the_flag_needs_the_csrf_token(world):
    alice = world.cast.member
    olivia = log_in(world, "olivia")
    assert olivia.post(flag_url(alice), {"organiser": "1"}).status_code == 403
    assert not GuildMember.objects.get(pk=alice.pk).is_organiser


def filled(form) -> dict:
    """The admin change form's data as a browser would send it back unchanged."""
    data = {}
    for bound in form:
        widget = getattr(bound.field.widget, "widget", bound.field.widget)  # unwrap the related-field wrapper
        context = widget.get_context(bound.html_name, bound.value(), {})["widget"]
        for entry in context.get("subwidgets") or [context]:
            if entry.get("type") == "checkbox":
                if entry["attrs"].get("checked"):
                    data[entry["name"]] = "on"
            elif entry["value"] is not None:
                data[entry["name"]] = entry["value"]
    return data


def test_the_admin_applies_the_same_rule_to_the_flag(world):
    otto = world.other_organiser  # organises Elsewhere by the flag alone
    client = log_in(world, "otto")
    url = f"/admin/core/guildmember/{otto.id}/change/"
    data = filled(client.get(url).context["adminform"].form)
    data.pop("is_organiser")
    refused = client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert refused.status_code == 200
    assert "You cannot remove your own organiser flag" in refused.content.decode()
    assert GuildMember.objects.get(pk=otto.pk).is_organiser
