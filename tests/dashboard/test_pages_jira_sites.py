"""Jira sites on the Settings page: connect (checked against the Jira stand-in), change, remove, unlink."""

from __future__ import annotations

import pytest

from core.models import OrganiserAction
from jira_sync.models import JiraLink, JiraSite
from sandbox.jira import create_app
from sandbox.jira.control import JiraControl
from sandbox.runner import ServerThread
from tests.jira_sync.conftest import API_TOKEN, API_USER, NOW, TOKEN_ENV, make_link

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db

ELSEWHERE_VARIABLE = "JIRA_ELSEWHERE"


@pytest.fixture
def jira(monkeypatch):
    """The Jira stand-in, its API token in the variable the forms below name."""
    server = ServerThread(create_app(user=API_USER, token=API_TOKEN, issues=0, now=NOW)).start()
    control = JiraControl(server.url)
    control.url = server.url
    monkeypatch.setenv(TOKEN_ENV, API_TOKEN)
    yield control
    server.stop()


def url(guild, tail: str = "") -> str:
    return f"/dashboard/g/{guild.id}/settings/{tail}"


def form(base_url: str, **changes) -> dict:
    data = {
        "name": "Acme Jira",
        "base_url": base_url,
        "auth": "service_account",
        "service_email": API_USER,
        "token_env": TOKEN_ENV,
        "link_issue_key": "OPS-1",
        "jql_filter": "",
        "timezone": "Europe/Paris",
        "poll_interval_minutes": "10",
        "notify_member": "",
        "active": "on",
    }
    return {**data, **changes}


@pytest.fixture
def sites(world):
    """A site of Muster HQ (never polled here: its connection is not changed) and one of Elsewhere."""
    ours = JiraSite.objects.create(
        guild=world.cast.guild,
        name="Acme Jira",
        base_url="https://acme.example",
        service_email=API_USER,
        token_env=TOKEN_ENV,
        link_issue_key="OPS-1",
        timezone="Europe/Paris",
    )
    theirs = JiraSite.objects.create(
        guild=world.cast.outsider.guild,
        name="Their Jira",
        base_url="https://theirs.example",
        service_email=API_USER,
        token_env=ELSEWHERE_VARIABLE,
        link_issue_key="OPS-1",
    )
    return ours, theirs


def actions(guild) -> list[tuple[str, str]]:
    return list(OrganiserAction.objects.filter(guild=guild).order_by("id").values_list("action", "detail"))


def test_an_organiser_connects_a_site_once_jira_accepts_its_credentials(world, jira):
    hq = world.cast.guild
    olivia = log_in(world, "olivia")
    settings_page = olivia.get(url(hq)).content.decode()
    assert f'href="{url(hq, "jira/add/")}"' in settings_page
    data = form(jira.url, notify_member=str(world.cast.organiser.member_id))
    done = csrf_post(olivia, url(hq, "jira/add/"), data)
    assert (done.status_code, done["Location"]) == (302, url(hq))
    site = JiraSite.objects.get()
    assert (site.guild_id, site.name, site.token_env, site.notify_member_id) == (
        hq.id,
        "Acme Jira",
        TOKEN_ENV,
        world.cast.organiser.member_id,
    )
    assert jira.counters() == {"POST search/jql": 1}  # the dry-run search, as the admin runs it
    assert actions(hq) == [("connected Jira site", jira.url)]
    page = olivia.get(url(hq, f"jira/{site.id}/")).content.decode()
    assert TOKEN_ENV in page and API_TOKEN not in page  # the variable's name, never its value
    # The same form sent again makes no second site: the (guild, address) constraint answers.
    again = csrf_post(olivia, url(hq, "jira/add/"), data)
    assert again.status_code == 400
    assert again.context["form"].errors == {"base_url": ["This server already has a Jira site at that address."]}
    assert JiraSite.objects.count() == 1


def test_jiras_refusal_and_a_member_of_another_guild_are_form_errors(world, jira, sites):
    hq = world.cast.guild
    olivia = log_in(world, "olivia")
    page = csrf_post(olivia, url(hq, "jira/add/"), form(jira.url, jql_filter="project = NOPE"))
    assert page.status_code == 400
    assert page.context["form"].non_field_errors() == [
        "Jira refused the check: 400: Jira refused the query — The value 'NOPE' does not exist for the field 'project'."
    ]
    page = csrf_post(olivia, url(hq, "jira/add/"), form(jira.url, notify_member=str(world.cast.outsider.member_id)))
    assert page.status_code == 400
    assert list(page.context["form"].errors) == ["notify_member"]
    assert list(JiraSite.objects.filter(guild=hq).values_list("name", flat=True)) == ["Acme Jira"]  # the fixture's


@pytest.mark.parametrize(
    ("variable", "sentence"),
    [
        (ELSEWHERE_VARIABLE, "JIRA_ELSEWHERE belongs to another server's site: ask the operator for your own."),
        ("SECRET_KEY", "SECRET_KEY is not a Jira variable: name one starting with JIRA_ that holds it."),
    ],
)
def test_a_variable_she_may_not_use_is_refused_with_the_admins_sentence(world, sites, variable, sentence):
    hq = world.cast.guild
    olivia = log_in(world, "olivia")
    page = csrf_post(olivia, url(hq, "jira/add/"), form("https://sneaky.example", name="Sneaky", token_env=variable))
    assert page.status_code == 400
    assert page.context["form"].errors == {"token_env": [sentence]}
    assert not JiraSite.objects.filter(name="Sneaky").exists()
    ours, _theirs = sites
    edit = csrf_post(olivia, url(hq, f"jira/{ours.id}/"), form(ours.base_url, token_env=variable))
    assert (edit.status_code, edit.context["form"].errors) == (400, {"token_env": [sentence]})
    ours.refresh_from_db()
    assert ours.token_env == TOKEN_ENV


