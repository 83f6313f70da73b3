"""Use a bot in the Discord sandbox as a member would, from the command line.

``python -m sandbox.discord.member`` plays the Discord client: it types a slash command,
fills in the form the bot opens, clicks a button, and prints what the bot answers. It
reads the demo guild that ``make run`` creates in sandbox mode (``var/sandbox.json``)::

    python -m sandbox.discord.member /muster ping
    python -m sandbox.discord.member --as olivia /event create capacity:2 \\
        --field title="Picnic" --field start="tomorrow 18:00" --field location="The park"
    python -m sandbox.discord.member --as alice click Going
    python -m sandbox.discord.member messages
    python -m sandbox.discord.member --as alice dms

Options are ``name:value``; a user, channel or role option takes an id. Bad input gets
one line and exit status 2; an answer that does not come within ``--timeout`` exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sandbox.discord.control import DiscordControl

STATE_FILE = Path(__file__).resolve().parents[2] / "var" / "sandbox.json"
MODAL = 9
BUTTON, SELECT = 2, 3


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


def render(message: dict, names: dict[str, str] | None = None) -> str:
    """A message as text: content, embeds, then its buttons and menus; mentions by name."""
    text = _render(message)
    for name, user_id in (names or {}).items():
        text = text.replace(f"<@{user_id}>", f"@{name}")
    return text


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


def wait_for_answer(control: DiscordControl, interaction_id: str, timeout: float) -> list[dict]:
    """The messages the bot shows for an interaction once its worker has answered."""
    deadline = time.monotonic() + timeout
    while True:
        state = control.interaction(interaction_id)
        original = state.get("original") or {}
        answered = [m for m in [original] if m and not _thinking(m)] + list(state.get("followups") or [])
        if answered or time.monotonic() > deadline:
            return answered
        time.sleep(0.1)


def _thinking(message: dict) -> bool:
    # A deferred response is an empty "is thinking…" message until the bot edits it.
    return not message.get("content") and not message.get("embeds") and not message.get("history")


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
    result = control.inject_command(
        name,
        subcommand=" ".join(path) or None,
        options=parse_options(rest),
        channel_id=world["channel_id"],
        user_id=world["user_id"],
    )
    state = control.wait_for_response(result["id"], timeout=args.timeout, include_refused=True)
    response = state.get("response") or {}
    if response.get("type") == MODAL:
        modal = response.get("data") or {}
        fields = fill_modal(modal, dict(field.split("=", 1) for field in args.field))
        result = control.inject_modal_submit(
            channel_id=world["channel_id"], user_id=world["user_id"], custom_id=modal["custom_id"], fields=fields
        )
    return show_answer(control, world, result["id"], args.timeout)


def click(control, world, args) -> int:
    label = " ".join(args.words[1:]).lower()
    if not label:
        raise Usage("click needs a button label, e.g. click Going")
    # The newest message first; an exact label wins over one that only contains the text.
    for message in reversed(control.messages(world["channel_id"], include_deleted=False)):
        buttons = [
            item
            for row in message.get("components") or []
            for item in row.get("components") or []
            if item.get("type") == BUTTON and "custom_id" in item
        ]
        exact = [b for b in buttons if str(b.get("label", "")).lower() == label]
        partial = [b for b in buttons if label in str(b.get("label", "")).lower()]
        chosen = exact or partial
        if len(chosen) > 1:
            raise Usage(f"several buttons match {label!r}: " + ", ".join(b["label"] for b in chosen))
        if chosen:
            result = control.inject_component(
                message_id=message["id"], custom_id=chosen[0]["custom_id"], user_id=world["user_id"]
            )
            return show_answer(control, world, result["id"], args.timeout, message_id=message["id"])
    raise Usage(f"no message in the channel has a button labelled {label!r}")


def show_answer(control, world, interaction_id: str, timeout: float, message_id: str | None = None) -> int:
    answers = wait_for_answer(control, interaction_id, timeout)
    if message_id:  # a click edits the clicked message; show its latest version too
        time.sleep(0.5)
        answers = [control.message(message_id), *answers[1:]] if answers else [control.message(message_id)]
    if not answers:
        print(f"no answer within {timeout:.0f} s (is the worker running?)", file=sys.stderr)
        return 1
    print("\n\n".join(render(message, world["names"]) for message in answers))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.discord.member", description=__doc__.split("\n\n")[0])
    parser.add_argument("--as", dest="member", default="alice", help="the demo member to act as (alice, olivia)")
    parser.add_argument("--state", type=Path, default=STATE_FILE, help="the demo guild written by make run")
    parser.add_argument("--field", action="append", default=[], help="a form field, name=value")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("words", nargs="+", help="/command [sub] [name:value ...] | click LABEL | messages | dms")
    args = parser.parse_args(argv)
    try:
        if not args.state.exists():
            raise Usage(f"{args.state} not found: start Muster in sandbox mode with `make run` first")
        demo = json.loads(args.state.read_text())
        if args.member not in demo["members"]:
            raise Usage(f"no demo member {args.member!r}; choose one of {', '.join(demo['members'])}")
        if any("=" not in field for field in args.field):
            raise Usage("--field takes name=value")
        world = {"channel_id": demo["channel_id"], "user_id": demo["members"][args.member], "names": demo["members"]}
        with DiscordControl(demo["url"]) as control:
            verb = args.words[0]
            if verb.startswith("/"):
                return slash(control, world, args)
            if verb == "click":
                return click(control, world, args)
            if verb == "messages":
                for message in control.messages(world["channel_id"], include_deleted=False)[-10:]:
                    if not message.get("ephemeral"):
                        print(render(message, world["names"]), end="\n\n")
                return 0
            if verb == "dms":
                for message in control.dms(world["user_id"])[-10:]:
                    print(render(message, world["names"]), end="\n\n")
                return 0
            raise Usage(f"unknown verb {verb!r}: use /command, click, messages or dms")
    except Usage as problem:
        print(f"member: {problem}", file=sys.stderr)
        return 2
    except Exception as exc:  # the sandbox refused: say what it said, in one line
        print(f"member: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
