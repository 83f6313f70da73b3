"""Roster sync: a club's CSV roster compared with the guild (not in the guild, not on the
roster, roles that differ), bad lines named, and the Member role applied through the sandbox
only when asked, after the permission and hierarchy checks."""

from __future__ import annotations

import pytest
from django.utils import timezone

from community import roster
from community.models import Roster, RosterEntry
from community.roster import RosterError
from core.errors import RuleError
from core.models import Guild, GuildMember, Member
from tests.factories import GuildMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db
DRIVER, MARSHAL = 520_000_000_000_000_001, 520_000_000_000_000_002


def member(guild, username: str, *roles: int) -> GuildMember:
    return GuildMemberFactory(guild=guild, member=MemberFactory(username=username), role_ids=list(roles))


def imported(guild_id: int, text: str):
    return roster.import_roster(guild_id, text.encode(), source="club.csv", now=timezone.now())


def names(rows) -> list[str]:
    return [getattr(r, "username", None) or r.member.username for r in rows]


def test_the_status_says_who_is_missing_who_is_extra_and_whose_roles_differ(cast):
    guild = cast.guild
    bob = member(guild, "bob", DRIVER)
    carol = member(guild, "carol", MARSHAL)
    Roster.objects.create(guild=guild, role_names={str(DRIVER): "Driver", str(MARSHAL): "Marshal"})
    imported(
        guild.id,
        "discord,external_id,roles\n"
        f"@Alice,C-1,Driver\n"
        f"{bob.member_id},C-2,Driver;Marshal\n"
        "carol,C-3,\n"
        "dave,C-4,Driver\n",
    )

    found = roster.status(guild.id)

    assert found.entries == 4
    assert [(e.line, e.username, e.external_id) for e in found.not_in_guild] == [(5, "dave", "C-4")]
    assert names(found.not_on_roster) == ["olivia"]  # (oscar is in another guild)
    differ = {d.member.member.username: (d.lacking, d.surplus) for d in found.roles_differ}
    assert differ == {"alice": ((DRIVER,), ()), "bob": ((MARSHAL,), ()), "carol": ((), (MARSHAL,))}
    assert found.unknown_roles == []
    assert carol.member_id not in {gm.member_id for gm in found.not_on_roster}


def test_roles_the_roster_never_names_are_no_difference_and_unknown_names_are_listed(cast):
    member(cast.guild, "bob", DRIVER, 999_000_000_000_000_001)  # some colour role
    imported(cast.guild.id, "discord,roles\nbob,Driver\nalice,Pit crew\n")
    Roster.objects.filter(guild=cast.guild).update(role_names={str(DRIVER): "Driver"})

    found = roster.status(cast.guild.id)

    assert found.roles_differ == []
    assert found.unknown_roles == ["Pit crew"]


def test_a_new_import_replaces_the_roster(cast):
    imported(cast.guild.id, "discord\nalice\nbob\n")
    imported(cast.guild.id, "discord\nolivia\n")

    assert list(RosterEntry.objects.filter(guild=cast.guild).values_list("username", flat=True)) == ["olivia"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", r"^The file is empty: line 1 should name the columns, e.g\. discord,external_id,roles\.$"),
        ("name,roles\nalice,\n", r"^Line 1 names no discord column: it should name the columns, e\.g\. "),
        (
            "discord,team\nalice,red\n",
            r'^Line 1: "team" is not a column of a roster \(discord, external_id, roles\)\.$',
        ),
        ("discord,external_id\nalice,1\n,2\n", r"^Line 3 has no Discord username or id\.$"),
        ("discord\nalice\nbob smith\n", r'^Line 3: "bob smith" is not a Discord username or id\.$'),
        ("discord\nalice\nbob\n@Alice\n", r"^Line 4: @Alice is on the roster twice \(line 2 first\)\.$"),
        ("discord\nalice,extra\n", r"^Line 2 has 2 cells; the header names 1 columns\.$"),
        ("discord\n\n", r"^The file names nobody: add a line per member below the header\.$"),
    ],
)
def test_a_bad_csv_is_refused_with_the_line_named_and_the_roster_kept(cast, text, error):
    imported(cast.guild.id, "discord\nolivia\n")

    with pytest.raises(RosterError, match=error):
        imported(cast.guild.id, text)
    assert RosterEntry.objects.filter(guild=cast.guild).count() == 1


