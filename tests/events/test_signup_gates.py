"""Role-restricted signup and signup options with their own capacity (events.signup)."""

from datetime import timedelta

import pytest

from core.errors import RuleError
from core.recurrence import parse_rule
from events import templates
from events.discord.messages import option_picker
from events.models import Registration, SignupOption
from events.series import SeriesPlan, create_series, edit_occurrence, join_series
from events.services import EventDraft, create_event, edit_event, remove_registration, respond
from events.signup import OptionSpec, Signup, options_text, parse_options
from tests.events.factories import NOW, EventFactory
from tests.factories import GuildFactory, MemberFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status
DRIVERS, MEMBERS, GUESTS = 111_000_000_000_000_001, 111_000_000_000_000_002, 111_000_000_000_000_003


def gated_event(**signup):
    return create_event(
        GuildFactory(),
        EventDraft(title="Training", starts_at=NOW + timedelta(days=3), capacity=signup.pop("capacity", None)),
        now=NOW,
        gates=Signup(**signup),
    )


def option(event, label):
    return SignupOption.objects.get(event=event, label=label)


def roster(event):
    return list(event.registrations.order_by("sequence").values_list("member__username", "status", "option__label"))


# --- roles ----------------------------------------------------------------------------------


def test_it_lets_a_member_holding_an_allowed_role_go():
    event, alice = gated_event(allowed_role_ids=(DRIVERS, MEMBERS)), MemberFactory(username="alice")
    response = respond(event.id, alice.id, Status.GOING, sequence=1, now=NOW, role_ids=(GUESTS, MEMBERS))
    assert response.status == Status.GOING
    assert roster(event) == [("alice", "going", None)]


def test_it_refuses_going_and_maybe_without_an_allowed_role_naming_the_role():
    event, bob = gated_event(allowed_role_ids=(MEMBERS,)), MemberFactory()
    for choice in (Status.GOING, Status.MAYBE):
        with pytest.raises(
            RuleError, match=rf"^Only members with the <@&{MEMBERS}> role can sign up for this event\.$"
        ):
            respond(event.id, bob.id, choice, sequence=1, now=NOW, role_ids=(GUESTS,))
    assert event.registrations.count() == 0


def test_it_names_every_allowed_role_when_there_are_several():
    event = gated_event(allowed_role_ids=(DRIVERS, MEMBERS))
    with pytest.raises(
        RuleError,
        match=rf"^Only members with the <@&{DRIVERS}> or <@&{MEMBERS}> role \(any of them\) can sign up for this",
    ):
        respond(event.id, MemberFactory().id, Status.GOING, sequence=1, now=NOW, role_ids=())


def test_anyone_may_say_they_cannot_go():
    event = gated_event(allowed_role_ids=(MEMBERS,))
    response = respond(event.id, MemberFactory().id, Status.DECLINED, sequence=1, now=NOW, role_ids=())
    assert response.status == Status.DECLINED


def test_an_organiser_may_register_anyone_and_an_event_without_roles_is_open():
    gated, open_event, carol = gated_event(allowed_role_ids=(MEMBERS,)), gated_event(), MemberFactory()
    assert respond(gated.id, carol.id, Status.GOING, sequence=1, now=NOW).status == Status.GOING
    assert respond(open_event.id, carol.id, Status.GOING, sequence=2, now=NOW, role_ids=()).status == Status.GOING


def test_an_edit_restricts_and_reopens_signup():
    event, dave = gated_event(), MemberFactory()
    edit_event(event.id, now=NOW, allowed_role_ids=[MEMBERS])
    with pytest.raises(RuleError, match=r"^Only members with the"):
        respond(event.id, dave.id, Status.GOING, sequence=1, now=NOW, role_ids=(GUESTS,))
    edit_event(event.id, now=NOW, allowed_role_ids=[])
    assert respond(event.id, dave.id, Status.GOING, sequence=2, now=NOW, role_ids=(GUESTS,)).status == Status.GOING


# --- options --------------------------------------------------------------------------------


def test_it_reads_options_as_organisers_type_them():
    specs = parse_options(" Driver 4, Rider 16 ,Helper")
    assert specs == (OptionSpec("Driver", 4), OptionSpec("Rider", 16), OptionSpec("Helper", None))
    assert options_text(specs) == "Driver 4, Rider 16, Helper"
    assert parse_options("-") == ()
    assert parse_options("Team 2 4") == (OptionSpec("Team 2", 4),)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Driver 4, driver 2", r"^There are two signup options called driver; give each its own name\.$"),
        ("Driver 0", r"^The capacity of Driver must be between 1 and 100000\.$"),
        ("A, B, C, D, E, F", r"^An event can have at most 5 signup options; this has 6\.$"),
        ("Driver 4, 16", r'^Each option needs a name before its number, as in "Driver 4"; "16" has none\.$'),
    ],
)
def test_it_refuses_options_it_cannot_keep_apart(text, error):
    with pytest.raises(RuleError, match=error):
        parse_options(text)


