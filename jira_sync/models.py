"""Jira sites, verified account links, issue snapshots and the reminders made from them.

No secret is stored in plain text: a service account's API token is read from the
environment variable the site names (or ``<NAME>_FILE``), OAuth tokens are encrypted
with ``JIRA_TOKEN_KEY`` (``jira_sync.crypto``).
"""

from __future__ import annotations

from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.timezone import now

from core.timezones import validate_timezone

ENV_NAME = RegexValidator(r"^[A-Z][A-Z0-9_]{0,99}$", "An environment variable name: capitals, digits and _.")
ISSUE_KEY = RegexValidator(r"^[A-Z][A-Z0-9_]{0,9}-[1-9][0-9]{0,9}$", "An issue key such as OPS-12.")


class JiraSite(models.Model):
    """One Jira Cloud site a guild connected, and the state of its polling."""

    class Auth(models.TextChoices):
        SERVICE_ACCOUNT = "service_account", "Service account (email + API token)"
        OAUTH = "oauth", "OAuth 2.0 (3LO) app"

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="jira_sites")
    name = models.CharField(max_length=100, help_text="How members see it, e.g. Acme Jira.")
    base_url = models.URLField(help_text="https://your-site.atlassian.net")
    auth = models.CharField(max_length=20, choices=Auth.choices, default=Auth.SERVICE_ACCOUNT)
    service_email = models.EmailField(blank=True, help_text="The service account's email (Atlassian account).")
    token_env = models.CharField(
        max_length=100,
        blank=True,
        validators=[ENV_NAME],
        help_text="The environment variable holding its API token (or <NAME>_FILE naming a file). "
        "Never the token itself.",
    )
    link_issue_key = models.CharField(
        max_length=24,
        blank=True,
        validators=[ISSUE_KEY],
        help_text="Service-account sites: the issue members comment their link code on.",
    )
    oauth_client_id_env = models.CharField(max_length=100, blank=True, validators=[ENV_NAME])
    oauth_client_secret_env = models.CharField(max_length=100, blank=True, validators=[ENV_NAME])
    cloud_id = models.CharField(max_length=64, blank=True, help_text="OAuth sites: the site's cloud id.")
    jql_filter = models.CharField(
        max_length=1000, blank=True, help_text="Optional JQL that limits polling, e.g. project in (OPS, WEB)."
    )
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="Date-only due dates are read in it."
    )
    poll_interval_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(2), MaxValueValidator(1440)]
    )
    notify_member = models.ForeignKey(
        "core.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organiser told by DM when the site starts failing and when it recovers.",
    )
    active = models.BooleanField(default=True)
    # Polling state: claimed by compare-and-set on next_poll_at.
    next_poll_at = models.DateTimeField(default=now, editable=False)
    watermark = models.DateTimeField(null=True, blank=True, editable=False, help_text="Start of the last good cycle")
    next_sweep_at = models.DateTimeField(default=now, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    requests_last_cycle = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["guild", "base_url"], name="jirasite_unique_per_guild")]

    def __str__(self) -> str:
        return self.name


