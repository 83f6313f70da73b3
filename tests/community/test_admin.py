"""The admin of custom commands and schedules: the services' rules as form errors, failures shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import CustomCommand, GuildCommandSync, ScheduledMessage
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(SuperuserFactory())
    return client


def command_form(cast, **fields) -> dict:
    data = {
        "guild": cast.guild.id,
        "name": "rules",
        "description": "The rules",
        "content": "Be kind.",
        "embed": "{}",
        "allowed_role_ids": "[]",
        "mention_role_ids": "[]",
        "cooldown_seconds": "0",
    }
    return {**data, **fields}


def test_it_creates_a_command_through_the_services_and_asks_for_its_registration(staff, cast):
    response = staff.post(reverse("admin:community_customcommand_add"), command_form(cast, slash_command="on"))
    assert response.status_code == 302
    assert list(CustomCommand.objects.values_list("name", "slash_command")) == [("rules", True)]
    assert GuildCommandSync.objects.get(guild=cast.guild).due_at is not None


def test_a_name_clash_or_an_embed_over_the_limits_is_a_form_error_and_nothing_is_saved(staff, cast):
    staff.post(reverse("admin:community_customcommand_add"), command_form(cast))
    response = staff.post(reverse("admin:community_customcommand_add"), command_form(cast, name="Rules"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This server already has a custom command named rules; edit it or choose another name."
    ]
    fields = ", ".join(f'{{"name": "F{n}", "value": "v"}}' for n in range(6))
    embed = f'{{"title": "T", "fields": [{fields}]}}'
    response = staff.post(reverse("admin:community_customcommand_add"), command_form(cast, name="faq", embed=embed))
    assert response.context["adminform"].form.non_field_errors() == ["The embed has 6 fields; at most 5 are allowed."]
    response = staff.post(reverse("admin:community_customcommand_add"), command_form(cast, name="event"))
    assert response.context["adminform"].form.non_field_errors() == [
        "/event is one of Muster's own commands; choose another name."
    ]
    assert CustomCommand.objects.count() == 1


def test_the_list_shows_why_a_slash_command_is_not_registered(staff, cast):
    staff.post(reverse("admin:community_customcommand_add"), command_form(cast, slash_command="on"))
    CustomCommand.objects.update(slash_error="Discord refused the commands: Missing Access")
    response = staff.get(reverse("admin:community_customcommand_changelist"))
    assert '<td class="field-problem">Discord refused the commands: Missing Access</td>' in response.content.decode()


def test_it_creates_a_schedule_with_its_first_occurrence_and_refuses_a_bad_one(staff, cast):
    start = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    data = {
        "guild": cast.guild.id,
        "channel_id": "700000000000000077",
        "content": "Hello {guild}",
        "embed": "{}",
        "mention_role_ids": "[]",
        "timezone": "Europe/Paris",
        "starts_at_0": start.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d"),
        "starts_at_1": start.astimezone(timezone.get_current_timezone()).strftime("%H:%M:%S"),
        "repeat": "monthly",
        "weekdays": "[1]",
        "month_week": "2",
        "grace_minutes": "60",
        "occurrences-TOTAL_FORMS": "0",
        "occurrences-INITIAL_FORMS": "0",
    }
    response = staff.post(reverse("admin:community_scheduledmessage_add"), data)
    assert response.status_code == 302
    schedule = ScheduledMessage.objects.get()
    local = schedule.next_occurrence_at.astimezone(timezone.get_current_timezone())
    assert (local.weekday(), (local.day - 1) // 7 + 1) == (1, 2)  # a 2nd Tuesday
    response = staff.post(reverse("admin:community_scheduledmessage_add"), {**data, "weekdays": "[1, 2]"})
    assert response.context["adminform"].form.non_field_errors() == [
        '"2nd Tuesday" needs exactly one weekday: month week 2 and weekdays [1].'
    ]
    assert ScheduledMessage.objects.count() == 1
