"""Every admin page an organiser can reach renders."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import GuildMemberFactory, SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    client.force_login(SuperuserFactory())
    return client


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_it_renders_the_changelist_and_add_page(organiser_client, model):
    GuildMemberFactory()
    info = model._meta.app_label, model._meta.model_name
    changelist = organiser_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(changelist.wsgi_request):
        add = organiser_client.get(reverse("admin:{}_{}_add".format(*info)))
        assert add.status_code == 200


def test_it_renders_a_guild_with_its_members(organiser_client):
    membership = GuildMemberFactory(nickname="Captain")
    response = organiser_client.get(reverse("admin:core_guild_change", args=[membership.guild_id]))
    assert response.status_code == 200
    assert "Captain" in response.content.decode()


def test_it_refuses_an_unknown_time_zone(organiser_client):
    membership = GuildMemberFactory()
    guild = membership.guild
    response = organiser_client.post(
        reverse("admin:core_guild_change", args=[guild.pk]),
        {
            "id": guild.pk,
            "name": guild.name,
            "timezone": "Mars/Olympus",
            "active": "on",
            "joined_at_0": "2026-01-01",
            "joined_at_1": "10:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Mars/Olympus is not a time zone name" in response.content.decode()
    guild.refresh_from_db()
    assert guild.timezone == "Europe/Paris"


WRITTEN_ELSEWHERE = [
    "community.Roster",
    "community.RosterEntry",
    "core.CommandLog",
    "core.HeldNudge",
    "sheets_export.ExportRun",
]


@pytest.mark.parametrize("label", WRITTEN_ELSEWHERE)
def test_rows_written_by_workers_or_services_are_only_shown_to_operators_too(organiser_client, label):
    from django.apps import apps

    model = apps.get_model(label)
    info = model._meta.app_label, model._meta.model_name
    assert organiser_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    assert organiser_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
    model_admin = admin.site._registry[model]
    request = organiser_client.get(reverse("admin:{}_{}_changelist".format(*info))).wsgi_request
    assert not model_admin.has_change_permission(request)
    assert model_admin.has_view_permission(request)


def test_these_are_the_admins_of_rows_written_elsewhere():
    marked = [m._meta.label for m, a in admin.site._registry.items() if getattr(a, "written_elsewhere", False)]
    assert sorted(marked) == WRITTEN_ELSEWHERE
