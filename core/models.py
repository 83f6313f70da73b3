"""Who Muster serves: Discord guilds, their members, and process heartbeats.

Discord ids (snowflakes) are stored as 64-bit integers and used as primary keys, so a
payload's id is the row's id and no lookup table is needed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from core.timezones import validate_timezone

# Directory tasks run in any order on many workers; the gateway stamps each event and the
# directory ignores one older than what it already applied (core.directory).
SYNCED_NS_HELP = "When the gateway saw the newest event applied to this row (ns since the epoch)."


class Guild(models.Model):
    class DateOrder(models.TextChoices):
        DAY_FIRST = "dmy", "Day first: 5/12 is 5 December"
        MONTH_FIRST = "mdy", "Month first: 5/12 is May 12"

    id = models.BigIntegerField(primary_key=True, help_text="Discord guild (server) id")
    name = models.CharField(max_length=100)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="Used for members who have not set their own time zone.",
    )
    date_order = models.CharField(
        max_length=3,
        choices=DateOrder.choices,
        default=DateOrder.DAY_FIRST,
        help_text="How members' dates such as 5/12 are read.",
    )
    organiser_role_id = models.BigIntegerField(
        null=True, blank=True, help_text="Members with this Discord role may organise."
    )
    announcement_channel_id = models.BigIntegerField(
        null=True, blank=True, help_text="Where events are posted when no channel is given."
    )
    active = models.BooleanField(default=True, help_text="False once the bot has left the guild.")
    left_at = models.DateTimeField(
        null=True, blank=True, help_text="When the bot was removed: its data goes GUILD_DATA_GRACE_DAYS later."
    )
    joined_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    synced_ns = models.BigIntegerField(default=0, editable=False, help_text=SYNCED_NS_HELP)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A Discord user, across every guild Muster shares with them."""

    id = models.BigIntegerField(primary_key=True, help_text="Discord user id")
    username = models.CharField(max_length=32)
    display_name = models.CharField(max_length=100, blank=True)
    timezone = models.CharField(
        max_length=64, blank=True, validators=[validate_timezone], help_text="Blank: the guild's."
    )
    dm_reminders = models.BooleanField(default=True, help_text="Receive reminders by direct message.")
    dms_closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When Discord last refused a DM because the member closed them."
    )
    dm_channel_id = models.BigIntegerField(
        null=True, blank=True, editable=False, help_text="The DM channel Discord opened with them, kept for later DMs."
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class GuildMember(models.Model):
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    nickname = models.CharField(max_length=32, blank=True)
    role_ids = models.JSONField(default=list, blank=True, help_text="Discord role ids, as integers.")
    is_organiser = models.BooleanField(default=False, help_text="May organise even without the guild's organiser role.")
    joined_at = models.DateTimeField(default=now)
    left_at = models.DateTimeField(null=True, blank=True)
    synced_ns = models.BigIntegerField(default=0, editable=False, help_text=SYNCED_NS_HELP)
    profile_ns = models.BigIntegerField(
        default=0,
        editable=False,
        help_text="When the gateway saw the newest member update applied to the names and roles (ns since the epoch).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guild", "member"], name="guildmember_unique_membership"),
        ]
        indexes = [models.Index(fields=["guild", "left_at"])]

    def __str__(self) -> str:
        return f"{self.member} in {self.guild}"


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive: "beat" (/healthz), "worker:<hostname>"."""

    name = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class CommandLog(models.Model):
    """One interaction, recorded by the worker that handles it.

    The interaction id is the primary key: a redelivered task finds its row and does
    not run the handler a second time.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        OK = "ok", "Answered"
        REFUSED = "refused", "Refused"
        ERROR = "error", "Error"
        UNKNOWN = "unknown", "No handler"

    interaction_id = models.BigIntegerField(primary_key=True)
    guild = models.ForeignKey(Guild, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16)
    command = models.CharField(max_length=100, help_text='The command path or custom_id route, "event create"')
    options = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=now)
    ack_latency_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Interaction to deferral")
    completion_latency_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="Interaction to the handler's answer being sent"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    error = models.TextField(blank=True, help_text="The exception (full traceback in the worker log)")
    reference = models.CharField(max_length=12, blank=True, help_text="Shown to the member on errors")
    reply = models.JSONField(null=True, blank=True, help_text="The answer, kept so a redelivery resends it")
    attempts = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the answer was sent (to the hour for a redacted interaction)"
    )
    answer_claimed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set while a worker sends the answer (a claim, then cleared)"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["command", "received_at"]), models.Index(fields=["outcome"])]

    def __str__(self) -> str:
        return f"{self.command} ({self.interaction_id})"


