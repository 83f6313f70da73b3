"""The organiser log: who changed what, when, from the dashboard or the admin, per guild.

Written in the request's transaction next to the change (a row per change, shown on the
dashboard's *Organiser log*). Django's admin ``LogEntry`` is still written too; it knows
no guild and loses its object on deletion, which is why this log keeps its own rows.
"""

from __future__ import annotations

from core.models import Guild, Member, OrganiserAction
from core.permissions import SESSION_MEMBER_ID

Via = OrganiserAction.Via
FORGOTTEN_ACTOR = "a forgotten member"


def guild_id_of(obj) -> int | None:
    """The guild a row belongs to: itself, its ``guild``, or its ``event``'s / ``poll``'s (as the admin scopes)."""
    if isinstance(obj, Guild):
        return obj.pk
    if getattr(obj, "guild_id", None):
        return obj.guild_id
    for parent in ("event", "poll"):
        if getattr(obj, f"{parent}_id", None):
            return getattr(obj, parent).guild_id
    return None


def named(target) -> str:
    """How a row is named in the log, as it is called now: ``Picnic (event 12)``."""
    if hasattr(target, "_meta"):
        return f"{target} ({target._meta.verbose_name} {target.pk})"
    return str(target)


def record(
    request, guild_id: int, action: str, target, detail: str = "", *, via: str = Via.DASHBOARD, submission: str = ""
):
    """Log that the request's user did ``action`` to ``target`` in the guild.

    ``submission`` is a creating form's one-time token: a second action with the same one
    raises ``IntegrityError`` (call it inside the creation's transaction, which then rolls back).
    """
    member_id = request.session.get(SESSION_MEMBER_ID)
    member = Member.objects.filter(id=member_id).first() if member_id else None
    actor = (member.display_name or member.username) if member else request.user.get_username()
    return OrganiserAction.objects.create(
        guild_id=guild_id,
        user=request.user if request.user.is_authenticated else None,
        member=member,
        actor=actor[:150],
        action=action[:50],
        target=named(target)[:200],
        object_id=target.pk if hasattr(target, "_meta") else None,
        detail=detail[:500],
        via=via,
        submission=submission_key(guild_id, submission) if submission else None,
    )


def submission_key(guild_id: int, submission: str) -> str:
    return f"{guild_id}:{submission}"[:64]


def submitted(guild_id: int, submission: str) -> OrganiserAction | None:
    """The action a form with this one-time token already made, if it was sent before."""
    if not submission:
        return None
    return OrganiserAction.objects.filter(guild_id=guild_id, submission=submission_key(guild_id, submission)).first()


def admin_change(request, obj, action: str, message=None) -> None:
    """The admin's addition, change or deletion of ``obj``, when it belongs to a guild."""
    guild_id = guild_id_of(obj)
    if guild_id is not None:
        record(request, guild_id, f"{action} {obj._meta.verbose_name}", obj, _fields(message), via=Via.ADMIN)


def _fields(message) -> str:
    """The admin's change message (a list of ``{"changed": {"fields": [...]}}``...) as one line."""
    if not isinstance(message, list):
        return str(message or "")
    parts = []
    for entry in message:
        for verb, what in entry.items():
            fields = what.get("fields") or []
            name = what.get("name", "")
            parts.append(" ".join(filter(None, (verb, name, ", ".join(str(f) for f in fields)))))
    return "; ".join(parts)


def record_forgotten(guild_id: int, rows: int) -> OrganiserAction:
    """Log in the guild that a member used Forget me: no name, no content, only how many rows changed."""
    return OrganiserAction.objects.create(
        guild_id=guild_id,
        actor=FORGOTTEN_ACTOR,
        action="forgot their data",
        target="a member's personal data",
        detail=f"{rows} rows deleted or anonymised across Muster",
        via=Via.DISCORD,
    )