def test_the_member_role_may_not_be_everyone(cast):
    with pytest.raises(RuleError, match=r"^@everyone cannot be the Member role: choose a role of its own\.$"):
        roster.set_member_role(cast.guild.id, cast.guild.id)


# The apply step, against the Discord sandbox.


@pytest.fixture
def club(live_discord):
    control, guild_id = live_discord.control, live_discord.guild_id
    guild = Guild.objects.create(id=guild_id, name="Muster HQ")
    role = int(control.create_role(guild_id, "Member")["id"])
    people = {}
    for name, holds in (("bob", True), ("carol", False), ("dave", True)):
        made = control.add_member(guild_id, username=name, roles=[str(role)] if holds else [])
        user_id = int(made["user"]["id"])
        Member.objects.create(id=user_id, username=name)
        GuildMember.objects.create(guild=guild, member_id=user_id, role_ids=[role] if holds else [])
        people[name] = user_id
    roster.set_member_role(guild_id, role)
    return live_discord, guild, role, people


def roles_in_discord(control, guild_id, user_id) -> list[int]:
    return [int(r) for r in control.member(guild_id, user_id)["roles"]]


def test_apply_adds_the_member_role_to_the_roster_and_removes_it_from_the_others(club):
    live, guild, role, people = club
    imported(guild.id, "discord\nbob\ncarol\n")  # dave holds the role but is no longer on the roster

    done = roster.apply(guild.id, now=timezone.now())

    assert (done.added, done.removed, done.left, done.problem) == (1, 1, 0, "")
    assert roles_in_discord(live.control, guild.id, people["carol"]) == [role]
    assert roles_in_discord(live.control, guild.id, people["dave"]) == []
    assert roles_in_discord(live.control, guild.id, people["bob"]) == [role]
    after = roster.status(guild.id)
    assert (after.to_add, after.to_remove) == ([], [])
    saved = Roster.objects.get(guild=guild)
    assert (saved.last_apply["added"], saved.last_apply["removed"], saved.applying_since) == (1, 1, None)
    assert saved.role_names[str(role)] == "Member"  # read from Discord on the way


def test_apply_changes_nothing_when_the_member_role_is_above_muster(club):
    live, guild, role, people = club
    imported(guild.id, "discord\nbob\ncarol\n")
    live.control.update_role(guild.id, role, position=5)
    live.control.set_bot_role_position(guild.id, 1)

    done = roster.apply(guild.id, now=timezone.now())

    assert done.problem == "Muster cannot hand out Member: drag Muster's role above it (Server Settings, Roles)."
    assert (done.added, done.removed) == (0, 0)
    assert roles_in_discord(live.control, guild.id, people["carol"]) == []
    assert roles_in_discord(live.control, guild.id, people["dave"]) == [role]


def test_apply_changes_nothing_without_manage_roles(live_discord):
    control = live_discord.control
    made = control.create_guild("No perms", bot_permissions=0)
    guild = Guild.objects.create(id=int(made["id"]), name="No perms")
    role = int(control.create_role(guild.id, "Member")["id"])
    carol = int(control.add_member(guild.id, username="carol")["user"]["id"])
    Member.objects.create(id=carol, username="carol")
    GuildMember.objects.create(guild=guild, member_id=carol)
    roster.set_member_role(guild.id, role)
    imported(guild.id, "discord\ncarol\n")

    done = roster.apply(guild.id, now=timezone.now())

    assert (
        done.problem == "Muster cannot hand out the Member role: give its role Manage Roles (Server Settings, Roles)."
    )
    assert roles_in_discord(control, guild.id, carol) == []


def test_a_second_apply_while_one_runs_does_nothing(club):
    _, guild, _, _ = club
    imported(guild.id, "discord\ncarol\n")
    now = timezone.now()
    assert roster.claim_apply(guild.id, now=now)

    assert roster.apply(guild.id, now=now).claimed is False
