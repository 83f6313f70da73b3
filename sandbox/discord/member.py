"""Use a bot in the Discord sandbox as a member would, from the command line.

``python -m sandbox.discord.member`` plays the Discord client: it types a slash command,
fills in the form the bot opens, clicks a button or chooses in a menu, and prints what the
bot answers. It reads the demo guild that ``make run`` creates in sandbox mode
(``var/sandbox.json``) and acts as any member of that guild::

    python -m sandbox.discord.member /muster ping
    python -m sandbox.discord.member --as olivia /event create capacity:2 \\
        --field title="Picnic" --field start="tomorrow 18:00" --field location="The park"
    python -m sandbox.discord.member --as alice click Going
    python -m sandbox.discord.member --as alice choose Pizza Sushi
    python -m sandbox.discord.member messages
    python -m sandbox.discord.member --as alice dms
    python -m sandbox.discord.member add-member bob            # then --as bob

Options are ``name:value``; a member is ``@name`` and a channel ``#name``, as typed in
Discord's client. ``click`` and ``choose`` use the newest message the member can see (the
posts in the guild's channels and their own private answers) with that label, an exact label before one
that only contains it. Bad input gets one line and exit status 2; an answer that does not
come within ``--timeout`` exit 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sandbox.discord.control import DiscordControl, WaitTimeout

STATE_FILE = Path(__file__).resolve().parents[2] / "var" / "sandbox.json"
MODAL = 9
BUTTON, SELECT = 2, 3
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE = 3, 4, 5, 6, 7, 8, 9
EPHEMERAL, LOADING = 1 << 6, 1 << 7
TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
# After a click's private answer, how long to wait for the clicked post to be redrawn (the
# bot redraws at most once per REFRESH_INTERVAL, 2 s by default; a refused click redraws nothing).
REFRESH_WAIT_S = 4.0
# A click whose post was redrawn first may still have a private reply on its way.
REPLY_GRACE_S = 1.0


class Usage(Exception):
    """Input the member typed that cannot be sent; the message says why."""


def parse_options(words: list[str]) -> dict:
    options = {}
    for word in words:
        name, sep, value = word.partition(":")
        if not sep or not name:
            raise Usage(f"option {word!r} is not name:value")
        if value.lower() in ("true", "false"):
            options[name] = value.lower() == "true"
        elif value.lstrip("-").isdigit() and len(value) < 16:
            options[name] = int(value)
        else:
            options[name] = value
    return options


def render(message: dict, names: dict[str, str] | None = None, channels: dict[str, str] | None = None) -> str:
    """A message as text: content, embeds, then its buttons and menus; mentions by name."""
    text = _render(message)
    for name, user_id in (names or {}).items():
        text = text.replace(f"<@{user_id}>", f"@{name}")
    for name, channel_id in (channels or {}).items():
        text = text.replace(f"<#{channel_id}>", f"#{name}")
    return TIMESTAMP.sub(lambda match: timestamp(int(match[1]), match[2] or "f"), text)


def timestamp(seconds: int, style: str, now: float | None = None) -> str:
    """A ``<t:seconds:style>`` mention as Discord's client shows it, in UTC (the tool knows no zone)."""
    if style == "R":
        delta = seconds - (time.time() if now is None else now)
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
            if abs(delta) >= size or unit == "second":
                count = round(abs(delta) / size)
                amount = f"{count} {unit}{'' if count == 1 else 's'}"
                return f"in {amount}" if delta >= 0 else f"{amount} ago"
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    shown = {
        "t": "%H:%M",
        "T": "%H:%M:%S",
        "d": "%Y-%m-%d",
        "D": "%-d %B %Y",
        "F": "%A, %-d %B %Y %H:%M",
    }.get(style, "%-d %B %Y %H:%M")
    return moment.strftime(shown) + ("" if style in "dD" else " UTC")


