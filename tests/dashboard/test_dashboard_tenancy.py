"""Every URL of the dashboard, walked as each member of the cast: only organisers of a guild see it.

The walk reads ``dashboard.urls`` itself, so a page added there is walked as soon as it is
routed. A URL argument needs a sample below (``SAMPLES``: the cast's guild's object and
another guild's); a URL with an argument that has none fails the walk, so nobody can
add a page the walk skips.

- anonymous: the login page, never the page;
- oscar (only in Elsewhere), alice (a member of Muster HQ) and otto (who organises
  Elsewhere): 404 for every Muster HQ URL, GET and POST;
- olivia (organises Muster HQ): her guild's pages answer (GET 200, or 405 for an action
  that only takes POST; a POST anything but 404 or 5xx), and Elsewhere's ids, alone or
  inside her guild's URLs, are 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from api.tokens import TokenRequest, create_token
from carpool.models import Area
from community.schedules import ScheduleDraft, create_schedule
from community.services import CommandDraft, create_command
from desk.models import Task
from events.templates import save_template
from jira_sync.models import JiraSite
from sheets_export.models import ExportTarget
from standups.models import Standup
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import GuildMemberFactory
from tests.polls.factories import PollFactory
from timeline.models import Item

from .conftest import log_in

pytestmark = pytest.mark.django_db

# URL argument -> how to get the sample object's id from one guild's rows (see `rows_of`).
SAMPLES = {
    "guild_id": lambda rows: rows["guild"].id,
    "event_id": lambda rows: rows["event"].id,
    "poll_id": lambda rows: rows["poll"].id,
    "membership_id": lambda rows: rows["membership"].id,
    "area_id": lambda rows: rows["area"].id,
    "command_id": lambda rows: rows["command"].id,
    "schedule_id": lambda rows: rows["schedule"].id,
    "token_id": lambda rows: rows["token"].id,
    "site_id": lambda rows: rows["site"].id,
    "target_id": lambda rows: rows["target"].id,
    "template_id": lambda rows: rows["template"].id,
    "standup_id": lambda rows: rows["standup"].id,
    "member_id": lambda rows: rows["membership"].member_id,
    "task_id": lambda rows: rows["task"].id,
    "type_id": lambda rows: rows["leave_type"].id,
    "holiday_id": lambda rows: rows["holiday"].id,
    "request_id": lambda rows: rows["leave_request"].id,
    "season_id": lambda rows: rows["season"].id,
    "item_id": lambda rows: rows["timeline_item"].id,
}
# Pages not about one guild: every logged-in user sees their own.
PERSONAL = {"guilds", "me"}


@dataclass(frozen=True)
class Route:
    name: str
    arguments: tuple[str, ...]


def dashboard_routes(patterns=None, prefix="") -> list[Route]:
    """Every named pattern of ``dashboard.urls`` (and of anything it includes)."""
    from dashboard import urls

    found = []
    for pattern in urls.urlpatterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += dashboard_routes(pattern.url_patterns, prefix + str(pattern.pattern))
            continue
        assert isinstance(pattern, URLPattern)
        assert pattern.name, f"dashboard URL {prefix}{pattern.pattern} has no name: the walk reverses names"
        found.append(Route(pattern.name, tuple(pattern.pattern.converters)))
    return found


def rows_of(guild) -> dict:
    """One of each object a dashboard URL names, in ``guild``."""
    # Needing rides and rooms, so the walk renders the Logistics page's board too.
    event = EventFactory(guild=guild, starts_at=timezone.now() + timedelta(days=5), needs_rides=True, needs_rooms=True)
    RegistrationFactory(event=event)
    now = timezone.now()
    return {
        "guild": guild,
        "event": event,
        "poll": PollFactory(guild=guild),
        "membership": GuildMemberFactory(guild=guild),
        "area": Area.objects.create(guild=guild, name=f"North of {guild.id}"),
        "command": create_command(guild, CommandDraft(name="rules", description="d", content="Hi"), now=now),
        "schedule": create_schedule(
            guild,
            ScheduleDraft(
                channel_id=event.channel_id, starts_at=(now + timedelta(days=2)).replace(microsecond=0), content="Hi"
            ),
            now=now,
        ),
        "token": create_token(TokenRequest(guild, "walk", ("read",), timedelta(days=5)), now=now)[0],
        "site": JiraSite.objects.create(
            guild=guild, name="Walk Jira", base_url=f"https://jira-{guild.id}.example", token_env="JIRA_WALK"
        ),
        "target": ExportTarget.objects.create(
            guild=guild, spreadsheet_id=f"walk-sheet-{guild.id}", datasets=["events"]
        ),
        "template": save_template(event, f"Walk {guild.id}").template,
        "standup": Standup.objects.create(guild=guild, name="Walk", channel_id=event.channel_id or 1, role_id=1),
        "task": Task.objects.create(guild=guild, title=f"Walk task of {guild.id}"),
        **leave_rows(guild),
        **results_rows(guild),
        "timeline_item": Item.objects.create(event=event, guild=guild, title="Walk stint", due_at=event.starts_at),
    }


def results_rows(guild) -> dict:
    """A season of ``guild`` with the results of a past event in it (the archive's and standings' URLs)."""
    from results.models import ResultEntry, ResultSheet, Season

    season = Season.objects.create(guild=guild, name=f"Walk season of {guild.id}", tie_breaks=["wins"])
    past = EventFactory(guild=guild, starts_at=timezone.now() - timedelta(days=3))
    sheet = ResultSheet.objects.create(event=past, guild=guild, season=season, channel_id=past.channel_id)
    ResultEntry.objects.create(sheet=sheet, position=1, name="Walkers", points=3)
    return {"season": season}


def leave_rows(guild) -> dict:
    """A leave type, a holiday and a pending request of ``guild`` (leave's URLs)."""
    from datetime import date

    from leave import services
    from leave.models import Holiday, LeaveRequest, LeaveType

    services.setup(guild.id)
    vacation = LeaveType.objects.get(guild=guild, name="Vacation")
    member = GuildMemberFactory(guild=guild).member
    day = date(2099, 6, 1)
    return {
        "leave_type": vacation,
        "holiday": Holiday.objects.create(guild=guild, date=day, name="Walk day"),
        "leave_request": LeaveRequest.objects.create(
            guild=guild, member=member, leave_type=vacation, start=day, end=day, days=1
        ),
    }


def url(route: Route, rows: dict, objects: dict | None = None) -> str:
    """The route's URL with ``rows``' guild and ``objects``' (default: the same rows') ids."""
    missing = [name for name in route.arguments if name not in SAMPLES]
    assert not missing, f"dashboard:{route.name} takes {missing}: add a sample to SAMPLES in this file"
    objects = objects or rows
    kwargs = {name: SAMPLES[name](rows if name == "guild_id" else objects) for name in route.arguments}
    return reverse(f"dashboard:{route.name}", kwargs=kwargs)


@pytest.fixture
def cast_rows(world):
    return rows_of(world.cast.guild), rows_of(world.cast.outsider.guild)


def post(client, path: str):
    return client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_every_route_has_a_sample_for_each_argument_and_the_walk_sees_the_guild_pages():
    names = {route.name for route in dashboard_routes()}
    assert {"guilds", "me", "guild", "events", "event", "polls", "poll", "log"} <= names
    for route in dashboard_routes():
        assert set(route.arguments) <= set(SAMPLES), route
        assert route.name in PERSONAL or "guild_id" in route.arguments, f"{route.name} is not about a guild"


def test_anonymous_visitors_are_sent_to_log_in(world, cast_rows):
    from django.test import Client

    hq, _elsewhere = cast_rows
    client = Client()
    for route in dashboard_routes():
        for method in (client.get, client.post):
            response = method(url(route, hq))
            assert response.status_code == 302, (route, method)
            assert response["Location"].startswith("/accounts/discord/login/?next="), route


@pytest.mark.parametrize("username", ["oscar", "alice", "otto"])
def test_anyone_but_its_organisers_gets_404_on_every_guild_url(world, cast_rows, username):
    hq, _elsewhere = cast_rows
    client = log_in(world, username)
    for route in dashboard_routes():
        path = url(route, hq)
        if route.name in PERSONAL:
            assert client.get(path).status_code == 200, path
            continue
        assert client.get(path).status_code == 404, (username, path)
        assert post(client, path).status_code == 404, (username, "POST", path)


def test_the_organiser_sees_her_guild_and_404_for_another_guilds_ids(world, cast_rows):
    hq, elsewhere = cast_rows
    client = log_in(world, "olivia")
    for route in dashboard_routes():
        path = url(route, hq)
        assert client.get(path).status_code in (200, 405), path
        if route.name in PERSONAL:
            continue
        theirs, mixed = url(route, elsewhere), url(route, hq, elsewhere)
        for other in {theirs, mixed} - {path}:  # mixed: her guild, their object
            assert client.get(other).status_code == 404, other
            assert post(client, other).status_code == 404, ("POST", other)
    for route in dashboard_routes():  # her own actions last: they change the rows
        if route.name not in PERSONAL:
            status = post(client, url(route, hq)).status_code
            assert status not in (404, 405) and status < 500, (route, status)
