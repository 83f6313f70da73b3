"""A deleted event's post: marked deleted with its buttons gone, through the outbox (an edit
of the post, once), or never sent when it was still waiting (against the sandbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.models import OutboundMessage
from events import services
from events.discord.messages import DELETED
from events.models import Event
from events.services import EventDraft
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status


def make(guild, title: str) -> Event:
    draft = EventDraft(title=title, starts_at=timezone.now() + timedelta(days=2), location="The park")
    return services.create_event(guild, draft, now=timezone.now(), reminder_offsets=())


def post_of(event: Event) -> OutboundMessage:
    return OutboundMessage.objects.get(idempotency_key=f"event-post:{event.id}")


def test_the_post_of_an_event_deleted_in_the_admin_is_marked_deleted_without_buttons(live_discord, guild, client):
    # Given an event whose post is in Discord with its buttons
    event = make(guild, "Picnic")
    outbox.deliver(post_of(event).id)
    [posted] = live_discord.control.messages(live_discord.channel_id)
    assert [b["label"] for b in posted["components"][0]["components"]] == ["Going", "Maybe", "Can't go"]

    # When an operator deletes it in the admin
    client.force_login(SuperuserFactory())
    response = client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()

    # Then one edit of the post is queued, and delivered it marks the post, with no buttons
    edit = OutboundMessage.objects.get(idempotency_key=f"event-deleted:{event.id}")
    assert (edit.status, edit.edits_key, edit.channel_id) == (
        Status.PENDING,
        f"event-post:{event.id}",
        live_discord.channel_id,
    )
    assert outbox.deliver(edit.id) is None
    [message] = live_discord.control.messages(live_discord.channel_id)  # the same message, no new one
    assert message["id"] == posted["id"]
    assert message["components"] == []
    embed = message["embeds"][0]
    assert (embed["title"], embed["description"]) == ("[Deleted] Picnic", DELETED)
    assert [f["name"] for f in embed["fields"]] == ["Was planned for", "Where"]
    assert OutboundMessage.objects.filter(
        id=edit.id, status=Status.DELIVERED, delivered_message_id=int(posted["id"])
    ).exists()
    assert outbox.deliver(edit.id) is None  # delivered: never sent again
    assert live_discord.control.message(posted["id"])["embeds"][0]["title"] == "[Deleted] Picnic"


def test_the_post_of_an_event_deleted_before_it_was_sent_is_never_sent(live_discord, guild):
    # Given an event whose post is still waiting in the outbox
    event = make(guild, "Board games")
    post = post_of(event)

    # When it is deleted
    services.delete_event(event.id, now=timezone.now())

    # Then the post is given up, no edit is queued, and nothing reaches Discord
    post.refresh_from_db()
    assert (post.status, post.last_error) == (Status.UNDELIVERABLE, "its event was deleted before it was posted")
    assert not OutboundMessage.objects.filter(idempotency_key=f"event-deleted:{event.id}").exists()
    assert outbox.deliver(post.id) is None
    assert live_discord.control.messages(live_discord.channel_id) == []


def test_the_edit_waits_for_a_post_that_was_being_sent_when_its_event_was_deleted(live_discord, guild):
    # Given an event whose post a worker is sending right now
    event = make(guild, "Quiz")
    post = post_of(event)
    OutboundMessage.objects.filter(id=post.id).update(status=Status.SENDING)

    # When it is deleted, and the edit is tried before the post is delivered
    services.delete_event(event.id, now=timezone.now())
    edit = OutboundMessage.objects.get(idempotency_key=f"event-deleted:{event.id}")
    assert outbox.deliver(edit.id) == 5  # seconds until its retry
    edit.refresh_from_db()
    assert (edit.status, edit.attempts, edit.uncertain_since) == (Status.PENDING, 1, None)

    # Then, once the post is delivered, the retried edit marks it
    OutboundMessage.objects.filter(id=post.id).update(status=Status.PENDING)
    outbox.deliver(post.id)
    OutboundMessage.objects.filter(id=edit.id).update(next_attempt_at=timezone.now())
    assert outbox.deliver(edit.id) is None
    [message] = live_discord.control.messages(live_discord.channel_id)
    assert (message["embeds"][0]["title"], message["components"]) == ("[Deleted] Quiz", [])


def test_an_edit_of_a_post_that_was_never_sent_is_given_up(live_discord, guild):
    # Given an edit of a post the outbox does not know
    edit = outbox.enqueue(
        key="notice-edit:1", channel_id=live_discord.channel_id, payload={"content": "edited"}, edits="notice:1"
    )

    # When it is delivered, then it is settled as undeliverable with nothing sent
    assert outbox.deliver(edit.id) is None
    edit.refresh_from_db()
    assert (edit.status, edit.last_error) == (Status.UNDELIVERABLE, "the post notice:1 was never sent: nothing to edit")
    assert live_discord.control.messages(live_discord.channel_id) == []
    with pytest.raises(ValueError, match=r"^an edit is of a channel post, with no attachment and no refresh$"):
        outbox.enqueue(key="dm-edit:1", member_id=1, payload={"content": "x"}, edits="notice:1")
