"""The Jira app's holdings of a member's data (core.personal_data).

Forgetting unlinks Jira: the link's tokens, reminders and mutes go with it (as ``/jira
unlink``); nothing is written to Jira, which the member's account belongs to.
"""

from __future__ import annotations

from core.personal_data import UNLINK, Holding, register

TOKENS = ("access_token", "refresh_token", "access_expires_at")

register(Holding("jira_sync.JiraLink", "Your Jira links", ("member",), secret=TOKENS))
register(
    Holding(
        "jira_sync.LinkAttempt", "Jira link attempts", ("member",), secret=("token", "state", "pkce_verifier", "code")
    )
)
register(Holding("jira_sync.JiraSite", "Jira sites that tell you of failures", ("notify_member",), forget=UNLINK))
register(Holding("jira_sync.Subscription", "Jira subscriptions you made", ("created_by",), forget=UNLINK))
