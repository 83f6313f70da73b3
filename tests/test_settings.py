"""Settings come from the environment; bad values stop start-up with one line."""

import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "production-like-secret-0123456789",
    "ALLOWED_HOSTS": "muster.example.com",
    "DATABASE_URL": "postgres://muster:secret@db.example.com:5432/muster",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith("SECURE_")}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def assert_one_line_error(result: subprocess.CompletedProcess, expected: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]], result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_it_starts_with_production_settings():
    result = manage("check", **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_it_passes_the_deploy_checks_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_it_refuses_to_start_without_a_required_variable(variable):
    env = {k: v for k, v in PRODUCTION.items() if k != variable}
    result = manage("check", **env)
    assert_one_line_error(result, f"{variable} is required but not set")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("DATABASE_URL", "mysqlish://db/x", "DATABASE_URL must start with one of"),
        ("DATABASE_URL", "postgres://", "DATABASE_URL has no host name"),
        ("REDIS_URL", "http://redis:6379", "REDIS_URL must start with one of redis://, rediss://"),
        ("CONN_MAX_AGE", "soon", "CONN_MAX_AGE='soon' is not a whole number"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL='LOUD' is not one of"),
        ("CELERY_VISIBILITY_TIMEOUT", "60", "CELERY_VISIBILITY_TIMEOUT=60 must exceed"),
        ("DISCORD_PUBLIC_KEY", "not-the-key", "DISCORD_PUBLIC_KEY must be the portal's Public Key: 64 hexadecimal"),
    ],
)
def test_it_names_a_malformed_variable_in_one_line(variable, value, expected):
    result = manage("check", **{**PRODUCTION, variable: value})
    assert_one_line_error(result, expected)


def test_it_never_prints_the_database_password():
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": "postgres://u:hunter2@/x"})
    assert_one_line_error(result, "DATABASE_URL has no host name")
    assert "hunter2" not in result.stderr


def test_it_reads_secrets_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-file-" + "y" * 60 + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = manage("shell", "--no-imports", "-c", code, SECRET_KEY_FILE=str(secret), **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "y" * 60


def test_an_empty_variable_does_not_hide_its_file(tmp_path):
    # compose passes .env's `SECRET_KEY=` (empty) next to SECRET_KEY_FILE=/run/secrets/...
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-file-" + "z" * 60 + "\n")
    env = {**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "z" * 60


def test_it_names_an_unreadable_secret_file(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", SECRET_KEY_FILE=str(tmp_path / "missing"), **env)
    assert_one_line_error(result, "SECRET_KEY_FILE: cannot read")


def test_it_uses_sqlite_in_wal_mode_without_a_database_url(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(connection.vendor, c.execute('PRAGMA journal_mode').fetchone()[0])"
    )
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "wal"]
