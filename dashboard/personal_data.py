"""The dashboard's holdings of a member's data (core.personal_data): their "Log in with Discord".

Forgetting deletes the web account made at their first login (its session tokens and
e-mail rows go with it; their organiser-log rows stay, without them). An operator's
account (staff or superuser) is kept and only loses its Discord link.
"""

from __future__ import annotations

from datetime import datetime

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.db.models import Q

from core.personal_data import Holding, register

PROVIDER = "discord"


def discord_accounts(member_id: int):
    return SocialAccount.objects.filter(provider=PROVIDER, uid=str(member_id))


def forget_accounts(member_id: int, now: datetime) -> int:
    accounts = discord_accounts(member_id)
    user_ids = list(accounts.values_list("user_id", flat=True))
    users = get_user_model().objects.filter(id__in=user_ids)
    operators = Q(is_staff=True) | Q(is_superuser=True)
    unlinked, _ = accounts.filter(user__in=users.filter(operators)).delete()
    deleted, _ = users.exclude(operators).delete()
    return unlinked + deleted


register(
    Holding(
        "socialaccount.SocialAccount", "Your dashboard login", ("uid",), forget=forget_accounts, rows=discord_accounts
    )
)
