"""Backups of Muster's database, and restoring one: what ``manage.py backup`` / ``restore`` run.

PostgreSQL: ``pg_dump --format=custom`` (compressed, every table with its rows, sequences
and constraints) and ``pg_restore --single-transaction`` into the configured database,
which must be empty unless ``replace`` (then ``--clean --if-exists`` drops what is there
first). The password travels in ``PGPASSWORD``, never on a command line or in a log.

SQLite (``make run``'s default): Python's ``sqlite3`` backup API, which copies a live
database page by page consistently (a plain file copy could catch a half-written WAL), into
a file that is itself an SQLite database.

A backup holds members' data: store it like the database itself (encrypted, access-limited),
and keep it no longer than ``RETENTION_DAYS`` if members' erasure must reach backups too.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from core.errors import RuleError


def backup(output: Path) -> str:
    """Write the database to ``output``; returns which format was written."""
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={output}"])
        return "PostgreSQL custom format (pg_dump)"
    name = _sqlite_file()
    source = sqlite3.connect(name)
    try:
        target = sqlite3.connect(output)
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()
    return "SQLite database (sqlite3 backup API)"


def restore(source: Path, *, replace: bool = False) -> None:
    """Load a backup into the configured database (empty, unless ``replace``)."""
    if not source.is_file():
        raise RuleError(f"There is no backup file at {source}.")
    if connection.introspection.table_names() and not replace:
        raise RuleError("The database is not empty: restore into a new database, or pass --replace to overwrite it.")
    if connection.vendor == "postgresql":
        clean = ["--clean", "--if-exists"] if replace else []
        _run(
            [
                "pg_restore",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *clean,
                str(source),
            ]
        )
        return
    name = _sqlite_file()
    connection.close()
    backup_db = sqlite3.connect(source)
    try:
        target = sqlite3.connect(name)
        with target:
            backup_db.backup(target)
        target.close()
    finally:
        backup_db.close()


def _sqlite_file() -> str:
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or "mode=memory" in name:
        raise RuleError("An in-memory SQLite database cannot be backed up or restored: set DATABASE_URL.")
    return name


def _run(command: list[str]) -> None:
    settings = connection.settings_dict
    env = dict(os.environ, PGPASSWORD=str(settings.get("PASSWORD") or ""))
    options = [f"--dbname={settings['NAME']}"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            options.append(f"{flag}={settings[key]}")
    result = subprocess.run([*command, *options], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuleError(f"{command[0]} failed: {last}")
