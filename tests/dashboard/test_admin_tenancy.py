"""The tenancy walk: every admin URL of every registered model, as each member of the cast.

oscar (outsider) and alice (member) are not staff: the admin sends them to its login page.
olivia organises Muster HQ and otto organises Elsewhere: each sees their own guild's rows,
gets 404 for the other guild's, 403 for models no guild scopes (operators' only), and may
change only what the admin lets organisers change. Everyone logs in through the real
Discord flow (the sandbox), so the rights are those a login gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core.models import CommandLog, DeliveryPause, Guild, GuildMember, Heartbeat, HeldNudge, OutboundMessage
from events.models import Event
from polls.models import Poll
from tests.events.factories import EventFactory, RegistrationFactory, ReminderFactory
from tests.polls.factories import PollFactory

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db

# What organisers may do with each model the guild mixin scopes; every other model is 403.
LOOK = {"core.guild", "core.member", "core.guildmember", "core.commandlog", "core.outboundmessage", "core.heldnudge"}
LOOK |= {"events.event", "polls.poll", "admin.logentry"}
LOOK |= {"carpool.area", "carpool.ride", "carpool.riderequest", "carpool.room", "carpool.nudge"}
LOOK |= {"jira_sync.jirasite", "sheets_export.exporttarget", "sheets_export.exportrun"}
LOOK |= {"community.customcommand", "community.guildcommandsync", "community.scheduledmessage", "api.apitoken"}
LOOK |= {"community.roster", "community.rosterentry"}
LOOK |= {"desk.task", "desk.desksettings"}
LOOK |= {"standups.standup", "standups.checkin"}
LOOK |= {"timeline.item", "timeline.shift"}
LOOK |= {"leave.leavesettings", "leave.leavetype", "leave.holiday", "leave.leaverequest"}
LOOK |= {"results.season", "results.resultsheet", "results.checkin", "results.checkinwindow"}
LOOK |= {"teams.team", "teams.teamspaces", "teams.preference"}
# What organisers set up themselves; rides and rooms follow Discord, runs and syncs the workers.
OWN_SETUP = {"carpool.area", "carpool.nudge", "jira_sync.jirasite", "sheets_export.exporttarget"}
OWN_SETUP |= {"community.customcommand", "community.scheduledmessage", "api.apitoken", "desk.desksettings"}
# Leave: settings are made on first use and kept; a type is made inactive, not deleted.
ADD = {"events.event", "polls.poll", "leave.leavetype", "leave.holiday"} | OWN_SETUP
DELETE = {"events.event", "polls.poll", "leave.holiday", "standups.standup"} | OWN_SETUP
# Results: seasons are named by organisers (sheets and check-ins follow Discord and the dashboard).
ADD |= {"results.season"}
DELETE |= {"results.season"}


@dataclass
class Rows:
    """One object per model in each guild: ``hq[label]`` and ``elsewhere[label]``."""

    hq: dict
    elsewhere: dict


def operators_rows() -> None:
    """A row of each model only operators see, so that every page of it exists."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialApp
    from django.contrib.auth.models import Group

    Group.objects.create(name="operators")
    Heartbeat.objects.create(name="beat", seen_at="2026-01-01T00:00Z")
    DeliveryPause.objects.create(scope="all", reason="401", retry_at="2026-01-01T00:00Z")
    SocialApp.objects.create(provider="google", name="Google", client_id="1", secret="s")
    EmailAddress.objects.create(user=_superuser(), email="ops@example.org")


def rows_of(world) -> Rows:
    operators_rows()
    hq, elsewhere = world.cast.guild, world.cast.outsider.guild
    made = {}
    for name, guild, member in (("hq", hq, world.cast.member), ("elsewhere", elsewhere, world.cast.outsider)):
        event = EventFactory(guild=guild, title=f"Picnic of {name}")
        RegistrationFactory(event=event, member=member.member)
        ReminderFactory(event=event)
        poll = PollFactory(guild=guild, question=f"Lunch in {name}?")
        log = CommandLog.objects.create(interaction_id=guild.id + 1, guild=guild, kind="command", command="event list")
        outbound = OutboundMessage.objects.create(
            idempotency_key=f"walk:{name}", guild=guild, channel_id=guild.id + 2, payload={"content": "x"}
        )
        held = HeldNudge.objects.create(
            guild=guild, member=member.member, kind="event_nudge", key=f"walk:{name}", text=f"Picnic of {name} asked"
        )
        entry = LogEntry.objects.log_actions(
            user_id=_superuser().pk, queryset=[event], action_flag=CHANGE, change_message="walk", single_object=True
        )
        made[name] = {
            **other_apps_rows(name, guild, member, event),
            "core.guild": guild,
            "core.member": member.member,
            "core.guildmember": member,
            "core.commandlog": log,
            "core.outboundmessage": outbound,
            "core.heldnudge": held,
            "events.event": event,
            "polls.poll": poll,
            "admin.logentry": entry,
        }
    return Rows(made["hq"], made["elsewhere"])


