"""/muster privacy: what Muster stores about the member who asks, and Forget me."""

import json

import pytest
from django.utils.module_loading import import_string

from core import outbox
from core.models import OrganiserAction, OutboundMessage
from events.models import Registration
from polls.models import Vote
from tests.cast import handle
from tests.core.member_rows import member_everywhere

pytestmark = pytest.mark.django_db


def click(cast, who, custom_id):
    return handle(cast.interaction(who, kind="component", custom_id=custom_id))


def privacy(cast, who):
    return handle(cast.interaction(who, command="muster privacy"))


def test_it_lists_what_muster_stores_about_the_member_privately(cast):
    member_everywhere(cast)
    reply = privacy(cast, cast.member)
    assert reply.ephemeral
    lines = reply.content.splitlines()
    assert lines[0] == "**What Muster stores about you**"
    assert "- Event registrations: 2" in lines and "- Votes in polls that show voters: 2" in lines
    assert "- Your Jira links: 1" in lines and "- Rides you drive: 1" in lines
    assert [b["label"] for b in reply.components[0]["components"]] == ["Download", "Forget me"]
    assert [b["custom_id"] for b in reply.components[0]["components"]] == ["muster:download", "muster:forget"]


def test_forget_me_asks_first_and_cancel_forgets_nothing(cast):
    member_everywhere(cast)
    ask = click(cast, cast.member, "muster:forget")
    assert ask.ephemeral and ask.content.startswith("Forget me deletes your registrations")
    buttons = [b["custom_id"] for b in ask.components[0]["components"]]
    assert buttons == ["muster:forget_confirm", "muster:forget_cancel"]
    assert click(cast, cast.member, "muster:forget_cancel").content == "Nothing was forgotten."
    assert Registration.objects.filter(member_id=cast.member.member_id).count() == 2


def test_confirm_forgets_the_member_and_tells_organisers_without_the_content(cast):
    member_everywhere(cast)
    closed_votes = Vote.objects.filter(poll__status="closed").count()

    done = click(cast, cast.member, "muster:forget_confirm")

    assert done.content.splitlines()[0].startswith("**Forgotten**")
    assert "- Event registrations: 2" in done.content.splitlines()
    assert done.components == []
    assert not Registration.objects.filter(member_id=cast.member.member_id).exists()
    assert Vote.objects.filter(poll__status="closed").count() == closed_votes  # the tally keeps its count
    # Asked again, only the membership permissions need is left (and this command's log line).
    after = privacy(cast, cast.member).content.splitlines()
    assert "- Event registrations: 2" not in after and all("registrations" not in line for line in after)
    log = OrganiserAction.objects.get(guild=cast.guild)
    who = (log.actor, log.action, log.member_id, log.via)
    assert who == ("a forgotten member", "forgot their data", None, "discord")
    assert "Alice" not in f"{log.target} {log.detail}"
    assert log.detail.endswith(" rows deleted or anonymised across Muster")


def test_forget_me_again_changes_nothing_more_and_logs_nothing_more(cast):
    member_everywhere(cast)
    click(cast, cast.member, "muster:forget_confirm")
    again = click(cast, cast.member, "muster:forget_confirm")
    assert again.content == "Muster had nothing more to forget about you."
    assert OrganiserAction.objects.filter(guild=cast.guild).count() == 1


def test_an_outsider_who_clicks_confirm_forgets_only_themselves(cast):
    member_everywhere(cast)
    click(cast, cast.outsider, "muster:forget_confirm")
    assert Registration.objects.filter(member_id=cast.member.member_id).count() == 2
    assert "- Event registrations: 2" in privacy(cast, cast.member).content.splitlines()


def test_download_queues_one_dm_per_click_with_its_file_made_at_delivery(cast, django_capture_on_commit_callbacks):
    member_everywhere(cast)
    OutboundMessage.objects.all().delete()
    with django_capture_on_commit_callbacks():
        answer = click(cast, cast.member, "muster:download")
        click(cast, cast.member, "muster:download")  # the same interaction run again: the same key
    assert answer.content == "I am sending you a direct message with your data as a JSON file."
    message = OutboundMessage.objects.get()
    assert (message.member_id, message.attachment) == (cast.member.member_id, "personal-data")
    upload = import_string(outbox.ATTACHMENTS[message.attachment])(message)
    data = json.loads(upload.content)
    assert (upload.filename, upload.content_type) == ("muster-your-data.json", "application/json")
    assert len(data["data"]["events.Registration"]["rows"]) == 2


def test_an_outsiders_download_holds_only_their_own_data(cast):
    member_everywhere(cast)
    OutboundMessage.objects.all().delete()
    click(cast, cast.outsider, "muster:download")
    message = OutboundMessage.objects.get()
    assert message.member_id == cast.outsider.member_id
    data = json.loads(import_string(outbox.ATTACHMENTS[message.attachment])(message).content)
    assert data["member_id"] == str(cast.outsider.member_id) and "events.Registration" not in data["data"]
