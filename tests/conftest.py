"""The suite runs against its own PostgreSQL and Redis, started before Django loads.

Settings read the environment at import, so the servers start in pytest_configure and
their URLs are exported before ``django.setup()``; pytest-django then creates its test
database on that cluster. Child processes (worker, beat, gateway) get ``process_env``.

``DATABASE_URL=sqlite:///...`` runs the suite on SQLite instead (``make run``'s embedded
default; pytest-django uses an in-memory database): no PostgreSQL is started, and tests
marked ``postgres`` or ``e2e`` (real processes sharing the database, row locks) are skipped.
"""

from __future__ import annotations

import os

import pytest

from devtools.localservers import PostgresServer, RedisServer
from tests.processes import ManagedProcess, celery_worker_argv

SERVERS: dict[str, PostgresServer | RedisServer] = {}

TEST_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-django-deploy-checks-0123456789",
    "POLL_VOTER_KEY": "test-poll-voter-key-that-only-workers-hold-0123456789",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "LOG_LEVEL": "INFO",
    "INTERACTION_SIGNING_KEY": "test-interaction-signing-key-0123456789",
}


def pytest_configure(config):
    if config.getoption("help") or config.getoption("version"):
        return
    for name in ("DJANGO_READ_DOT_ENV_FILE", "DISCORD_TOKEN"):
        os.environ.pop(name, None)
    if xdist_controller(config):
        # `-n 2`: each worker process starts its own servers and sets Django up after them; this
        # one runs no test. Importing config (its Celery app) set DJANGO_SETTINGS_MODULE here: a
        # worker inheriting it would have pytest-django load the settings before the servers exist.
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        return
    if not on_sqlite():
        SERVERS["postgres"] = PostgresServer().start()
        config.add_cleanup(SERVERS["postgres"].destroy)
        os.environ["DATABASE_URL"] = SERVERS["postgres"].url
    SERVERS["redis"] = RedisServer().start()
    config.add_cleanup(SERVERS["redis"].destroy)
    os.environ.update(TEST_ENV, REDIS_URL=SERVERS["redis"].url)
    if not on_sqlite():
        from django.conf import settings

        # Django's backend whose flush (after each transactional test) deletes instead of truncating.
        settings.DATABASES["default"]["ENGINE"] = "tests.fast_flush_postgresql"

    import django

    django.setup()


def xdist_controller(config) -> bool:
    """Whether this is pytest-xdist's controlling process (``-n N``), which only hands out tests."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def on_sqlite() -> bool:
    """Whether this run is the SQLite pass (``DATABASE_URL=sqlite:///...``)."""
    return os.environ.get("DATABASE_URL", "").startswith("sqlite:")


# The files that take longest (a minute or more each), run first: with `-n 2 --dist loadfile`
# each worker takes the next file as it finishes one, so a long file left for last makes a
# tail in which one core idles.
LONGEST_FIRST = (
    "tests/e2e/test_fault_suite.py",
    "tests/test_readme_walkthrough.py",
    "tests/api/test_schemathesis.py",
    "tests/test_make_run.py",
)


def longest_first(items: list) -> None:
    """Order the files: the longest, then those with end-to-end tests, then the rest (each in its order)."""
    rank: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        here = 0 if path in LONGEST_FIRST else 1 if item.get_closest_marker("e2e") else 2
        rank[path] = min(rank.get(path, here), here)
    items.sort(key=lambda item: rank[item.nodeid.split("::", 1)[0]])


def pytest_collection_modifyitems(config, items):
    if not on_sqlite():
        longest_first(items)
        return
    skip = pytest.mark.skip(reason="PostgreSQL only (real processes or row locks); this is the SQLite pass")
    for item in items:
        if item.get_closest_marker("postgres") or item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def redis_server() -> RedisServer:
    return SERVERS["redis"]


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    if "postgres" not in SERVERS:
        pytest.skip("needs PostgreSQL (mark the test postgres); this is the SQLite pass")
    return SERVERS["postgres"]


@pytest.fixture
def flush_redis(redis_server):
    """Start from an empty broker, so no task left by another test runs in this one."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def process_env(postgres_server, redis_server):
    """The environment for a child process that shares this test's database.

    Only meaningful in ``django_db(transaction=True)`` tests: the child sees committed
    rows of pytest-django's test database.
    """
    from django.db import connection

    name = connection.settings_dict["NAME"]
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{postgres_server.port}/{name}"
    env["REDIS_URL"] = redis_server.url
    return env


@pytest.fixture
def early_processes() -> dict:
    """Processes a fixture started for another fixture of the same test, not yet waited for
    (tests/e2e/conftest.py's gateway starts the test's worker alongside it)."""
    return {}


@pytest.fixture
def start_process():
    """Start real child processes; every one is stopped when the test ends."""
    started: list[ManagedProcess] = []

    def start(argv: list[str], env: dict[str, str], name: str) -> ManagedProcess:
        process = ManagedProcess(argv, env, name)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop()


@pytest.fixture
def celery_worker(start_process, process_env, flush_redis):
    """A real ``celery worker`` consuming every Muster queue, ready when returned."""
    worker = start_process(celery_worker_argv(), process_env, "worker")
    worker.wait_for_output(r"ready\.", timeout=60)
    return worker


@pytest.fixture
def cast():
    """The guild with olivia (organiser), alice (member) and oscar (outsider): see tests/cast.py."""
    from tests.cast import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Production hashes static names at collectstatic; the suite renders pages without it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _directory_remembers_nothing_between_tests():
    """record_actor's memory of who it recorded is per process: each test's database starts empty."""
    from core import directory

    directory._recorded.clear()
    yield
    directory._recorded.clear()


@pytest.fixture
def away():
    """Who is away, as the leave app would say: ``away.send(member, until=...)`` (tests/away.py)."""
    from core import nudging
    from tests.away import registered

    book = registered()
    yield book
    nudging.unregister_away(book)
