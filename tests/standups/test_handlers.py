"""The worker-side handlers of /standup and of the prompt's buttons and form, and the gateway's
side of the *Answer* button: a click answered with the standup's questions as a form."""

from datetime import time

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import routing
from core.models import OutboundMessage
from sandbox.discord import validation
from standups import services
from standups.models import Checkin, Standup
from tests.cast import CHANNEL_ID, handle
from tests.test_interactions_endpoint import interaction, message, queued, signed_post

pytestmark = pytest.mark.django_db
TEAM_ROLE = 500_000_000_000_000_123
TEAM_CHANNEL = 700_000_000_000_000_123


def command(cast, who, sub, **options):
    return cast.interaction(who, command=f"standup {sub}", options=options)


def permitted(cast, who, name) -> bool:
    route = routing.find(command(cast, who, name))
    return route.permits(command(cast, who, name))


def team(cast, **options) -> Standup:
    cast.member.role_ids = [TEAM_ROLE]
    cast.member.save()
    options = {"channel": str(TEAM_CHANNEL), "time": "9am", "role": str(TEAM_ROLE), "days": "daily", **options}
    handle(command(cast, cast.organiser, "create", **options))
    return Standup.objects.get()


def asked_today(cast, standup) -> Checkin:
    """The member's check-in of today, as the tick makes it when their 09:00 has come."""
    now = timezone.now()
    checkin, today, zone = services._today_checkin(standup, cast.member.member_id, now)
    assert checkin is None
    return Checkin.objects.create(
        standup=standup,
        member_id=cast.member.member_id,
        local_date=today,
        due_at=now,
        asked_at=now,
        closes_at=services._closes(standup, today, zone),
    )


def test_organisers_create_edit_pause_resume_and_delete_standups_and_members_may_not(cast):
    for name in ("create", "edit", "pause", "resume", "delete"):
        assert not permitted(cast, cast.member, name)
        assert permitted(cast, cast.organiser, name)
    assert permitted(cast, cast.member, "skip") and permitted(cast, cast.member, "list")

    reply = handle(
        command(
            cast,
            cast.organiser,
            "create",
            channel=str(TEAM_CHANNEL),
            time="9:30",
            role=str(TEAM_ROLE),
            name="Backend",
            questions="Done?; Next?",
            reminder="11:00",
        )
    )
    standup = Standup.objects.get()
    assert (standup.name, standup.questions, standup.ask_at, standup.remind_at) == (
        "Backend",
        ["Done?", "Next?"],
        time(9, 30),
        time(11, 0),
    )
    assert standup.created_by_id == cast.organiser.member_id
    assert reply.content.startswith(f"Created **Backend standup** (#{standup.id}) in <#{TEAM_CHANNEL}>")

    members = f"<@{cast.member.member_id}> <@{cast.organiser.member_id}>"
    handle(command(cast, cast.organiser, "edit", standup=standup.id, cutoff="12:00", reminder="off", members=members))
    standup.refresh_from_db()
    assert (standup.cutoff_at, standup.remind_at) == (time(12, 0), None)
    assert sorted(standup.participants.values_list("member_id", flat=True)) == sorted(
        [cast.member.member_id, cast.organiser.member_id]
    )
    handle(command(cast, cast.organiser, "pause", standup=standup.id))
    with pytest.raises(RuleError, match="paused already"):
        handle(command(cast, cast.organiser, "pause", standup=standup.id))
    assert "(paused)" in handle(command(cast, cast.member, "list")).content
    handle(command(cast, cast.organiser, "resume", standup=standup.id))
    handle(command(cast, cast.organiser, "delete", standup=standup.id))
    assert not Standup.objects.exists()


