"""The worker-side handlers of /custom, /schedule and a guild's /<name>, run as the dispatcher runs them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from community.models import CustomCommand, ScheduledMessage
from core.errors import RuleError
from core.interactions import dispatcher
from core.models import CommandLog
from core.permissions import REFUSAL
from core.timeparse import describe
from tests.cast import CHANNEL_ID, ORGANISER_ROLE_ID, handle

pytestmark = pytest.mark.django_db


def save_form(cast, custom_id="custom:save:0::::::", who=None, **fields):
    fields.setdefault("name", "rules")
    fields.setdefault("description", "The rules")
    fields.setdefault("response", "Be kind, {member}.")
    return cast.interaction(who or cast.organiser, kind="modal", custom_id=custom_id, fields=fields)


def test_the_create_form_makes_a_command_members_run_with_custom_run(cast):
    reply = handle(save_form(cast))
    assert reply.content == "Created the custom command **rules**: members run it with /custom run name:rules."
    answer = handle(cast.interaction(cast.member, command="custom run", options={"name": "Rules"}))
    assert (answer.content, answer.ephemeral) == ("Be kind, alice.", False)
    assert answer.message()["allowed_mentions"] == {"parse": [], "roles": []}


def test_the_form_carries_the_options_private_cooldown_slash_role_mention_and_colour(cast):
    custom_id = f"custom:save:0:1:30:1:{ORGANISER_ROLE_ID}:{ORGANISER_ROLE_ID}:5865f2"
    reply = handle(save_form(cast, custom_id, embed_title="Rules", embed_fields="One: be kind\nTwo: be kinder"))
    assert reply.content == (
        "Created the custom command **rules**: members run it with /custom run name:rules "
        "and, in a few seconds, /rules."
    )
    command = CustomCommand.objects.get()
    assert (command.private, command.cooldown_seconds, command.slash_command) == (True, 30, True)
    assert (command.allowed_role_ids, command.mention_role_ids, command.content) == (
        [ORGANISER_ROLE_ID],
        [ORGANISER_ROLE_ID],
        "",
    )
    assert command.embed == {
        "title": "Rules",
        "description": "Be kind, {member}.",
        "fields": [{"name": "One", "value": "be kind"}, {"name": "Two", "value": "be kinder"}],
        "colour": 0x5865F2,
    }


def test_an_edit_keeps_the_options_left_out_and_everyone_clears_a_role(cast):
    handle(save_form(cast, f"custom:save:0:1:30:0:{ORGANISER_ROLE_ID}::"))
    command = CustomCommand.objects.get()
    handle(save_form(cast, f"custom:save:{command.id}::::{cast.guild.id}::", response="Be nice."))
    command.refresh_from_db()
    assert (command.private, command.cooldown_seconds, command.allowed_role_ids, command.content) == (
        True,
        30,
        [],
        "Be nice.",
    )


def test_only_organisers_may_submit_the_form_and_a_bad_field_line_is_refused_clearly(cast):
    outcome, stored, _, _ = dispatcher.run(save_form(cast, who=cast.member))
    assert (outcome, stored["message"]["content"]) == ("refused", REFUSAL)
    with pytest.raises(
        RuleError, match=r"^Write each embed field as \"Name: value\" on its own line; 'oops' is not\.$"
    ):
        handle(save_form(cast, embed_fields="oops"))
    assert CustomCommand.objects.count() == 0


def test_a_guilds_own_slash_command_reaches_its_custom_command_and_an_unknown_one_is_refused(cast):
    handle(save_form(cast))
    answer = handle(cast.interaction(cast.member, command="rules"))
    assert answer.content == "Be kind, alice."
    with pytest.raises(RuleError, match=r"^This server has no custom command named nothing; see /custom list\.$"):
        handle(cast.interaction(cast.member, command="nothing"))


def test_every_use_is_in_the_command_log_under_its_name(cast):
    handle(save_form(cast))
    interaction = cast.interaction(cast.member, command="rules")
    CommandLog.objects.create(interaction_id=interaction.id, command="rules", kind="command", guild=cast.guild)
    outcome, stored, _, _ = dispatcher.run(interaction)
    assert (outcome, stored["message"]["content"]) == ("ok", "Be kind, alice.")


def test_list_and_delete(cast):
    handle(save_form(cast))
    handle(save_form(cast, "custom:save:0:1::1:::", name="faq", description="Questions"))
    listed = handle(cast.interaction(cast.member, command="custom list")).content
    assert listed == "**faq**: Questions (private) (/faq is being registered)\n**rules**: The rules"
    assert handle(cast.interaction(cast.organiser, command="custom delete", options={"name": "faq"})).content == (
        "Deleted the custom command **faq**."
    )
    assert list(CustomCommand.objects.values_list("name", flat=True)) == ["rules"]


def test_the_schedule_form_answers_with_the_next_five_occurrences(cast):
    start = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo("Europe/Paris")).replace(hour=9, minute=0)
    fields = {"message": "Stand-up!", "start": start.strftime("%Y-%m-%d %H:%M"), "repeat": "daily", "until": ""}
    reply = handle(cast.interaction(cast.organiser, kind="modal", custom_id="schedule:create:0:30:", fields=fields))
    schedule = ScheduledMessage.objects.get()
    assert (schedule.channel_id, schedule.grace_minutes, schedule.repeat) == (CHANNEL_ID, 30, "daily")
    lines = reply.content.splitlines()
    assert lines[0].startswith(f"Scheduled message **{schedule.id}** posts in <#{CHANNEL_ID}> daily, first ")
    first = describe(schedule.next_occurrence_at, ZoneInfo("Europe/Paris"))
    assert lines[0].endswith(f" daily, first {first}. The next occurrences:")
    local = schedule.next_occurrence_at.astimezone(ZoneInfo("Europe/Paris"))  # wall-clock days, across DST
    assert lines[1:] == [f"- <t:{int((local + timedelta(days=day)).timestamp())}:F>" for day in range(5)]


def test_the_schedule_form_refuses_a_date_it_cannot_read_and_keeps_nothing(cast):
    start = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    fields = {"message": "Hi", "start": start, "repeat": "daily", "until": "next june"}
    with pytest.raises(RuleError, match=r"^Write the end date as YYYY-MM-DD, e.g. 2027-06-30 \(not 'next june'\)\.$"):
        handle(cast.interaction(cast.organiser, kind="modal", custom_id="schedule:create:0::", fields=fields))
    assert ScheduledMessage.objects.count() == 0


def test_pause_resume_delete_and_list(cast):
    start = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    fields = {"message": "Hi", "start": start, "repeat": "weekly"}
    handle(cast.interaction(cast.organiser, kind="modal", custom_id="schedule:create:0::", fields=fields))
    number = ScheduledMessage.objects.get().id
    act = lambda command: handle(cast.interaction(cast.organiser, command=command, options={"schedule": number}))  # noqa: E731
    assert act("schedule pause").content == f"Paused scheduled message **{number}**; /schedule resume starts it again."
    with pytest.raises(RuleError, match=rf"^Scheduled message {number} is paused already\.$"):
        act("schedule pause")
    listed = handle(cast.interaction(cast.organiser, command="schedule list")).content
    assert listed == f"**{number}** in <#{CHANNEL_ID}>, weekly: paused: paused by an organiser. Hi"
    assert act("schedule resume").content.startswith(f"Resumed scheduled message **{number}**: next post ")
    assert act("schedule delete").content == f"Deleted scheduled message **{number}**."
    with pytest.raises(
        RuleError, match=r"^This server has no scheduled message with that number; see /schedule list\.$"
    ):
        act("schedule delete")


def created_schedule(cast, **fields) -> ScheduledMessage:
    start = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    fields = {"message": "Hi", "start": start, "repeat": "weekly", **fields}
    handle(cast.interaction(cast.organiser, kind="modal", custom_id="schedule:create:0:30:", fields=fields))
    return ScheduledMessage.objects.get()


def test_schedule_edit_opens_the_form_filled_in_with_the_schedule_as_it_is(cast):
    from community.discord.commands import SCHEDULE_EDIT, filled_schedule

    schedule = created_schedule(cast, repeat="monthly 2nd tue", until="2030-06-30", embed_title="News")
    form = filled_schedule(SCHEDULE_EDIT.build(schedule_id=schedule.id, channel_id=0, grace="", mention=""), schedule)
    assert form.custom_id == f"schedule:edit:{schedule.id}:0::"
    local = schedule.next_occurrence_at.astimezone(ZoneInfo(schedule.timezone))
    assert {field.custom_id: field.default for field in form.fields} == {
        "message": "Hi",
        "start": f"{local:%Y-%m-%d %H:%M}",
        "repeat": "monthly 2nd tue",
        "until": "2030-06-30",
        "embed_title": "News",
    }


def test_the_schedule_edit_form_saves_with_the_same_rules_and_keeps_the_options_left_out(cast):
    schedule = created_schedule(cast)
    start = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo(schedule.timezone)).replace(hour=8, minute=15)
    fields = {"message": "Stand-up!", "start": start.strftime("%Y-%m-%d %H:%M"), "repeat": "daily", "until": ""}
    edit = f"schedule:edit:{schedule.id}:0::"
    reply = handle(cast.interaction(cast.organiser, kind="modal", custom_id=edit, fields=fields))
    schedule.refresh_from_db()
    assert (schedule.content, schedule.repeat, schedule.channel_id, schedule.grace_minutes) == (
        "Stand-up!",
        "daily",
        CHANNEL_ID,
        30,
    )
    assert schedule.next_occurrence_at == start.replace(second=0, microsecond=0)
    first = describe(schedule.next_occurrence_at, ZoneInfo(schedule.timezone))
    assert reply.content.splitlines()[0] == (
        f"Saved scheduled message **{schedule.id}**: it posts in <#{CHANNEL_ID}> daily, next {first}. "
        "The next occurrences:"
    )
    assert len(reply.content.splitlines()) == 6
    pinging = f"schedule:edit:{schedule.id}:0:45:{ORGANISER_ROLE_ID}"
    handle(cast.interaction(cast.organiser, kind="modal", custom_id=pinging, fields=fields))
    schedule.refresh_from_db()
    assert (schedule.grace_minutes, schedule.mention_role_ids) == (45, [ORGANISER_ROLE_ID])
    everyone = f"schedule:edit:{schedule.id}:0::{cast.guild.id}"  # @everyone: ping no role
    handle(cast.interaction(cast.organiser, kind="modal", custom_id=everyone, fields=fields))
    schedule.refresh_from_db()
    assert (schedule.grace_minutes, schedule.mention_role_ids) == (45, [])
    with pytest.raises(RuleError, match=r"^'fortnightly' is not a repetition Muster knows\. "):
        handle(
            cast.interaction(cast.organiser, kind="modal", custom_id=edit, fields={**fields, "repeat": "fortnightly"})
        )
    schedule.refresh_from_db()
    assert schedule.repeat == "daily"


def test_schedule_edit_touches_no_other_guilds_schedule_and_members_are_refused(cast):
    schedule = created_schedule(cast)
    ScheduledMessage.objects.filter(pk=schedule.pk).update(guild=cast.outsider.guild)
    fields = {"message": "Mine now", "start": "tomorrow 09:00", "repeat": "daily"}
    edit = f"schedule:edit:{schedule.id}:0::"
    with pytest.raises(RuleError, match=r"^That scheduled message was deleted meanwhile; create it again"):
        handle(cast.interaction(cast.organiser, kind="modal", custom_id=edit, fields=fields))
    refused = cast.interaction(cast.member, kind="modal", custom_id=edit, fields=fields)
    assert dispatcher.run(refused)[1]["message"]["content"] == REFUSAL
    assert ScheduledMessage.objects.get().content == "Hi"
