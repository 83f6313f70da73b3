"""The dataset registry in core, the datasets events and polls offer, and how values become cells."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import datasets
from core.datasets import Column, Dataset, DatasetConflict, Row, Selection
from events.models import Registration, SignupOption
from polls.models import Vote
from sheets_export.cells import DATETIME_FORMAT, cell, digest, row_cells, serial
from tests.events.factories import NOW, EventFactory, RegistrationFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_it_finds_every_domains_datasets_by_autodiscovery():
    assert datasets.choices() == [
        ("events", "Events"),
        ("registrations", "Registrations"),
        ("poll_results", "Poll results"),
        ("rides", "Rides"),
        ("rooms", "Rooms"),
        ("tasks", "Tasks"),
        ("results", "Results"),
        ("standings", "Standings"),
    ]


def test_it_refuses_a_second_dataset_with_the_same_tab_title():
    clash = Dataset("clash", "Events", (Column("X"),), rows=lambda s: [], fingerprint=lambda s: "")
    with pytest.raises(DatasetConflict, match=r"^datasets 'events' and 'clash' share the tab title 'Events'$"):
        datasets.register(clash)


def test_it_refuses_a_column_of_an_unknown_kind():
    with pytest.raises(ValueError, match=r"^column 'Paid': kind 'money' is not one of text, integer, datetime$"):
        Column("Paid", "money")


def test_it_exports_events_with_their_counts_and_cancelled_ones_marked(cast):
    picnic = EventFactory(guild=cast.guild, title="Picnic", capacity=2, location="Park")
    gala = EventFactory(guild=cast.guild, title="Gala", starts_at=NOW + timedelta(days=9), status="cancelled")
    RegistrationFactory(event=picnic, member=cast.member.member)
    RegistrationFactory(event=picnic, member=cast.organiser.member, status=Registration.Status.WAITLISTED)
    EventFactory(title="Elsewhere")  # another guild

    rows = list(datasets.get("events").rows(Selection(cast.guild)))

    assert [(row.muster_id, row.status) for row in rows] == [
        (f"event-{picnic.id}", ""),
        (f"event-{gala.id}", "cancelled"),
    ]
    assert rows[0].values == {
        "Event ID": picnic.id,
        "Title": "Picnic",
        "Starts": NOW + timedelta(days=7),
        "Ends": None,
        "Location": "Park",
        "Capacity": 2,
        "Going": 1,
        "Waitlisted": 1,
        "Maybe": 0,
    }


def test_it_selects_chosen_events_or_those_from_a_day_on(cast):
    early = EventFactory(guild=cast.guild, starts_at=NOW + timedelta(days=1))
    late = EventFactory(guild=cast.guild, starts_at=NOW + timedelta(days=5))
    assert list(Selection(cast.guild, event_ids=(early.id,)).events()) == [early]
    assert list(Selection(cast.guild, since=NOW + timedelta(days=2)).events()) == [late]


def test_it_exports_registrations_under_the_members_nickname_with_the_discord_id_as_text(cast):
    cast.member.nickname = "=IMPORTXML(A1)"
    cast.member.save()
    picnic = EventFactory(guild=cast.guild, title="Picnic")
    registration = RegistrationFactory(event=picnic, member=cast.member.member, status=Registration.Status.MAYBE)

    [row] = datasets.get("registrations").rows(Selection(cast.guild))

    assert row == Row(
        f"registration-{registration.id}",
        {
            "Event ID": picnic.id,
            "Event": "Picnic",
            "Member": "=IMPORTXML(A1)",
            "Discord ID": str(cast.member.member_id),
            "Response": "Maybe",
            "Responded": NOW,
            "Option": "",
        },
    )


def test_registrations_name_the_signup_option_going_as(cast):
    picnic = EventFactory(guild=cast.guild, title="Picnic")
    driver = SignupOption.objects.create(event=picnic, label="Driver", capacity=4)
    RegistrationFactory(event=picnic, member=cast.member.member, status=Registration.Status.GOING, option=driver)
    RegistrationFactory(event=picnic, status=Registration.Status.MAYBE)

    rows = datasets.get("registrations").rows(Selection(cast.guild))

    assert [(row.values["Response"], row.values["Option"]) for row in rows] == [("Going", "Driver"), ("Maybe", "")]
    assert "Option" in datasets.get("registrations").column_names()


def test_the_registrations_fingerprint_names_its_columns_version(cast):
    """A spreadsheet exported before the Option column existed is exported again once."""
    RegistrationFactory(event=EventFactory(guild=cast.guild))

    mark = datasets.get("registrations").fingerprint(Selection(cast.guild))

    assert mark.startswith("option/")


def test_it_exports_counts_only_for_an_anonymous_poll_and_names_for_an_open_one(cast):
    secret = PollFactory(guild=cast.guild, question="Secret?", anonymous=True, labels=("Yes", "No"))
    open_poll = PollFactory(guild=cast.guild, question="Open?", labels=("Yes", "No"))
    Vote.objects.create(poll=secret, option=secret.options.get(position=1), voter="hash1", single_choice=True)
    Vote.objects.create(
        poll=open_poll, option=open_poll.options.get(position=2), voter=str(cast.member.member_id), single_choice=True
    )

    rows = {row.muster_id: row.values for row in datasets.get("poll_results").rows(Selection(cast.guild))}

    assert {key: (v["Votes"], v["Voters"], v["Anonymous"]) for key, v in rows.items()} == {
        f"poll-{secret.id}-option-1": (1, "", "yes"),
        f"poll-{secret.id}-option-2": (0, "", "yes"),
        f"poll-{open_poll.id}-option-1": (0, "", "no"),
        f"poll-{open_poll.id}-option-2": (1, "Alice", "no"),
    }


def test_a_fingerprint_changes_with_a_response_and_not_without(cast):
    picnic = EventFactory(guild=cast.guild)
    registration = RegistrationFactory(event=picnic, member=cast.member.member)
    events = datasets.get("registrations")
    before = events.fingerprint(Selection(cast.guild))
    assert events.fingerprint(Selection(cast.guild)) == before
    Registration.objects.filter(id=registration.id).update(status="declined", responded_at=NOW + timedelta(minutes=1))
    assert events.fingerprint(Selection(cast.guild)) != before


def test_a_moved_anonymous_vote_changes_the_poll_fingerprint(cast):
    poll = PollFactory(guild=cast.guild, anonymous=True)
    vote = Vote.objects.create(poll=poll, option=poll.options.get(position=1), voter="h", single_choice=True)
    results = datasets.get("poll_results")
    before = results.fingerprint(Selection(cast.guild))
    vote.delete()
    Vote.objects.create(poll=poll, option=poll.options.get(position=2), voter="h", single_choice=True)
    assert results.fingerprint(Selection(cast.guild)) != before


def test_times_are_serial_date_times_in_the_guilds_zone():
    # 2026-06-07 16:00 UTC is 18:00 in Paris (summer time): day 46180 and three quarters.
    assert serial(NOW, PARIS) == 46180.75
    assert serial(datetime(2026, 1, 5, 12, 0, tzinfo=UTC), PARIS) == 46027 + 13 / 24
    assert cell("datetime", NOW, PARIS) == {
        "userEnteredValue": {"numberValue": 46180.75},
        "userEnteredFormat": {"numberFormat": DATETIME_FORMAT},
    }


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match=r"^a naive datetime has no place in a sheet: give it a time zone$"):
        serial(datetime(2026, 1, 5, 12, 0), PARIS)


def test_text_that_looks_like_a_formula_stays_text_and_numbers_are_numbers():
    columns = (Column("Member"), Column("Going", "integer"), Column("Ends", "datetime"))
    cells = row_cells(columns, {"Member": '=IMPORTXML("http://x", "//a")', "Going": 3}, PARIS)
    assert cells == [
        {"userEnteredValue": {"stringValue": '=IMPORTXML("http://x", "//a")'}},
        {"userEnteredValue": {"numberValue": 3}},
        {},
    ]


def test_a_digest_changes_with_any_cell():
    cells = [{"userEnteredValue": {"stringValue": "a"}}]
    assert digest(cells) == digest([{"userEnteredValue": {"stringValue": "a"}}])
    assert digest(cells) != digest([{"userEnteredValue": {"stringValue": "b"}}])
    assert len(digest(cells)) == 32