def _render(message: dict) -> str:
    lines = []
    if message.get("content"):
        lines.append(message["content"])
    for embed in message.get("embeds") or []:
        if embed.get("title"):
            lines.append(f"== {embed['title']} ==")
        if embed.get("description"):
            lines.append(embed["description"])
        lines.extend(f"{field['name']}: {field['value']}" for field in embed.get("fields") or [])
        if (embed.get("footer") or {}).get("text"):
            lines.append(f"({embed['footer']['text']})")
    for row in message.get("components") or []:
        for item in row.get("components") or []:
            if item.get("type") == BUTTON:
                lines.append(f"[{item.get('label') or item.get('emoji', {}).get('name', '?')}]")
            elif item.get("type") == SELECT:
                lines.append("<menu: " + ", ".join(o["label"] for o in item.get("options") or []) + ">")
    if message.get("flags", 0) & 64:
        lines.insert(0, "(only you can see this)")
    return "\n".join(lines) or "(empty message)"


def resolve_mentions(options: dict, types: dict[str, int], world: dict) -> dict:
    """``@name`` and ``#name`` in member, role and channel options become ids, as the client does."""
    resolved = dict(options)
    for name, value in options.items():
        kind = types.get(name)
        if kind not in (USER, CHANNEL, ROLE, MENTIONABLE) or not isinstance(value, str):
            continue
        if kind == CHANNEL:
            table, what, text = world["channels"], "channel", value.removeprefix("#")
        else:
            text = value.removeprefix("@").removeprefix("&")
            table = {
                USER: world["names"],
                ROLE: world["roles"],
                MENTIONABLE: {**world["roles"], **world["names"]},
            }[kind]
            what = {USER: "member", ROLE: "role", MENTIONABLE: "member or role"}[kind]
        found = {key.lower(): snowflake for key, snowflake in table.items()}.get(text.lower())
        if found is None and text.isdigit():
            found = text
        if found is None:
            people = world["people"] if kind == USER else {**world["people"], **world["roles"]}
            shown = list(table) if kind in (CHANNEL, ROLE) else [key for key in table if key in people]
            known = ", ".join(("#" if kind == CHANNEL else "@") + key for key in shown)
            raise Usage(f"option {name}: the guild has no {what} {value!r}; it has {known}")
        resolved[name] = found
    return resolved


def option_types(commands: dict, guild_id: str, name: str, path: list[str]) -> dict[str, int]:
    """The declared type of each option of ``/name path...`` (empty if it is not registered)."""
    candidates = [*commands.get("guilds", {}).get(str(guild_id), []), *commands.get("global", [])]
    command = next((cmd for cmd in candidates if cmd["name"] == name and cmd.get("type", 1) == 1), None)
    options = (command or {}).get("options") or []
    for part in path:
        options = next((o.get("options") or [] for o in options if o["name"] == part and o["type"] in (1, 2)), [])
    return {o["name"]: o["type"] for o in options}


def _shown(message: dict | None) -> bool:
    # A deferred response is a loading "is thinking…" message until the bot edits it.
    return bool(message) and not message.get("deleted") and not (message.get("flags", 0) & LOADING)


def wait_for_answer(control: DiscordControl, interaction_id: str, timeout: float) -> list[dict]:
    """The messages the bot shows for a command or form once its worker has answered."""
    deadline = time.monotonic() + timeout
    while True:
        state = control.interaction(interaction_id)
        original = state.get("original")
        answered = [original] if _shown(original) else []
        answered += [m for m in state.get("followups") or [] if not m.get("deleted")]
        if answered or time.monotonic() > deadline:
            return answered
        time.sleep(0.1)