def other_apps_rows(name: str, guild, member, event) -> dict:
    """One row per guild of every model carpool, jira_sync, sheets_export, community, api, desk, leave and
    standups register."""
    from api import tokens
    from carpool.models import Area, BedClaim, Nudge, Ride, RideRequest, Room, Seat
    from community.models import CustomCommand, GuildCommandSync, Occurrence, Roster, RosterEntry, ScheduledMessage
    from desk.models import DeskSettings, Task, TaskComment
    from jira_sync.models import JiraLink, JiraSite
    from leave import services as leave_services
    from leave.models import Holiday, LeaveRequest, LeaveSettings, LeaveType
    from sheets_export.models import ExportRun, ExportTarget
    from standups.models import Checkin, Standup
    from teams.models import Preference, Team, TeamMember, TeamSpaces
    from timeline.models import Item, Shift

    person, leaves = member.member, event.starts_at - timedelta(hours=1)
    ride = Ride.objects.create(event=event, driver=person, direction="to", seats=3, area="North", departs_at=leaves)
    request = RideRequest.objects.create(event=event, member=person, direction="to", area="North", sequence=1)
    Seat.objects.create(ride=ride, request=request, member=person, event=event, direction="to")
    night = event.starts_at.date()
    room = Room.objects.create(
        event=event, host=person, place=f"Flat in {name}", beds=2, first_night=night, last_night=night
    )
    BedClaim.objects.create(room=room, member=person, event=event, night=night)
    site = JiraSite.objects.create(
        guild=guild, name=f"Jira of {name}", base_url=f"https://{name}.atlassian.net", token_env=f"JIRA_{name.upper()}"
    )
    JiraLink.objects.create(site=site, member=person, account_id=f"acc-{name}", display_name=f"Jira {name}")
    target = ExportTarget.objects.create(guild=guild, spreadsheet_id=f"sheet-of-{name}", datasets=["events"])
    schedule = ScheduledMessage.objects.create(
        guild=guild, channel_id=guild.id + 3, content="Hello", timezone="UTC", starts_at=event.starts_at
    )
    Occurrence.objects.create(schedule=schedule, occurs_at=event.starts_at, outcome="sent")
    ask = tokens.TokenRequest(guild=guild, name=f"script of {name}", scopes=("read",), lifetime=timedelta(days=30))
    token, _ = tokens.create_token(ask, now=event.starts_at - timedelta(days=1))
    standup = Standup.objects.create(guild=guild, name=f"Team {name}", channel_id=guild.id + 4, role_id=guild.id)
    day = event.starts_at.date()
    checkin = Checkin.objects.create(
        standup=standup, member=person, local_date=day, due_at=event.starts_at, closes_at=event.starts_at
    )
    task = Task.objects.create(guild=guild, title=f"Task of {name}", assignee=person)
    TaskComment.objects.create(task=task, author=person, text="On it")
    leave_services.setup(guild.id)
    vacation = LeaveType.objects.get(guild=guild, name="Vacation")
    leave = LeaveRequest.objects.create(
        guild=guild, member=person, leave_type=vacation, start=night, end=night, days=1, status="approved"
    )
    team = Team.objects.create(event=event, guild=guild, name=f"Team of {name}")
    TeamMember.objects.create(team=team, event=event, member=person)
    return {
        "teams.team": team,
        "teams.teamspaces": TeamSpaces.objects.create(event=event, guild=guild),
        "teams.preference": Preference.objects.create(guild=guild, member=person, skill=5),
        "timeline.item": Item.objects.create(
            event=event, guild=guild, title=f"Stint of {name}", due_at=event.starts_at
        ),
        "timeline.shift": Shift.objects.create(event=event, guild=guild, minutes=15, at=event.starts_at),
        "standups.standup": standup,
        "standups.checkin": checkin,
        "leave.leavesettings": LeaveSettings.objects.get(guild=guild),
        "leave.leavetype": vacation,
        "leave.holiday": Holiday.objects.create(guild=guild, date=night, name=f"Holiday of {name}"),
        "leave.leaverequest": leave,
        "carpool.area": Area.objects.create(guild=guild, name=f"Area of {name}"),
        "carpool.ride": ride,
        "carpool.riderequest": request,
        "carpool.room": room,
        "carpool.nudge": Nudge.objects.create(event=event, due_at=event.starts_at - timedelta(days=1)),
        "jira_sync.jirasite": site,
        "sheets_export.exporttarget": target,
        "sheets_export.exportrun": ExportRun.objects.create(target=target, trigger="beat", status="written"),
        "community.customcommand": CustomCommand.objects.create(guild=guild, name=f"rules-{name}", content="Be kind"),
        "community.guildcommandsync": GuildCommandSync.objects.create(guild=guild),
        "community.scheduledmessage": schedule,
        "community.roster": Roster.objects.create(guild=guild, source=f"club of {name}.csv"),
        "community.rosterentry": RosterEntry.objects.create(guild=guild, line=2, username=f"{name}-driver"),
        "api.apitoken": token,
        "desk.task": task,
        "desk.desksettings": DeskSettings.objects.create(guild=guild),
        **results_rows(name, guild, member, event),
    }