def test_going_needs_an_option_and_each_option_has_its_own_capacity():
    event = gated_event(capacity=5, options=(OptionSpec("Driver", 1), OptionSpec("Rider", 3)))
    driver, rider = option(event, "Driver"), option(event, "Rider")
    a, b, c = MemberFactory(username="a"), MemberFactory(username="b"), MemberFactory(username="c")
    with pytest.raises(RuleError, match=r"^Choose how you are going: Driver, Rider\.$"):
        respond(event.id, a.id, Status.GOING, sequence=1, now=NOW)
    assert respond(event.id, a.id, Status.GOING, sequence=1, now=NOW, option_id=driver.id).option == "Driver"
    second = respond(event.id, b.id, Status.GOING, sequence=2, now=NOW, option_id=driver.id)
    assert (second.status, second.waitlist_position, second.option) == (Status.WAITLISTED, 1, "Driver")
    assert respond(event.id, c.id, Status.GOING, sequence=3, now=NOW, option_id=rider.id).status == Status.GOING
    assert roster(event) == [("a", "going", "Driver"), ("b", "waitlisted", "Driver"), ("c", "going", "Rider")]


def test_the_events_capacity_holds_over_its_options():
    event = gated_event(capacity=2, options=(OptionSpec("Driver", 4), OptionSpec("Rider")))
    rider = option(event, "Rider")
    results = [
        respond(event.id, MemberFactory().id, Status.GOING, sequence=n, now=NOW, option_id=rider.id).status
        for n in range(3)
    ]
    assert results == [Status.GOING, Status.GOING, Status.WAITLISTED]


def test_a_freed_place_goes_to_the_first_waiting_for_that_option():
    event = gated_event(options=(OptionSpec("Driver", 1), OptionSpec("Rider", 1)))
    driver, rider = option(event, "Driver"), option(event, "Rider")
    first_driver, first_rider = MemberFactory(username="d1"), MemberFactory(username="r1")
    waiting_rider, waiting_driver = MemberFactory(username="r2"), MemberFactory(username="d2")
    respond(event.id, first_driver.id, Status.GOING, sequence=1, now=NOW, option_id=driver.id)
    respond(event.id, first_rider.id, Status.GOING, sequence=2, now=NOW, option_id=rider.id)
    respond(event.id, waiting_rider.id, Status.GOING, sequence=3, now=NOW, option_id=rider.id)
    respond(event.id, waiting_driver.id, Status.GOING, sequence=4, now=NOW, option_id=driver.id)
    # The driver leaves: the waiting driver moves up, not the rider who clicked earlier.
    left = respond(event.id, first_driver.id, Status.DECLINED, sequence=5, now=NOW)
    assert left.promoted == (waiting_driver.id,)
    assert roster(event) == [
        ("r1", "going", "Rider"),
        ("r2", "waitlisted", "Rider"),
        ("d2", "going", "Driver"),
        ("d1", "declined", None),
    ]
    assert remove_registration(event.id, first_rider.id, now=NOW) == (waiting_rider.id,)


def test_going_again_as_another_option_moves_the_member_and_frees_their_place():
    event = gated_event(options=(OptionSpec("Driver", 1), OptionSpec("Rider", 2)))
    driver, rider = option(event, "Driver"), option(event, "Rider")
    erin, frank = MemberFactory(username="erin"), MemberFactory(username="frank")
    respond(event.id, erin.id, Status.GOING, sequence=1, now=NOW, option_id=driver.id)
    respond(event.id, frank.id, Status.GOING, sequence=2, now=NOW, option_id=driver.id)
    same = respond(event.id, erin.id, Status.GOING, sequence=3, now=NOW, option_id=driver.id)
    assert (same.changed, same.option) == (False, "Driver")
    moved = respond(event.id, erin.id, Status.GOING, sequence=4, now=NOW, option_id=rider.id)
    assert (moved.status, moved.changed, moved.promoted) == (Status.GOING, True, (frank.id,))
    assert roster(event) == [("frank", "going", "Driver"), ("erin", "going", "Rider")]


def test_an_option_of_another_event_is_refused():
    event, other = gated_event(options=(OptionSpec("Driver"),)), gated_event(options=(OptionSpec("Driver"),))
    with pytest.raises(RuleError, match=r"^That is not one of this event's signup options\.$"):
        respond(event.id, MemberFactory().id, Status.GOING, sequence=1, now=NOW, option_id=option(other, "Driver").id)
    plain = EventFactory()
    with pytest.raises(RuleError, match=r"^This event has no signup options\.$"):
        respond(plain.id, MemberFactory().id, Status.GOING, sequence=1, now=NOW, option_id=option(other, "Driver").id)


def test_an_edit_raising_an_options_capacity_promotes_its_waitlist():
    event = gated_event(options=(OptionSpec("Driver", 1),))
    driver = option(event, "Driver")
    respond(event.id, MemberFactory().id, Status.GOING, sequence=1, now=NOW, option_id=driver.id)
    waiting = MemberFactory()
    respond(event.id, waiting.id, Status.GOING, sequence=2, now=NOW, option_id=driver.id)
    edit_event(event.id, now=NOW, signup_options=parse_options("Driver 2, Rider 4"))
    assert Registration.objects.get(member=waiting).status == Status.GOING
    assert list(event.signup_options.values_list("label", "capacity", "position")) == [
        ("Driver", 2, 0),
        ("Rider", 4, 1),
    ]


