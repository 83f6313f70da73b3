"""manage.py backup / restore: a database with rows in every app, restored into a fresh one, row for row."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from api.models import ApiToken
from sheets_export.models import ExportTarget
from tests.core.member_rows import member_everywhere
from tests.events.factories import NOW

MANAGE = [sys.executable, "manage.py"]


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*MANAGE, *args], env=env, capture_output=True, text=True, timeout=120)


def rows_by_table(url: str) -> dict[str, list[tuple]]:
    """Every row of every Muster model's table (and Django's, allauth's), in primary key order."""
    tables = sorted({model._meta.db_table for model in apps.get_models()})
    with psycopg.connect(url) as db:
        return {table: db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables}  # noqa: S608


@pytest.mark.e2e
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_holds_every_row(cast, process_env, postgres_server, tmp_path):
    member_everywhere(cast)
    ExportTarget.objects.create(guild=cast.guild, spreadsheet_id="sheet-1", configured_by_id=cast.organiser.member_id)
    ApiToken.objects.create(guild=cast.guild, name="CI", prefix="abc", digest="d" * 64, expires_at=NOW)
    dump = tmp_path / "muster.dump"

    made = manage("backup", f"--output={dump}", env=process_env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Backed up to {dump} (PostgreSQL custom format (pg_dump), ")

    with psycopg.connect(postgres_server.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS muster_restored")
        admin.execute("CREATE DATABASE muster_restored")
    fresh = f"postgres://postgres@127.0.0.1:{postgres_server.port}/muster_restored"
    restored = manage("restore", f"--input={dump}", env={**process_env, "DATABASE_URL": fresh})
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout == f"Restored {dump}.\n"

    name = connection.settings_dict["NAME"]
    original = rows_by_table(f"postgres://postgres@127.0.0.1:{postgres_server.port}/{name}")
    copy = rows_by_table(fresh)
    filled = {table for table, rows in original.items() if rows}
    for app in ("core", "events", "polls", "carpool", "jira_sync", "sheets_export", "community", "api"):
        assert any(table.startswith(f"{app}_") for table in filled), app
    assert copy == original

    again = manage("restore", f"--input={dump}", env={**process_env, "DATABASE_URL": fresh})
    assert again.returncode == 1
    assert again.stderr.strip().endswith(
        "The database is not empty: restore into a new database, or pass --replace to overwrite it."
    )
    replaced = manage("restore", f"--input={dump}", "--replace", env={**process_env, "DATABASE_URL": fresh})
    assert replaced.returncode == 0, replaced.stderr
    assert rows_by_table(fresh) == original


@pytest.mark.e2e
def test_an_sqlite_database_is_backed_up_and_restored_by_its_backup_api(process_env, tmp_path):
    env = {**process_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}"}
    assert manage("migrate", "--verbosity=0", env=env).returncode == 0
    made = manage("shell", "-c", "from core.models import Guild; Guild.objects.create(id=42, name='HQ')", env=env)
    assert made.returncode == 0, made.stderr
    backup = tmp_path / "muster.sqlite3"
    assert manage("backup", f"--output={backup}", env=env).returncode == 0

    restored_env = {**process_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}
    restored = manage("restore", f"--input={backup}", env=restored_env)
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(tmp_path / "restored.sqlite3") as db:
        assert db.execute("SELECT id, name FROM core_guild").fetchall() == [(42, "HQ")]


def test_it_refuses_to_back_up_an_in_memory_database(tmp_path, settings):
    from core import backups
    from core.errors import RuleError

    if connection.vendor == "postgresql":
        pytest.skip("the in-memory refusal concerns SQLite")
    with pytest.raises(
        RuleError, match=r"^An in-memory SQLite database cannot be backed up or restored: set DATABASE_URL\.$"
    ):
        backups.backup(tmp_path / "x")