def results_rows(name: str, guild, member, event) -> dict:
    """One season, result sheet (with an entry), check-in window and check-in per guild."""
    from results.models import CheckIn, CheckInWindow, ResultEntry, ResultSheet, Season

    season = Season.objects.create(guild=guild, name=f"Season of {name}")
    sheet = ResultSheet.objects.create(event=event, guild=guild, season=season, channel_id=guild.id + 5)
    ResultEntry.objects.create(sheet=sheet, position=1, member=member.member, name=member.member.username, points=3)
    return {
        "results.season": season,
        "results.resultsheet": sheet,
        "results.checkinwindow": CheckInWindow.objects.create(event=event, guild=guild),
        "results.checkin": CheckIn.objects.create(event=event, guild=guild, member=member.member),
    }


def _superuser():
    from tests.factories import SuperuserFactory

    return SuperuserFactory()


def any_pk(model) -> str:
    first = model._default_manager.order_by("pk").first()
    return str(first.pk) if first else "1"


def urls_of(model, obj) -> dict[str, str]:
    info = model._meta.app_label, model._meta.model_name
    pk = str(obj.pk) if obj is not None else any_pk(model)
    return {
        "changelist": reverse("admin:{}_{}_changelist".format(*info)),
        "add": reverse("admin:{}_{}_add".format(*info)),
        "change": reverse("admin:{}_{}_change".format(*info), args=[pk]),
        "delete": reverse("admin:{}_{}_delete".format(*info), args=[pk]),
        "history": reverse("admin:{}_{}_history".format(*info), args=[pk]),
    }


def expected_for_organiser(label: str, page: str, own: bool) -> int:
    if label not in LOOK:
        return 403
    if page == "changelist":
        return 200
    if page == "add":
        return 200 if label in ADD else 403
    if not own:
        return 404
    if page == "delete":
        return 200 if label in DELETE else 403
    return 200


def walk(client, rows: Rows, *, own: str | None) -> tuple[dict, dict]:
    """(seen, expected) status per "label page guild" for every registered model."""
    seen, expected = {}, {}
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label_lower):
        label = model._meta.label_lower
        for guild_name in ("hq", "elsewhere"):
            obj = getattr(rows, guild_name).get(label)
            for page, url in urls_of(model, obj).items():
                if page in ("changelist", "add") and guild_name == "elsewhere":
                    continue
                key = f"{label} {page}" + ("" if page in ("changelist", "add") else f" {guild_name}")
                response = client.get(url)
                seen[key] = response.status_code
                if own is None:
                    expected[key] = 302
                    assert response["Location"].startswith("/admin/login/?next=")
                else:
                    expected[key] = expected_for_organiser(label, page, own=guild_name == own)
    return seen, expected


@pytest.mark.parametrize("who", ["oscar", "alice"])
def test_outsiders_and_members_are_sent_to_the_admin_login_everywhere(world, who):
    rows = rows_of(world)
    client = log_in(world, who)
    seen, expected = walk(client, rows, own=None)
    assert seen == expected
    assert len(seen) == len(admin.site._registry) * 8


@pytest.mark.parametrize(("who", "own"), [("olivia", "hq"), ("otto", "elsewhere")])
def test_each_organiser_sees_their_guild_gets_404_for_the_other_and_403_for_operators_models(world, who, own):
    rows = rows_of(world)
    client = log_in(world, who)
    seen, expected = walk(client, rows, own=own)
    assert seen == expected
    assert len(seen) == len(admin.site._registry) * 8