class JiraLink(models.Model):
    """A Discord member's verified Jira account on one site, with their reminder settings."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Linked"
        RECONNECT = "reconnect", "Must reconnect"

    class Delivery(models.TextChoices):
        DIGEST = "digest", "Daily digest"
        LIVE = "live", "As it happens"

    site = models.ForeignKey(JiraSite, on_delete=models.CASCADE, related_name="links")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="jira_links")
    account_id = models.CharField(max_length=128, help_text="Verified by Jira (OAuth /myself or a comment's author)")
    display_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    linked_at = models.DateTimeField(default=now)
    seeded_at = models.DateTimeField(null=True, blank=True, help_text="When their issues were first read (silently)")
    # OAuth links only, encrypted (jira_sync.crypto).
    access_token = models.TextField(blank=True, editable=False)
    refresh_token = models.TextField(blank=True, editable=False)
    access_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Settings (/jira settings).
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.DIGEST)
    digest_hour = models.PositiveSmallIntegerField(default=9, validators=[MaxValueValidator(23)])
    quiet_start = models.TimeField(default=time(22, 0))
    quiet_end = models.TimeField(default=time(8, 0))
    weekends_off = models.BooleanField(default=False)
    due_soon_days = models.PositiveSmallIntegerField(default=1, choices=[(d, f"{d} days") for d in (1, 2, 3, 7)])
    remind_due_soon = models.BooleanField(default=True)
    remind_overdue = models.BooleanField(default=True)
    remind_assigned = models.BooleanField(default=True)
    remind_stale = models.BooleanField(default=False)
    stale_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1), MaxValueValidator(90)])
    last_digest_on = models.DateField(null=True, blank=True, editable=False, help_text="Local date of the last digest")
    last_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["site", "member"]
        constraints = [
            models.UniqueConstraint(fields=["site", "member"], name="jiralink_one_per_member_and_site"),
            models.UniqueConstraint(fields=["site", "account_id"], name="jiralink_one_member_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.member} as {self.display_name or self.account_id} on {self.site}"


class LinkAttempt(models.Model):
    """A one-time /jira/connect link (10 minutes, one Discord user) and what it leads to.

    Service-account sites: the page shows ``code``, which the member comments on the
    site's link issue within 15 minutes of opening it. OAuth sites: ``state`` and the PKCE
    verifier of the authorize redirect.
    """

    token = models.CharField(max_length=64, unique=True)
    site = models.ForeignKey(JiraSite, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    code = models.CharField(max_length=16, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=64, blank=True)
    session_key = models.CharField(max_length=64, blank=True, help_text="The browser session the state belongs to")
    pkce_verifier = models.TextField(blank=True, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "code"], condition=~models.Q(code=""), name="linkattempt_unique_code_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"link attempt of {self.member_id} on {self.site_id}"


class IssueSnapshot(models.Model):
    """What Muster last read of an issue assigned to a linked member."""

    site = models.ForeignKey(JiraSite, on_delete=models.CASCADE, related_name="snapshots")
    issue_id = models.CharField(max_length=32)
    key = models.CharField(max_length=32)
    summary = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=100, blank=True)
    status_category = models.CharField(max_length=20, blank=True, help_text="new, indeterminate or done")
    duedate = models.DateField(null=True, blank=True)
    assignee = models.CharField(max_length=128, blank=True)
    priority = models.CharField(max_length=50, blank=True)
    project = models.CharField(max_length=32, blank=True)
    updated = models.DateTimeField()
    seen_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "issue_id"], name="issuesnapshot_unique_issue")]
        indexes = [models.Index(fields=["site", "assignee"])]

    def __str__(self) -> str:
        return self.key


class Reminder(models.Model):
    """One reminder for one member about one issue: unique per rule and occasion.

    ``occasion`` is the day it is about (the due date for *due soon*, the due date and the
    week for *overdue*, the assignment's time for *assigned*, the day for *stale*), so a
    re-run finds the row and adds nothing, while a moved due date is a new occasion.
    """

    class Rule(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        ASSIGNED = "assigned", "Newly assigned"
        STALE = "stale", "Stale"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for delivery"
        SENT = "sent", "Sent"
        DROPPED = "dropped", "Dropped (no longer applies)"
        HELD = "held", "Held (the member was away: in their summary)"

    link = models.ForeignKey(JiraLink, on_delete=models.CASCADE, related_name="reminders")
    issue_id = models.CharField(max_length=32)
    issue_key = models.CharField(max_length=32)
    rule = models.CharField(max_length=16, choices=Rule.choices)
    occasion = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    not_before = models.DateTimeField(default=now, help_text="Held until then (a snooze)")
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)
    outbox_key = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["link", "issue_id", "rule", "occasion"], name="reminder_once_per_issue_rule_occasion"
            ),
        ]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.issue_key} ({self.occasion})"


class IssueMute(models.Model):
    """A member muted an issue (``until`` empty) or snoozed it until ``until``."""

    link = models.ForeignKey(JiraLink, on_delete=models.CASCADE, related_name="mutes")
    issue_id = models.CharField(max_length=32)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "issue_id"], name="issuemute_one_per_issue")]

    def __str__(self) -> str:
        return f"{self.issue_id} muted until {self.until or 'unmuted'}"


class Subscription(models.Model):
    """New and transitioned issues matching ``jql`` are posted to a channel."""

    site = models.ForeignKey(JiraSite, on_delete=models.CASCADE, related_name="subscriptions")
    channel_id = models.BigIntegerField()
    jql = models.CharField(max_length=1000)
    created_by = models.ForeignKey("core.Member", null=True, on_delete=models.SET_NULL, related_name="+")
    watermark = models.DateTimeField(null=True, blank=True, editable=False)
    seen = models.JSONField(default=dict, blank=True, editable=False, help_text="issue id -> last status posted")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "channel_id", "jql"], name="subscription_unique_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.jql} → #{self.channel_id}"