class OutboundMessage(models.Model):
    """A message Muster must deliver to a channel or a member's DMs: the outbox.

    Written in the transaction of the change that causes it; the idempotency key makes a
    second write of the same message a no-op.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERABLE = "undeliverable", "Undeliverable"
        FAILED = "failed", "Failed (gave up)"

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel_id = models.BigIntegerField(null=True, blank=True, help_text="Target channel, or…")
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
        help_text="…the member to DM",
    )
    guild = models.ForeignKey(Guild, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_messages")
    payload = models.JSONField(help_text="Discord message JSON: content, embeds, components")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=now)
    last_error = models.TextField(blank=True)
    delivered_message_id = models.BigIntegerField(null=True, blank=True)
    delivered_channel_id = models.BigIntegerField(null=True, blank=True)
    uncertain_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an attempt that may have reached Discord began (a timeout, a killed worker): "
        "resent only within Discord's nonce window",
    )
    refresh_kind = models.CharField(
        max_length=50, blank=True, help_text="Once delivered, refresh this kind of message (core.refresh)…"
    )
    refresh_object_id = models.BigIntegerField(null=True, blank=True, help_text="…for this object")
    attachment = models.CharField(
        max_length=50,
        blank=True,
        help_text="A file made when it is delivered (core.outbox.ATTACHMENTS), never stored here",
    )
    edits_key = models.CharField(
        max_length=200,
        blank=True,
        help_text="An edit of the message the outbox posted under this key, instead of a new message",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel_id__isnull=False) | models.Q(member__isnull=False),
                name="outboundmessage_has_target",
            )
        ]

    def __str__(self) -> str:
        target = f"DM {self.member_id}" if self.member_id else f"#{self.channel_id}"
        return f"{self.idempotency_key} → {target} ({self.status})"


class PendingRefresh(models.Model):
    """A refresh of a public message whose task could not be queued (the broker was down).

    Written after the commit that changed the message's state, when queueing its task
    failed; the ``refresh-pending`` beat tick queues it again (core.refresh.retry_pending).
    """

    kind = models.CharField(max_length=50)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="pendingrefresh_unique_message")]

    def __str__(self) -> str:
        return f"refresh {self.kind} {self.object_id}"


class DeliveryPause(models.Model):
    """Discord refused Muster's credentials (401) or access to a channel (403): delivery waits.

    While a pause exists the outbox sends nothing to its scope ("all" for a refused token,
    "channel:<id>" for a channel the bot may not post in) and /healthz reports it. Once
    ``retry_at`` passes, one message is tried: success lifts the pause, another refusal
    extends it. An operator can lift it at once in the admin after fixing the cause.
    """

    scope = models.CharField(max_length=40, unique=True, help_text='"all", or "channel:<id>"')
    reason = models.TextField()
    paused_at = models.DateTimeField(default=now)
    retry_at = models.DateTimeField(help_text="When one message is tried again")

    class Meta:
        ordering = ["paused_at"]

    def __str__(self) -> str:
        return f"delivery paused ({self.scope}): {self.reason}"


class OrganiserAction(models.Model):
    """Who changed what, when, on the web: one row per change an organiser made from the
    dashboard or the admin, kept with its guild so each guild's organisers see their log
    (Django's own ``LogEntry`` knows no guild, and loses its object when that is deleted)."""

    class Via(models.TextChoices):
        DASHBOARD = "dashboard", "Dashboard"
        ADMIN = "admin", "Admin"
        DISCORD = "discord", "Discord"

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="organiser_actions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who, on the web",
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Who, in Discord"
    )
    actor = models.CharField(max_length=150, help_text="Their name when they acted")
    action = models.CharField(max_length=50, help_text='"created event", "removed registration"…')
    target = models.CharField(max_length=200, help_text="What it was done to, as it was called then")
    object_id = models.BigIntegerField(null=True, blank=True, help_text="Its id, when it is a row")
    detail = models.CharField(max_length=500, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.DASHBOARD)
    at = models.DateTimeField(default=now)
    # A creating form's one-time token: the same form sent twice (a double click, a resent
    # POST) finds its first action here and creates nothing more.
    submission = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["guild", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.target}"


class HeldNudge(models.Model):
    """A nudge a sender held back because the member was away (``core.nudging.hold``).

    One row per thing held (``key``, unique per member and guild until summarised), summarised in one DM on
    the member's first day back (``core.away_summary``); ``summarised_at`` is when that DM
    was written. Summarised rows are pruned after ``RETENTION_DAYS`` (``core.retention``).
    """

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="held_nudges")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="held_nudges")
    kind = models.CharField(max_length=50, help_text='What was held, as its sender registered it: "event_nudge"…')
    key = models.CharField(max_length=200, help_text="The sender's key: the same thing held twice is one row")
    text = models.CharField(max_length=200, help_text="The line the summary shows")
    held_at = models.DateTimeField(default=now)
    summarised_at = models.DateTimeField(null=True, blank=True, help_text='When the "While you were away" DM took it')

    class Meta:
        ordering = ["-held_at", "-id"]
        constraints = [
            # Once per key while it waits for its summary; a later absence may hold the same key again.
            models.UniqueConstraint(
                fields=["guild", "member", "key"],
                condition=models.Q(summarised_at__isnull=True),
                name="heldnudge_unique_key",
            ),
        ]
        indexes = [models.Index(fields=["summarised_at", "member"])]

    def __str__(self) -> str:
        return f"{self.kind} held for {self.member_id} in {self.guild_id}: {self.text}"