def test_changelists_list_only_the_organisers_guild(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    for label in sorted(LOOK):
        model = rows.hq[label]._meta.model
        listed = client.get(urls_of(model, None)["changelist"]).context["cl"].result_list
        hq_guild = {r.pk for r in listed} & {rows.hq[label].pk} == {rows.hq[label].pk}
        assert hq_guild, label
        assert rows.elsewhere[label].pk not in {r.pk for r in listed}, label
    assert client.get(reverse("admin:events_event_roster", args=[rows.elsewhere["events.event"].pk])).status_code == 404
    assert client.get(reverse("admin:events_event_roster", args=[rows.hq["events.event"].pk])).status_code == 200


def test_choices_filters_and_actions_are_scoped_too(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    add = client.get(reverse("admin:events_event_add"))
    guild_choices = [value for value, _ in add.context["adminform"].form.fields["guild"].choices if value]
    assert [str(v) for v in guild_choices] == [str(world.cast.guild.pk)]
    # The guild filter lists only her guild; no other guild's name appears on the page.
    listing = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "Elsewhere" not in listing and "Muster HQ" in listing

    # Actions run on the selected rows in her scope only.
    theirs, ours = rows.elsewhere["events.event"], rows.hq["events.event"]
    csrf_post(
        client,
        reverse("admin:events_event_changelist"),
        {"action": "cancel_events", "_selected_action": [theirs.pk, ours.pk]},
    )
    statuses = dict(Event.objects.filter(pk__in=[theirs.pk, ours.pk]).values_list("pk", "status"))
    assert statuses == {theirs.pk: Event.Status.SCHEDULED, ours.pk: Event.Status.CANCELLED}
    closed = csrf_post(
        client,
        reverse("admin:polls_poll_changelist"),
        {"action": "close_polls", "_selected_action": [rows.elsewhere["polls.poll"].pk]},
    )
    assert closed.status_code == 302
    assert Poll.objects.get(pk=rows.elsewhere["polls.poll"].pk).status == Poll.Status.OPEN
    # Read-only for organisers: no actions on the outbox, no "send again".
    outbox = client.get(reverse("admin:core_outboundmessage_changelist"))
    assert "send_again" not in outbox.content.decode()
    # The log of organiser actions shows entries about her guild only.
    log = client.get(reverse("admin:admin_logentry_changelist")).context["cl"].result_list
    assert sorted((entry.user.username, entry.object_id, entry.change_message) for entry in log) == [
        ("admin", str(ours.pk), "walk"),
        ("olivia", str(ours.pk), "Ran the action “Cancel the selected events (registrants are told)”."),
    ]


def test_a_posted_guild_id_from_another_guild_is_a_form_error(world):
    client = log_in(world, "olivia")
    response = csrf_post(
        client,
        reverse("admin:polls_poll_add"),
        {
            "guild": world.cast.outsider.guild.pk,
            "question": "Sneaky?",
            "channel_id": 1,
            "options-TOTAL_FORMS": "2",
            "options-INITIAL_FORMS": "0",
            "options-0-position": "1",
            "options-0-label": "a",
            "options-1-position": "2",
            "options-1-label": "b",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "guild": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert not Poll.objects.filter(question="Sneaky?").exists()


def test_guild_and_membership_fields_organisers_may_not_touch(world):
    client = log_in(world, "olivia")
    page = client.get(reverse("admin:core_guild_change", args=[world.cast.guild.pk]))
    assert {"id", "active", "joined_at"} <= set(page.context["adminform"].readonly_fields)
    heartbeat = Heartbeat.objects.create(name="walk", seen_at="2026-01-01T00:00Z")
    assert client.get(reverse("admin:core_heartbeat_change", args=[heartbeat.pk])).status_code == 403
    assert GuildMember.objects.filter(guild=world.cast.guild).count() == 2
    assert Guild.objects.count() == 2
    assert ContentType.objects.get_for_model(Event)  # the log links entries by content type


def test_an_organisers_bad_input_is_a_form_error_never_a_500(world):
    client = log_in(world, "olivia")
    bad_event = {
        "guild": world.cast.guild.pk,
        "title": "Picnic",
        "starts_at_0": "2020-01-01",
        "starts_at_1": "10:00:00",
        "capacity": "5",
        "reminders-TOTAL_FORMS": "0",
        "reminders-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }
    response = csrf_post(client, reverse("admin:events_event_add"), bad_event)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"__all__": ["The start is in the past."]}
    guild = world.cast.guild
    bad_zone = {
        "name": guild.name,
        "timezone": "Mars/Olympus",
        "date_order": guild.date_order,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = csrf_post(client, reverse("admin:core_guild_change", args=[guild.pk]), bad_zone)
    assert response.status_code == 200
    assert "Mars/Olympus is not a time zone name" in response.content.decode()
    assert not Event.objects.filter(title="Picnic").exists()
