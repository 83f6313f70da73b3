"""Event templates on the dashboard: saved from an event's page, listed, used through the
prefilled event form, deleted; and signup options and role gates on the event forms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import GuildMember, OrganiserAction
from events import templates
from events.models import Event, EventTemplate, Registration
from events.nudges import Expected
from events.services import EventDraft, create_event
from events.signup import OptionSpec, Signup
from tests.events.factories import RegistrationFactory

from .conftest import csrf_post, log_in
from .test_guild_pages import CHANNEL, hq, olivia, soon  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
ROLE = 500_000_000_000_000_011


def training(guild, **fields):
    from django.utils import timezone

    start = soon(5)
    draft = EventDraft(
        title="Training",
        location="Gym",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=20,
        signup_deadline=start - timedelta(hours=3),
    )
    return create_event(
        guild,
        draft,
        now=timezone.now(),
        channel_id=CHANNEL,
        reminder_offsets=(timedelta(hours=1),),
        gates=Signup((ROLE,), (OptionSpec("Driver", 4), OptionSpec("Rider", 16))),
        expected=Expected(guild.id, (timedelta(days=2),)),
        **fields,
    )


def test_saving_an_event_as_a_template_then_making_an_event_from_it_keeps_every_setting(world, hq, olivia):  # noqa: F811
    GuildMember.objects.filter(guild=hq, member=world.cast.member.member).update(role_ids=[ROLE])
    event = training(hq)

    saved = csrf_post(
        olivia, f"/dashboard/g/{hq.id}/events/{event.id}/template/", {"name": "Weekly"}, page=f"/dashboard/g/{hq.id}/"
    )
    assert (saved.status_code, saved["Location"]) == (302, f"/dashboard/g/{hq.id}/templates/")
    template = EventTemplate.objects.get(guild=hq)
    assert (template.expected_role_id, template.nudge_offsets) == (hq.id, [172800])
    listed = olivia.get(f"/dashboard/g/{hq.id}/templates/").content.decode()
    assert "Weekly" in listed and "options Driver 4, Rider 16" in listed and "expects everyone" in listed

    use = f"/dashboard/g/{hq.id}/templates/{template.id}/use/"
    form = olivia.get(use).context["form"]
    initial = {name: value for name, value in form.initial.items() if value not in (None, False)}
    assert initial["signup_options"] == "Driver 4, Rider 16"
    assert initial["only_roles"] == [str(ROLE)]
    assert (initial["nudges"], initial["reminders"], initial["channel"]) == ("2d", "1h", CHANNEL)
    sent = {**initial, "start": "in 9 days", "only_roles": [str(ROLE)], "title": "Training II"}
    done = csrf_post(olivia, use, sent)

    assert done.status_code == 302, done.content.decode()
    made = Event.objects.get(title="Training II")
    assert [(o.label, o.capacity) for o in made.signup_options.all()] == [("Driver", 4), ("Rider", 16)]
    assert (made.allowed_role_ids, made.expected_role_id, made.capacity) == ([ROLE], hq.id, 20)
    assert (made.ends_at - made.starts_at, made.starts_at - made.signup_deadline) == (
        timedelta(hours=2),
        timedelta(hours=3),
    )
    assert list(made.nudges.values_list("offset", flat=True)) == [timedelta(days=2)]
    assert OrganiserAction.objects.filter(guild=hq, action="created event", detail__contains="template Weekly").exists()


def test_deleting_a_template_leaves_its_events_and_is_logged(world, hq, olivia):  # noqa: F811
    event = training(hq)
    template = templates.save_template(event, "Weekly").template

    done = csrf_post(
        olivia, f"/dashboard/g/{hq.id}/templates/{template.id}/delete/", {}, page=f"/dashboard/g/{hq.id}/templates/"
    )

    assert done.status_code == 302
    assert not EventTemplate.objects.exists()
    assert Event.objects.filter(id=event.id).exists()
    assert OrganiserAction.objects.filter(guild=hq, action="deleted event template").exists()


def test_another_guilds_organiser_neither_sees_nor_uses_nor_deletes_the_templates(world, hq):  # noqa: F811
    template = templates.save_template(training(hq), "Weekly").template
    otto = log_in(world, "otto")
    elsewhere = world.cast.outsider.guild

    assert otto.get(f"/dashboard/g/{hq.id}/templates/").status_code == 404
    for path in (
        f"/dashboard/g/{elsewhere.id}/templates/{template.id}/use/",
        f"/dashboard/g/{hq.id}/templates/{template.id}/use/",
    ):
        assert otto.get(path).status_code == 404
    gone = otto.post(
        f"/dashboard/g/{elsewhere.id}/templates/{template.id}/delete/",
        {"csrfmiddlewaretoken": otto.cookies["csrftoken"].value},
    )
    assert gone.status_code == 404
    assert EventTemplate.objects.filter(id=template.id).exists()
    assert "Weekly" not in otto.get(f"/dashboard/g/{elsewhere.id}/templates/").content.decode()


def test_editing_signup_options_and_roles_on_the_event_form(world, hq, olivia):  # noqa: F811
    GuildMember.objects.filter(guild=hq, member=world.cast.member.member).update(role_ids=[ROLE])
    event = training(hq)
    driver = event.signup_options.get(label="Driver")
    RegistrationFactory(event=event, status=Registration.Status.GOING, option=driver)
    url = f"/dashboard/g/{hq.id}/events/{event.id}/edit/"
    page = olivia.get(url)
    data = {name: value for name, value in page.context["form"].initial.items() if value not in (None, False)}
    data.pop("needs_rides", None)
    data.pop("needs_rooms", None)

    refused = csrf_post(olivia, url, {**data, "signup_options": "Rider 16"})
    assert refused.status_code == 400
    assert "1 member has signed up as Driver" in refused.content.decode()

    done = csrf_post(olivia, url, {**data, "signup_options": "Driver 6, Rider 10, Helper", "only_roles": []})
    assert done.status_code == 302, done.content.decode()
    event.refresh_from_db()
    assert [(o.label, o.capacity) for o in event.signup_options.all()] == [
        ("Driver", 6),
        ("Rider", 10),
        ("Helper", None),
    ]
    assert event.allowed_role_ids == []
    shown = olivia.get(f"/dashboard/g/{hq.id}/events/{event.id}/").content.decode()
    assert "Driver: 1/6 going" in shown and "as Driver" in shown


def test_a_bad_option_is_the_services_sentence_on_the_form(hq, olivia):  # noqa: F811
    form = {"title": "Gig", "start": "in 5 days", "channel": CHANNEL, "signup_options": "Driver 4, 5"}

    refused = csrf_post(olivia, f"/dashboard/g/{hq.id}/events/new/", form)

    assert refused.status_code == 400
    assert "Each option needs a name before its number" in refused.content.decode()
    assert not Event.objects.filter(title="Gig").exists()


def test_the_roster_csv_names_each_members_option(hq, olivia):  # noqa: F811
    import csv
    import io

    event = training(hq)
    rider = event.signup_options.get(label="Rider")
    going = RegistrationFactory(event=event, status=Registration.Status.GOING, option=rider)
    maybe = RegistrationFactory(event=event, status=Registration.Status.MAYBE)

    response = olivia.get(f"/dashboard/g/{hq.id}/events/{event.id}/roster.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "option"
    assert [(int(r[2]), r[5], r[7]) for r in rows[1:]] == [
        (going.member_id, "going", "Rider"),
        (maybe.member_id, "maybe", ""),
    ]
