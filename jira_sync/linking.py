"""Linking a member's Jira account so it cannot be spoofed.

``/jira link`` gives a one-time URL (10 minutes, single use, bound to the Discord member).
On a service-account site the page shows a code that the member comments on the site's
link issue; Muster's service account reads that issue's comments and trusts the comment's
``author.accountId``, which Jira authenticated. The code lasts 15 minutes and works once.
(OAuth sites: ``jira_sync.oauth``.) Never an email, a display name or a typed account id.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from core import outbox
from core.errors import RuleError
from core.markup import escape
from jira_sync.client import JiraFailure, jira_time
from jira_sync.models import JiraLink, JiraSite, LinkAttempt
from jira_sync.polling import ACCOUNT_ID
from jira_sync.sites import client_for

log = logging.getLogger(__name__)

LINK_TTL = timedelta(minutes=10)
CODE_TTL = timedelta(minutes=15)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
USED = "This link was already used. Run /jira link in Discord for a new one."
EXPIRED = "This link has expired (links last 10 minutes). Run /jira link in Discord for a new one."
TAKEN = "That Jira account is already linked to another Discord member."


def start(site: JiraSite, member_id: int, now: datetime) -> str:
    """A fresh one-time connect URL for ``member_id`` on ``site``."""
    if site.auth == JiraSite.Auth.SERVICE_ACCOUNT and not site.link_issue_key:
        raise RuleError("This Jira site has no link issue set up yet: ask an organiser to set one in the admin.")
    attempt = LinkAttempt.objects.create(
        token=secrets.token_urlsafe(32), site=site, member_id=member_id, expires_at=now + LINK_TTL
    )
    return f"{settings.MUSTER_PUBLIC_URL.rstrip('/')}/jira/connect/{attempt.token}"


def _new_code() -> str:
    return "MUSTER-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def open_link(token: str, session_key: str, now: datetime) -> LinkAttempt:
    """The page behind the URL: the first browser session to open it owns it; anyone else is refused."""
    with transaction.atomic():
        attempt = LinkAttempt.objects.select_for_update().select_related("site").filter(token=token).first()
        if attempt is None:
            raise RuleError("This link does not exist. Run /jira link in Discord for a new one.")
        if attempt.used_at is not None or (attempt.opened_at and attempt.session_key != session_key):
            raise RuleError(USED)
        if attempt.opened_at is None:
            if attempt.expires_at <= now:
                raise RuleError(EXPIRED)
            attempt.opened_at, attempt.session_key = now, session_key
            if attempt.site.auth == JiraSite.Auth.SERVICE_ACCOUNT:
                attempt.code, attempt.code_expires_at = _new_code(), now + CODE_TTL
            attempt.save()
        return attempt


def _text(node) -> str:
    """The plain text of a comment body: a string (v2) or Atlassian Document Format (v3)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return (node.get("text") or "") + " ".join(_text(c) for c in node.get("content") or [])
    if isinstance(node, list):
        return " ".join(_text(c) for c in node)
    return ""


def sites_awaiting_codes(now: datetime) -> list[int]:
    return list(
        LinkAttempt.objects.filter(used_at__isnull=True, code_expires_at__gt=now)
        .exclude(code="")
        .values_list("site_id", flat=True)
        .distinct()
    )


def check_codes(site_id: int, now: datetime) -> list[int]:
    """Read the link issue's comments once; link each member whose open code a comment carries.

    A comment counts only if written after its code was shown, and only by an account
    that no other member has linked. Returns the new links' ids.
    """
    site = JiraSite.objects.filter(id=site_id, active=True).first()
    if site is None:
        return []
    waiting = LinkAttempt.objects.filter(site=site, used_at__isnull=True, code_expires_at__gt=now).exclude(code="")
    waiting = list(waiting.order_by("id"))
    if not waiting or not site.link_issue_key:
        return []
    try:
        comments = client_for(site).comments(site.link_issue_key)
    except JiraFailure as exc:
        log.warning("site %s: reading the link issue failed: %s", site.id, exc.sentence)
        return []
    linked = []
    for attempt in waiting:
        for comment in reversed(comments):  # oldest first: the first to post a code is the one trusted
            author = comment.get("author") or {}
            account_id = author.get("accountId") or ""
            if attempt.code not in _text(comment.get("body")).upper() or not ACCOUNT_ID.match(account_id):
                continue
            if jira_time(comment.get("created")) < attempt.opened_at.replace(microsecond=0):
                continue
            link = _complete(attempt, account_id, author.get("displayName") or "", now)
            if link is not None:
                linked.append(link.id)
            break
    return linked


def _complete(attempt: LinkAttempt, account_id: str, display_name: str, now: datetime) -> JiraLink | None:
    """Use the attempt (once) and store the verified account; the member is told by DM either way."""
    with transaction.atomic():
        if not LinkAttempt.objects.filter(id=attempt.id, used_at__isnull=True).update(used_at=now):
            return None
        try:
            link = store_link(attempt, account_id, display_name, now)
        except RuleError:
            _tell(attempt, "That Jira account is already linked to another Discord member; nothing was changed.", now)
            return None
        who, where = escape(display_name or account_id), escape(attempt.site.name)
        _tell(attempt, f"Your Jira account **{who}** is now linked on {where}.", now)
        return link


def store_link(attempt: LinkAttempt, account_id: str, display_name: str, now: datetime, **fields) -> JiraLink:
    """Link the attempt's member to a Jira account Jira vouched for, inside the caller's
    transaction (both flows: the comment code and OAuth, whose tokens come in ``fields``).
    RuleError(TAKEN) when another member of the site holds that account."""
    if JiraLink.objects.filter(site=attempt.site, account_id=account_id).exclude(member=attempt.member).exists():
        raise RuleError(TAKEN)
    defaults = {"account_id": account_id, "display_name": display_name[:255], "status": JiraLink.Status.ACTIVE}
    try:
        with transaction.atomic():
            link, _ = JiraLink.objects.update_or_create(
                site=attempt.site,
                member_id=attempt.member_id,
                defaults={**defaults, "linked_at": now, "seeded_at": None, **fields},
            )
    except IntegrityError:
        raise RuleError(TAKEN) from None
    return link


def _tell(attempt: LinkAttempt, text: str, now: datetime) -> None:
    outbox.enqueue(
        key=f"jira:link:{attempt.id}",
        member_id=attempt.member_id,
        guild_id=attempt.site.guild_id,
        payload={"content": text},
    )
