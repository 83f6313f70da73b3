"""The Members page: the guild's members as Muster knows them, and the member sync status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.models import GuildMember, Member
from tests.factories import GuildMemberFactory, MemberFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db


def test_it_lists_the_members_and_the_sync_status(world):
    guild = world.cast.guild
    seen = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    GuildMember.objects.filter(pk=world.cast.member.pk).update(synced_ns=int(seen.timestamp() * 1e9))
    Member.objects.filter(pk=world.cast.member.member_id).update(timezone="Europe/Berlin", dms_closed_at=seen)
    GuildMemberFactory(guild=guild, member=MemberFactory(username="lena"), left_at=seen)
    page = log_in(world, "olivia").get(f"/dashboard/g/{guild.id}/members/")
    assert page.status_code == 200
    rows = [(m.member.username, m.organises, m.left_at is not None) for m in page.context["page"]]
    assert rows == [("alice", False, False), ("olivia", True, False), ("lena", False, True)]
    nav = [(link.name, link.current) for link in page.context["guild_nav"]]
    mine = ["members", "activity", "settings", "commands", "schedules", "tokens"]
    assert [name for name, _ in nav if name in mine] == mine
    assert [name for name, current in nav if current] == ["members"]
    assert page.context["sync"] == {"stored": 3, "current": 2, "seen": 1, "last_event_at": seen}
    html = page.content.decode()
    assert "2 current of 3 stored; 1 seen by the gateway" in html
    assert "Last directory event: 2026-11-30 13:00:00 CET" in html  # in the guild's zone, Europe/Paris
    assert "Europe/Berlin" in html
    assert "@oscar" not in html and "@otto" not in html and "@alice" in html


def test_outsiders_get_404(world):
    for name in ("otto", "oscar", "alice"):
        assert log_in(world, name).get(f"/dashboard/g/{world.cast.guild.id}/members/").status_code == 404, name
    olivia = log_in(world, "olivia")
    assert olivia.get(f"/dashboard/g/{world.cast.outsider.guild.id}/members/").status_code == 404
    assert olivia.get("/dashboard/g/1/members/").status_code == 404


def test_a_page_number_that_is_not_a_number_shows_the_first_page(world):
    page = log_in(world, "olivia").get(f"/dashboard/g/{world.cast.guild.id}/members/?page=abc")
    assert page.status_code == 200
    assert page.context["page"].number == 1