def wait_for_click_answer(
    control: DiscordControl, interaction_id: str, clicked: dict, timeout: float
) -> tuple[dict, list[dict]] | None:
    """The clicked message redrawn and the click's own answers (its private replies).

    A click is answered by editing the clicked message or by a follow-up; after a follow-up
    the bot usually redraws the clicked post (a roster, a tally), so that is waited for too,
    up to ``REFRESH_WAIT_S``. None when nothing came within ``timeout``.
    """
    before = len(clicked.get("history") or [])
    deadline = time.monotonic() + timeout
    redraw_by = reply_by = None
    while True:
        now = time.monotonic()
        followups = [m for m in control.interaction(interaction_id).get("followups") or [] if not m.get("deleted")]
        message = control.message(clicked["id"])
        if len(message.get("history") or []) > before and reply_by is None:
            # Redrawn: by the answer itself (an update) or by a refresh that beat the reply.
            reply_by = min(now + REPLY_GRACE_S, deadline)
        if followups and redraw_by is None:
            redraw_by = min(now + REFRESH_WAIT_S, deadline)
        if reply_by is not None and (followups or now > reply_by):
            return message, followups
        if redraw_by is not None and now > redraw_by:
            return message, followups
        if now > deadline:
            return None
        time.sleep(0.1)


def fill_modal(modal: dict, fields: dict[str, str]) -> dict[str, str]:
    """Map ``--field`` names (a text input's custom_id or label) to the form's inputs."""
    inputs = {}
    for row in modal.get("components") or []:
        for item in row.get("components") or [row.get("component")]:
            if item and "custom_id" in item:
                inputs[item["custom_id"]] = item
    answers, unknown = {}, []
    for name, value in fields.items():
        match = next(
            (cid for cid, item in inputs.items() if name.lower() in (cid.lower(), str(item.get("label", "")).lower())),
            None,
        )
        if match is None:
            unknown.append(name)
        answers[match] = value
    if unknown:
        labels = ", ".join(str(item.get("label") or cid) for cid, item in inputs.items())
        raise Usage(f"the form has no field {unknown[0]!r}; its fields are: {labels}")
    missing = [
        str(i.get("label") or cid) for cid, i in inputs.items() if i.get("required", True) and cid not in answers
    ]
    if missing:
        raise Usage(f"the form '{modal.get('title', '')}' needs --field for: {', '.join(missing)}")
    return answers


def slash(control, world, args) -> int:
    words = args.words
    name = words[0].lstrip("/")
    path, rest = [], words[1:]
    while rest and ":" not in rest[0]:
        path.append(rest.pop(0))
    types = option_types(control.commands(), world["guild_id"], name, path)
    result = control.inject_command(
        name,
        subcommand=" ".join(path) or None,
        options=resolve_mentions(parse_options(rest), types, world),
        channel_id=world["channel_id"],
        user_id=world["user_id"],
    )
    try:
        state = control.wait_for_response(result["id"], timeout=args.timeout, include_refused=True)
    except WaitTimeout:
        return no_answer(args.timeout)
    response = state.get("response") or {}
    if response.get("type") == MODAL:
        modal = response.get("data") or {}
        fields = fill_modal(modal, dict(field.split("=", 1) for field in args.field))
        result = control.inject_modal_submit(
            channel_id=world["channel_id"], user_id=world["user_id"], custom_id=modal["custom_id"], fields=fields
        )
    answers = wait_for_answer(control, result["id"], args.timeout)
    if not answers:
        return no_answer(args.timeout)
    print("\n\n".join(render(message, world["names"], world["channels"]) for message in answers))
    return 0


def visible_messages(control, world) -> list[dict]:
    """The guild's text channels as the acting member sees them, newest first: the posts and
    their own private answers (never another member's)."""
    seen = []
    for channel_id in world["channels"].values():
        for message in control.messages(channel_id, include_deleted=False):
            if message.get("ephemeral"):
                owner = ((message.get("payload") or {}).get("interaction_metadata") or {}).get("user") or {}
                if owner.get("id") != world["user_id"]:
                    continue
            seen.append(message)
    return sorted(seen, key=lambda message: int(message["id"]), reverse=True)


def _components(message: dict, kind: int) -> list[dict]:
    return [
        item
        for row in message.get("components") or []
        for item in row.get("components") or []
        if item.get("type") == kind and "custom_id" in item and not item.get("disabled")
    ]


def _pick(items: list[dict], label: str) -> tuple[list[dict], list[dict]]:
    exact = [i for i in items if str(i.get("label", "")).lower() == label]
    return exact, [i for i in items if label in str(i.get("label", "")).lower()]


