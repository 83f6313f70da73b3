"""/muster: the time zone a member's typed times are read in, and help."""

import pytest

from core.errors import RuleError
from core.interactions import dispatcher
from core.models import Member
from core.permissions import REFUSAL
from tests.cast import handle
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def timezone_command(cast, **options):
    return cast.interaction(cast.member, command="muster timezone", options=options)


def test_a_member_sets_shows_and_resets_their_time_zone(cast):
    reply = handle(timezone_command(cast, zone="Asia/Tokyo"))
    assert reply.content.startswith("Your time zone is now Asia/Tokyo; it is ")
    shown = handle(timezone_command(cast))
    assert shown.content == "Your time zone is Asia/Tokyo. Times you type are read in it."
    handle(timezone_command(cast, zone="guild"))
    assert Member.objects.get(id=cast.member.member_id).timezone == ""
    with pytest.raises(RuleError, match=r"^Mars/Olympus is not a time zone name"):
        handle(timezone_command(cast, zone="Mars/Olympus"))


def test_ping_again_answers_with_the_same_button(cast):
    update = handle(cast.interaction(cast.member, kind="component", custom_id="muster:ping"))
    assert update.content.startswith("Pong! Gateway answered Discord in ")
    assert [b["custom_id"] for b in update.components[0]["components"]] == ["muster:ping"]


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("utc", "utc is not a time zone name; did you mean UTC or Etc/UTC?"),
        ("paris", "paris is not a time zone name; did you mean Europe/Paris?"),
        ("Europe/Pariss", "Europe/Pariss is not a time zone name; did you mean Europe/Paris?"),
        ("Mars/Olympus", "Mars/Olympus is not a time zone name; use an IANA name such as Europe/Paris."),
    ],
)
def test_a_zone_that_is_not_a_name_is_refused_with_the_closest_names(cast, zone, message):
    with pytest.raises(RuleError) as error:
        handle(timezone_command(cast, zone=zone))
    assert str(error.value) == message


ORGANISER_ONLY = [
    "custom create",
    "custom delete",
    "custom edit",
    "event cancel",
    "event create",
    "event defaults",
    "event edit",
    "event logistics",
    "event native",
    "event nudge",
    "event remove",
    "event template delete",
    "event template save",
    "event template use",
    "export connect",
    "export now",
    "export status",
    "jira subscribe",
    "jira subscriptions",
    "jira unsubscribe",
    "poll close",
    "poll create",
    "poll dates",
    "poll decide",
    "results checkin",
    "results post",
    "results season",
    "ride areas add",
    "ride areas remove",
    "ride assign",
    "schedule create",
    "schedule delete",
    "schedule edit",
    "schedule list",
    "schedule pause",
    "schedule resume",
    "standup create",
    "standup delete",
    "standup edit",
    "standup pause",
    "standup resume",
    "task board",
    *("team add", "team auto", "team captain", "team create", "team delete", "team move", "team remove"),
    *("team rename", "team spaces"),
    "timeline add",
    "timeline remove",
    "timeline shift",
]
RIDES_AND_ROOMS = [
    *("ride areas list", "ride cancel", "ride join", "ride leave", "ride list", "ride mine", "ride need"),
    *("ride offer", "room cancel", "room claim", "room leave", "room list", "room mine", "room offer"),
]
JIRA_MEMBER = ["jira digest", "jira link", "jira settings", "jira status", "jira unlink"]
TASKS = [
    *("task add", "task assign", "task comment", "task done", "task edit", "task list", "task reopen"),
    *("task settings", "task show"),
]


def help_paths(cast, who):
    content = handle(cast.interaction(who, command="muster help")).content
    return [line.split("`")[1].lstrip("/") for line in content.splitlines()[1:]]


def test_help_lists_only_what_the_member_can_do(cast):
    member, organiser = help_paths(cast, cast.member), help_paths(cast, cast.organiser)
    assert member == [
        *(
            "custom list",
            "custom run",
            "event calendar",
            "event list",
            "event series leave",
            "event show",
            "event template list",
            *JIRA_MEMBER,
            *("leave balance", "leave cancel", "leave mine", "leave request", "leave who"),
        ),
        *("muster help", "muster ping", "muster privacy", "muster timezone", "results show"),
        *RIDES_AND_ROOMS,
        *("standings", "standup list", "standup skip", *TASKS),
        *("team list", "team mine", "team preference"),
        "timeline list",
    ]
    assert sorted(set(organiser) - set(member)) == ORGANISER_ONLY


def test_every_refusal_of_a_member_uses_the_same_sentence(cast):
    poll = PollFactory(guild=cast.guild, created_by_id=cast.organiser.member_id)
    refused = [
        cast.interaction(cast.member, command="poll close", options={"poll": poll.id}),
        cast.interaction(cast.member, command="event cancel", options={"event": 1}),
        cast.interaction(cast.member, kind="modal", custom_id="poll:create:0:0", fields={"question": "Q"}),
    ]
    answers = [dispatcher.run(interaction)[1]["message"]["content"] for interaction in refused]
    assert answers == [REFUSAL] * 3


def test_the_author_of_a_poll_may_close_it_without_being_an_organiser(cast):
    poll = PollFactory(guild=cast.guild, created_by_id=cast.member.member_id)
    outcome, stored, _, _ = dispatcher.run(
        cast.interaction(cast.member, command="poll close", options={"poll": poll.id})
    )
    assert (outcome, stored["message"]["content"]) == (
        "ok",
        f"Closed poll {poll.id}; the result is posted in <#{poll.channel_id}>.",
    )