def test_she_changes_the_poll_interval_and_a_bad_one_is_a_form_error(world, sites):
    hq = world.cast.guild
    ours, _theirs = sites
    olivia = log_in(world, "olivia")
    edit = url(hq, f"jira/{ours.id}/")
    done = csrf_post(olivia, edit, form(ours.base_url, poll_interval_minutes="30"))
    assert (done.status_code, done["Location"]) == (302, url(hq))
    ours.refresh_from_db()
    assert ours.poll_interval_minutes == 30
    assert actions(hq) == [("changed Jira site", "changed poll_interval_minutes")]
    bad = csrf_post(olivia, edit, form(ours.base_url, poll_interval_minutes="1", name="Renamed"))
    assert bad.status_code == 400
    assert bad.context["form"].errors == {"poll_interval_minutes": ["Ensure this value is greater than or equal to 2."]}
    assert "Acme Jira" in bad.content.decode()  # the page's title is the saved site's, not the refused name
    ours.refresh_from_db()
    assert (ours.name, ours.poll_interval_minutes) == ("Acme Jira", 30)


def test_she_removes_a_site_once_she_ticks_the_box(world, sites):
    hq = world.cast.guild
    ours, theirs = sites
    make_link(ours, world.cast.member.member, "acct-alice")
    olivia = log_in(world, "olivia")
    delete, edit = url(hq, f"jira/{ours.id}/delete/"), url(hq, f"jira/{ours.id}/")
    assert olivia.get(delete).status_code == 405
    unticked = csrf_post(olivia, delete, {}, page=edit)
    assert unticked.status_code == 400
    assert "Tick the box to confirm" in unticked.content.decode()
    assert JiraSite.objects.filter(pk=ours.pk).exists()
    done = csrf_post(olivia, delete, {"confirm": "yes"}, page=edit)
    assert (done.status_code, done["Location"]) == (302, url(hq))
    assert list(JiraSite.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert not JiraLink.objects.exists()
    assert actions(hq) == [("removed Jira site", "1 unlinked")]


def test_she_unlinks_one_member_and_never_a_link_of_another_site(world, sites):
    hq = world.cast.guild
    ours, theirs = sites
    alice = world.cast.member.member
    alices = JiraLink.objects.create(site=ours, member=alice, account_id="acct-alice", display_name="Alice A.")
    olivias = make_link(ours, world.cast.organiser.member, "acct-olivia")
    oscars = make_link(theirs, world.cast.outsider.member, "acct-oscar")
    olivia = log_in(world, "olivia")
    edit, unlink = url(hq, f"jira/{ours.id}/"), url(hq, f"jira/{ours.id}/unlink/")
    assert "Alice A." in olivia.get(edit).content.decode()
    done = csrf_post(olivia, unlink, {"link": str(alices.id)}, page=edit)
    assert (done.status_code, done["Location"]) == (302, edit)
    assert sorted(JiraLink.objects.values_list("pk", flat=True)) == sorted([olivias.pk, oscars.pk])
    assert actions(hq) == [("unlinked Jira member", f"{world.cast.member.member} (Alice A.)")]
    assert csrf_post(olivia, unlink, {"link": str(oscars.id)}, page=edit).status_code == 404
    assert csrf_post(olivia, unlink, {"link": "nobody"}, page=edit).status_code == 400
    assert JiraLink.objects.count() == 2


@pytest.mark.parametrize("username", ["otto", "oscar", "alice"])
def test_anyone_but_her_gets_404_and_changes_nothing(world, sites, username):
    hq = world.cast.guild
    ours, _theirs = sites
    link = make_link(ours, world.cast.member.member, "acct-alice")
    client = log_in(world, username)
    for path in (url(hq, "jira/add/"), url(hq, f"jira/{ours.id}/")):
        assert client.get(path).status_code == 404, path
    posts = [
        (url(hq, "jira/add/"), form("https://other.example")),
        (url(hq, f"jira/{ours.id}/"), form(ours.base_url, poll_interval_minutes="99")),
        (url(hq, f"jira/{ours.id}/delete/"), {"confirm": "yes"}),
        (url(hq, f"jira/{ours.id}/unlink/"), {"link": str(link.id)}),
    ]
    for path, data in posts:
        assert csrf_post(client, path, data, page="/dashboard/").status_code == 404, path
    ours.refresh_from_db()
    assert ours.poll_interval_minutes == 10
    assert JiraSite.objects.count() == 2 and JiraLink.objects.filter(pk=link.pk).exists()


def test_another_guilds_site_is_404_inside_her_guilds_urls(world, sites):
    hq = world.cast.guild
    _ours, theirs = sites
    olivia = log_in(world, "olivia")
    assert olivia.get(url(hq, f"jira/{theirs.id}/")).status_code == 404
    delete = csrf_post(olivia, url(hq, f"jira/{theirs.id}/delete/"), {"confirm": "yes"}, page=url(hq))
    assert delete.status_code == 404
    assert JiraSite.objects.filter(pk=theirs.pk).exists()


def test_a_post_without_the_csrf_token_is_refused(world, sites):
    hq = world.cast.guild
    ours, _theirs = sites
    olivia = log_in(world, "olivia")
    refused = olivia.post(url(hq, f"jira/{ours.id}/delete/"), {"confirm": "yes"})
    assert refused.status_code == 403
    assert JiraSite.objects.filter(pk=ours.pk).exists()