def describe(message: dict, world: dict) -> str:
    """How the member tool names a message it used: private or not, first line, channel, id."""
    first = render({**message, "components": [], "flags": 0}, world["names"], world["channels"])
    first = first.splitlines()[0].strip("= ")
    first = first if len(first) <= 60 else first[:59] + "…"
    private = "your private message" if message.get("ephemeral") else "the post"
    channel = next((name for name, cid in world["channels"].items() if cid == message["channel_id"]), "?")
    return f'{private} "{first}" in #{channel} (message {message["id"]})'


def click(control, world, args) -> int:
    label = " ".join(args.words[1:]).lower()
    if not label:
        raise Usage("click needs a button label, e.g. click Going")
    messages = visible_messages(control, world)
    # An exact label on any message wins over one that only contains the text; newest first.
    for exact in (True, False):
        for message in messages:
            chosen = _pick(_components(message, BUTTON), label)[0 if exact else 1]
            if len(chosen) > 1:
                labels = ", ".join(repr(b["label"]) for b in chosen)
                raise Usage(f"several buttons on one message match {label!r}: {labels}; type one in full")
            if chosen:
                print(f"clicked [{chosen[0]['label']}] on {describe(message, world)}")
                result = control.inject_component(
                    message_id=message["id"], custom_id=chosen[0]["custom_id"], user_id=world["user_id"]
                )
                return show_click(control, world, result["id"], message, args.timeout)
    raise Usage(f"no message you can see has a button labelled {label!r}")


def choose(control, world, args) -> int:
    labels = [word.lower() for word in args.words[1:]]
    if not labels:
        raise Usage("choose needs one or more menu entries, e.g. choose Pizza")
    for message in visible_messages(control, world):
        for menu in _components(message, SELECT):
            options = menu.get("options") or []
            picked = []
            for label in labels:
                exact, partial = _pick(options, label)
                match = exact or partial
                if len(match) != 1:
                    break
                picked.append(match[0])
            if len(picked) == len(labels):
                names = ", ".join(option["label"] for option in picked)
                print(f"chose {names} in the menu on {describe(message, world)}")
                result = control.inject_component(
                    message_id=message["id"],
                    custom_id=menu["custom_id"],
                    user_id=world["user_id"],
                    values=[option["value"] for option in picked],
                )
                return show_click(control, world, result["id"], message, args.timeout)
    raise Usage(f"no menu you can see offers {' and '.join(repr(label) for label in labels)}")


def show_click(control, world, interaction_id: str, message: dict, timeout: float) -> int:
    answered = wait_for_click_answer(control, interaction_id, message, timeout)
    if answered is None:
        return no_answer(timeout)
    clicked, followups = answered
    print("\n\n".join(render(m, world["names"], world["channels"]) for m in [clicked, *followups]))
    return 0


def no_answer(timeout: float) -> int:
    print(f"no answer within {timeout:.0f} s (is the worker running?)", file=sys.stderr)
    return 1


def show_messages(control, world, args) -> int:
    """The channel's last ``--last`` posts as everyone sees them, oldest first."""
    channel = world["channel_id"]
    if len(args.words) > 1:
        name = args.words[1].removeprefix("#")
        channel = world["channels"].get(name)
        if channel is None:
            raise Usage(f"the guild has no channel #{name}; it has {', '.join('#' + c for c in world['channels'])}")
    posts = [m for m in control.messages(channel, include_deleted=False) if not m.get("ephemeral")]
    for message in posts[-args.last :]:
        print(render(message, world["names"], world["channels"]), end="\n\n")
    return 0


