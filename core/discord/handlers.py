"""Worker-side handlers of /muster: ping, help, and the member's time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone

from core import personal_data, privacy
from core.discord import messages
from core.errors import RuleError
from core.interactions import Interaction, Reply, Update, command, component
from core.interactions.declare import OPENS, TopLevel, top_level, walk
from core.interactions.routing import routes
from core.models import Guild, Member
from core.timezones import known_timezones, not_a_timezone


@command("muster ping")
def ping(interaction: Interaction) -> Reply:
    """Pong, with how long the gateway took to answer Discord and the whole trip so far."""
    return Reply(content=messages.pong(interaction), components=messages.ping_components())


@component(messages.PING_AGAIN)
def ping_again(interaction: Interaction) -> Update:
    """The "Ping again" button: the same message, new figures."""
    return Update(content=messages.pong(interaction), components=messages.ping_components())


@command("muster help")
def help_(interaction: Interaction) -> Reply:
    """The commands this member may use, by domain."""
    return Reply(content=messages.help_text(usable_commands(interaction)))


def usable_commands(interaction: Interaction) -> list[tuple[str, str]]:
    """(path, description) of every declared command whose permissions and check admit the member.

    The check is the command's route's ``allowed=``, or for a command that opens a form
    (``declare.opens``) the form's route's.
    """
    commands = {route.name: route for route in routes("command")}
    forms = {route.name: route for route in routes("modal")}
    usable = []
    for entry in top_level():
        for path, cmd in walk(entry):
            if interaction.guild_id is None and entry.guild_only:
                continue
            if not _has_default_permissions(interaction, entry, cmd):
                continue
            # A command that opens a form has no route of its own: the form's says who may.
            route = commands.get(path) or forms.get(cmd.extras.get(OPENS))
            if route is not None and not route.permits(interaction):
                continue
            usable.append((path, cmd.description))
    return sorted(usable)


def _has_default_permissions(interaction: Interaction, entry: TopLevel, cmd) -> bool:
    required = cmd.default_permissions or entry.default_permissions
    return required is None or interaction.actor.has_permission(required.value)


@command("muster timezone")
def set_timezone(interaction: Interaction) -> Reply:
    """Save (or show) the member's time zone; "guild" goes back to the server's."""
    zone = (interaction.options.get("zone") or "").strip()
    member = Member.objects.get(id=interaction.actor.id)
    guild_tz = Guild.objects.filter(id=interaction.guild_id).values_list("timezone", flat=True).first() or "UTC"
    if not zone:
        current = member.timezone or f"{guild_tz} (the server's)"
        return Reply(content=f"Your time zone is {current}. Times you type are read in it.")
    if zone.lower() == "guild":
        zone = ""
    elif zone not in known_timezones():
        raise RuleError(not_a_timezone(zone))
    Member.objects.filter(id=member.id).update(timezone=zone)
    now = timezone.now().astimezone(ZoneInfo(zone or guild_tz))
    return Reply(content=f"Your time zone is now {zone or guild_tz}; it is {now:%H:%M} there.")


@command("muster privacy")
def privacy_summary(interaction: Interaction) -> Reply:
    """What Muster stores about the member who asks (only them: the answer is private)."""
    rows = personal_data.summary(interaction.actor.id)
    return Reply(content=messages.privacy_summary(rows), components=messages.privacy_components())


@component(messages.DOWNLOAD)
def download(interaction: Interaction) -> Reply:
    """The clicking member's data, as a JSON file by DM (made when it is sent)."""
    privacy.send_export(interaction.actor.id, interaction_id=interaction.id, guild_id=interaction.guild_id)
    return Reply(content="I am sending you a direct message with your data as a JSON file.")


@component(messages.FORGET_ME)
def forget_me(interaction: Interaction) -> Reply:
    """Forget me asks first, privately."""
    return Reply(content=messages.FORGET_WARNING, components=messages.forget_confirm_components())


@component(messages.FORGET_CONFIRM)
def forget_confirmed(interaction: Interaction) -> Update:
    """The clicking member is forgotten (never anyone else: the button names no one)."""
    rows = privacy.forget_me(interaction.actor.id, now=timezone.now())
    return Update(content=messages.forgotten(rows), components=[])


@component(messages.FORGET_CANCEL)
def forget_cancelled(interaction: Interaction) -> Update:
    return Update(content="Nothing was forgotten.", components=[])