def test_an_edit_never_drops_members_of_an_option():
    event = gated_event(options=(OptionSpec("Driver", 2), OptionSpec("Rider")))
    driver = option(event, "Driver")
    for n in range(2):
        respond(event.id, MemberFactory().id, Status.GOING, sequence=n, now=NOW, option_id=driver.id)
    with pytest.raises(RuleError, match=r"^2 members have signed up as Driver: keep that option, or remove"):
        edit_event(event.id, now=NOW, signup_options=parse_options("Rider"))
    with pytest.raises(RuleError, match=r"^2 members are going as Driver; its capacity cannot be lower than that\.$"):
        edit_event(event.id, now=NOW, signup_options=parse_options("Driver 1, Rider"))
    assert options_text(OptionSpec(o.label, o.capacity) for o in event.signup_options.all()) == "Driver 2, Rider"


def test_the_roster_shows_members_by_option():
    event = gated_event(options=(OptionSpec("Driver", 1), OptionSpec("Rider", 16)))
    driver, rider = option(event, "Driver"), option(event, "Rider")
    members = MemberFactory.create_batch(3)
    respond(event.id, members[0].id, Status.GOING, sequence=1, now=NOW, option_id=rider.id)
    respond(event.id, members[1].id, Status.GOING, sequence=2, now=NOW, option_id=driver.id)
    respond(event.id, members[2].id, Status.GOING, sequence=3, now=NOW, option_id=driver.id)
    shown = [(o.label, o.capacity, o.going, o.names, o.waitlisted) for o in event.roster().options]
    assert shown == [("Driver", 1, 1, [members[1].id], 1), ("Rider", 16, 1, [members[0].id], 0)]


def test_the_rosters_and_the_going_question_follow_the_options_order_not_their_age():
    # Counting groups the rows, and Django leaves Meta.ordering out of a grouped query.
    event = gated_event(options=(OptionSpec("Rider", 4), OptionSpec("Driver", 1)))
    edit_event(event.id, now=NOW, signup_options=parse_options("Driver 1, Rider 4"))
    assert list(event.signup_options.values_list("label", flat=True)) == ["Driver", "Rider"]

    assert [(o.label, o.capacity) for o in event.option_rosters()] == [("Driver", 1), ("Rider", 4)]
    question = option_picker(event, now=NOW)
    labels = [b["label"] for b in question["components"][0]["components"]]
    assert labels == ["Driver (0/1)", "Rider (0/4)"]


# --- series ---------------------------------------------------------------------------------


def test_a_series_carries_its_roles_and_options_to_each_occurrence():
    plan = SeriesPlan(
        parse_rule("weekly count 3"), gates=Signup(allowed_role_ids=(MEMBERS,), options=parse_options("Driver 4"))
    )
    made = create_series(GuildFactory(), EventDraft(title="Ride", starts_at=NOW + timedelta(days=1)), plan, now=NOW)
    occurrences = list(made.occurrences.order_by("starts_at"))
    assert len(occurrences) == 3
    for event in occurrences:
        assert event.allowed_role_ids == [MEMBERS]
        assert list(event.signup_options.values_list("label", "capacity")) == [("Driver", 4)]
    with pytest.raises(RuleError, match=r"^This series has signup options: click Going on each occurrence"):
        join_series(made.id, MemberFactory().id, sequence=1, now=NOW, role_ids=(MEMBERS,))


def test_joining_a_gated_series_needs_the_role_and_an_edit_of_all_carries_new_roles():
    plan = SeriesPlan(parse_rule("weekly count 2"), gates=Signup(allowed_role_ids=(MEMBERS,)))
    made = create_series(GuildFactory(), EventDraft(title="Run", starts_at=NOW + timedelta(days=1)), plan, now=NOW)
    with pytest.raises(RuleError, match=rf"^Only members with the <@&{MEMBERS}> role"):
        join_series(made.id, MemberFactory().id, sequence=1, now=NOW, role_ids=(GUESTS,))
    assert join_series(made.id, MemberFactory().id, sequence=2, now=NOW, role_ids=(MEMBERS,)).going == 2
    first = made.occurrences.order_by("starts_at").first()
    edit_occurrence(first.id, "all", now=NOW, allowed_role_ids=[GUESTS])
    made.refresh_from_db()
    assert made.allowed_role_ids == [GUESTS]
    assert sorted(e.allowed_role_ids for e in made.occurrences.all()) == [[GUESTS], [GUESTS]]


# --- templates ------------------------------------------------------------------------------


def test_a_template_keeps_the_roles_and_options_of_its_event():
    event = gated_event(allowed_role_ids=(MEMBERS,), options=parse_options("Driver 4, Rider 16"))
    saved = templates.save_template(event, "Weekly ride").template
    made = templates.use_template(event.guild, saved, NOW + timedelta(days=10), now=NOW)
    assert made.allowed_role_ids == [MEMBERS]
    assert list(made.signup_options.values_list("label", "capacity")) == [("Driver", 4), ("Rider", 16)]