def add_member(control, demo: dict, args) -> int:
    """``add-member NAME [ROLE...]``: a new member of the sandbox guild (GUILD_MEMBER_ADD)."""
    if len(args.words) < 2:
        raise Usage("add-member needs a name, e.g. add-member bob (roles may follow: add-member ines Organisers)")
    name, role_names = args.words[1].removeprefix("@"), args.words[2:]
    guild = control.guild(demo["guild_id"])
    if any(item["user"]["username"].lower() == name.lower() for item in guild["members"]):
        raise Usage(f"{name!r} is already a member of the sandbox guild")
    roles = {role["name"].lower(): role for role in guild["roles"] if role["name"] != "@everyone"}
    unknown = [r for r in role_names if r.removeprefix("@").lower() not in roles]
    if unknown:
        known = ", ".join(role["name"] for role in roles.values())
        raise Usage(f"the guild has no role {unknown[0]!r}; it has {known}")
    picked = [roles[r.removeprefix("@").lower()] for r in role_names]
    control.add_member(demo["guild_id"], username=name, roles=[role["id"] for role in picked])
    with_roles = f" with {', '.join(role['name'] for role in picked)}" if picked else ""
    print(f"{name} joined {guild['name']}{with_roles}; act as them with --as {name}")
    return 0


def load_world(control: DiscordControl, demo: dict, member: str) -> dict:
    """The acting member and the guild's members, roles and channels by name."""
    guild = control.guild(demo["guild_id"])
    names: dict[str, str] = {}
    for item in guild["members"]:
        user = item["user"]
        names.setdefault(user["username"], user["id"])
    for item in guild["members"]:  # a nickname finds the member too, unless it is someone's username
        if item.get("nick"):
            names.setdefault(item["nick"], item["user"]["id"])
    bots = {item["user"]["id"] for item in guild["members"] if item["user"].get("bot")}
    people = {key: value for key, value in names.items() if value not in bots}
    wanted = {key.lower(): value for key, value in people.items()}.get(member.lower())
    if wanted is None:
        raise Usage(f"no member {member!r} in the sandbox guild; choose one of {', '.join(people)}")
    return {
        "guild_id": demo["guild_id"],
        "channel_id": demo["channel_id"],
        "user_id": wanted,
        "names": names,
        "people": people,
        "roles": {role["name"]: role["id"] for role in guild["roles"] if role["name"] != "@everyone"},
        "channels": {ch["name"]: ch["id"] for ch in guild["channels"] if ch.get("type") == 0},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.discord.member", description=__doc__.split("\n\n")[0])
    parser.add_argument("--as", dest="member", default="alice", help="the guild member to act as (by username)")
    parser.add_argument("--state", type=Path, default=STATE_FILE, help="the demo guild written by make run")
    parser.add_argument("--field", action="append", default=[], help="a form field, name=value")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--last", type=int, default=10, help="how many posts `messages` shows")
    parser.add_argument(
        "words",
        nargs="+",
        help="/command [sub] [name:value ...] | click LABEL | choose LABEL... | messages [#channel] | dms"
        " | add-member NAME [ROLE...]",
    )
    args = parser.parse_args(argv)
    try:
        if not args.state.exists():
            raise Usage(f"{args.state} not found: start Muster in sandbox mode with `make run` first")
        demo = json.loads(args.state.read_text())
        if any("=" not in field for field in args.field):
            raise Usage("--field takes name=value")
        if args.last < 1:
            raise Usage("--last takes a number of posts, 1 or more")
        verbs = {"click": click, "choose": choose, "messages": show_messages}
        verb = args.words[0]
        if not verb.startswith("/") and verb not in (*verbs, "dms", "add-member"):
            raise Usage(f"unknown verb {verb!r}: use /command, click, choose, messages, dms or add-member")
        with DiscordControl(demo["url"]) as control:
            if verb == "add-member":
                return add_member(control, demo, args)
            world = load_world(control, demo, args.member)
            if verb.startswith("/"):
                return slash(control, world, args)
            if verb == "dms":
                for message in control.dms(world["user_id"])[-args.last :]:
                    print(render(message, world["names"], world["channels"]), end="\n\n")
                return 0
            return verbs[verb](control, world, args)
    except Usage as problem:
        print(f"member: {problem}", file=sys.stderr)
        return 2
    except Exception as exc:  # the sandbox refused: say what it said, in one line
        print(f"member: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
