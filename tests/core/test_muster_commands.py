"""/muster: the time zone a member's typed times are read in, and help."""

import pytest

from core.errors import RuleError
from core.models import Member
from tests.cast import handle

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
