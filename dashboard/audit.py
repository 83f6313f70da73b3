"""The organiser log: each change made from the dashboard, written with the change itself."""

from __future__ import annotations

from core.models import Guild, Member, OrganiserAction
from core.permissions import SESSION_MEMBER_ID


def record(request, guild: Guild, action: str, target, detail: str = "") -> OrganiserAction:
    """Log that the request's user did ``action`` to ``target`` (a row, named as it is now) in ``guild``."""
    member_id = request.session.get(SESSION_MEMBER_ID)
    member = Member.objects.filter(id=member_id).first() if member_id else None
    actor = (member.display_name or member.username) if member else request.user.get_username()
    name = f"{target} ({target._meta.verbose_name} {target.pk})" if hasattr(target, "_meta") else str(target)
    return OrganiserAction.objects.create(
        guild=guild,
        user=request.user if request.user.is_authenticated else None,
        member=member,
        actor=actor[:150],
        action=action,
        target=name[:200],
        detail=detail[:500],
    )