def test_bad_options_get_a_sentence(cast):
    with pytest.raises(RuleError, match="not a time of day"):
        handle(command(cast, cast.organiser, "create", channel="1", time="nine", role=str(TEAM_ROLE)))
    with pytest.raises(RuleError, match="Say who takes part"):
        handle(command(cast, cast.organiser, "create", channel="1", time="9:00"))
    with pytest.raises(RuleError, match="not a member of this server"):
        handle(
            command(cast, cast.organiser, "create", channel="1", time="9:00", members=f"<@{cast.outsider.member_id}>")
        )
    standup = team(cast)
    with pytest.raises(RuleError, match="Nothing to change"):
        handle(command(cast, cast.organiser, "edit", standup=standup.id))
    other = cast.interaction(cast.outsider, command="standup pause", options={"standup": standup.id})
    with pytest.raises(RuleError, match="no such standup"):
        handle(other)


def test_a_member_skips_today_by_command_or_from_the_prompt(cast):
    standup = team(cast)
    reply = handle(command(cast, cast.member, "skip"))
    assert reply.content.startswith("You skip Standup #")
    assert Checkin.objects.get().status == Checkin.Status.SKIPPED
    with pytest.raises(RuleError, match="do not take part in any"):
        handle(command(cast, cast.organiser, "skip"))

    Checkin.objects.all().delete()
    checkin = asked_today(cast, standup)
    click = cast.interaction(cast.member, kind="component", custom_id=f"standup:skip:{checkin.id}")
    assert "You skip" in handle(click).content
    checkin.refresh_from_db()
    assert checkin.status == Checkin.Status.SKIPPED


def test_the_form_saves_the_answers_posts_them_and_a_second_submission_edits_the_post(cast):
    standup = team(cast)
    checkin = asked_today(cast, standup)
    form = f"standup:answer:{checkin.id}"

    first = handle(cast.interaction(cast.member, kind="modal", custom_id=form, fields={"a0": "Fixes", "a1": "Docs"}))
    again = handle(cast.interaction(cast.member, kind="modal", custom_id=form, fields={"a0": "Fixes", "a1": "Tests"}))

    assert f"posted in <#{TEAM_CHANNEL}>" in first.content
    assert "The post is edited" in again.content
    checkin.refresh_from_db()
    assert checkin.answers[1] == ["What will you do today?", "Tests"]
    assert OutboundMessage.objects.filter(channel_id=TEAM_CHANNEL).count() == 1
    with pytest.raises(RuleError, match="not yours"):
        handle(cast.interaction(cast.organiser, kind="modal", custom_id=form, fields={"a0": "Mine"}))


def dm_click(member, custom_id: str) -> dict:
    """A button click in the member's DMs, as Discord POSTs it (a user, no guild)."""
    body = interaction(3, {"custom_id": custom_id, "component_type": 2}, member=member, message=message())
    body["user"] = body.pop("member")["user"]
    del body["guild_id"], body["guild"]
    body["channel"] = {"id": str(CHANNEL_ID), "type": 1, "recipients": [body["user"]], "flags": 0}
    body["context"] = 1
    return body


def test_the_answer_button_opens_the_questions_as_a_form_filled_in_with_earlier_answers(
    client, discord_key, broker, cast
):
    standup = team(cast, questions="Done?; Next?; Blocked?")
    checkin = asked_today(cast, standup)
    services.answer(checkin.id, cast.member.member_id, ["Reviews", "", ""], now=timezone.now())

    answer = signed_post(client, discord_key, dm_click(cast.member, f"standup:open:{checkin.id}")).json()

    assert (answer["type"], answer["data"]["custom_id"]) == (9, f"standup:answer:{checkin.id}")
    inputs = [row["components"][0] for row in answer["data"]["components"]]
    assert [(i["custom_id"], i["label"], i.get("value")) for i in inputs] == [
        ("a0", "Done?", "Reviews"),
        ("a1", "Next?", None),
        ("a2", "Blocked?", None),
    ]
    assert validation.modal_errors(answer["data"]) == {}
    assert queued(broker) == []


def test_someone_elses_answer_button_is_refused_privately(client, discord_key, broker, cast):
    checkin = asked_today(cast, team(cast))

    answer = signed_post(client, discord_key, dm_click(cast.organiser, f"standup:open:{checkin.id}")).json()

    assert answer["type"] == 4
    assert answer["data"]["content"] == "This standup prompt is not yours, or the standup was deleted."
    assert queued(broker) == []
