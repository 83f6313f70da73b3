"""docker-compose.yml, the Dockerfile and .env.example cannot silently rot."""

import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from config.queues import MUSTER_QUEUES
from devtools.ports import free_port
from tests.processes import ROOT

COMPOSE_SERVICES = {"postgres", "redis", "migrate", "web", "worker-interactions", "worker", "gateway", "beat", "flower"}
SECRETS = {
    "SECRET_KEY",
    "DISCORD_TOKEN",
    "INTERACTION_SIGNING_KEY",
    "POLL_VOTER_KEY",
    "JIRA_TOKEN_KEY",
    "FLOWER_BASIC_AUTH",
    "DISCORD_CLIENT_SECRET",
}


@pytest.fixture
def compose_project(tmp_path):
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = (ROOT / ".env.example").read_text()
    # An operator who also put secrets into .env: compose must still hand them out per service.
    env = env.replace("SECRET_KEY=\n", "SECRET_KEY=leaked-secret-key\n").replace(
        "POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=compose-check\n"
    )
    env = env.replace("DISCORD_TOKEN=\n", "DISCORD_TOKEN=leaked-token\n")
    (tmp_path / ".env").write_text(env)
    return tmp_path


def compose_config(project) -> dict:
    result = subprocess.run(["docker-compose", "config"], cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_docker_compose_config_is_valid(compose_project):
    config = compose_config(compose_project)
    assert set(config["services"]) >= COMPOSE_SERVICES
    assert "postgres-data" in config["volumes"]
    for name in ("web", "worker-interactions", "worker", "gateway", "beat"):
        service = config["services"][name]
        assert service["environment"]["DATABASE_URL"] == "postgres://muster:compose-check@postgres:5432/muster"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert config["services"]["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data:rw"]


def secrets_of(service: dict) -> set[str]:
    """The secrets a service can read: set in its environment, or mounted and named by NAME_FILE."""
    env = service.get("environment") or {}
    mounted = {secret["source"] for secret in service.get("secrets") or []}
    held = {name for name in SECRETS | {"POSTGRES_PASSWORD"} if env.get(name)}
    for name in SECRETS:
        path = env.get(f"{name}_FILE") or ""
        if path.startswith("/run/secrets/") and path.removeprefix("/run/secrets/") in mounted:
            held.add(name)
    return held


def test_each_service_gets_only_the_secrets_it_needs(compose_project):
    services = compose_config(compose_project)["services"]
    held = {name: secrets_of(services[name]) for name in COMPOSE_SERVICES - {"postgres", "redis"}}
    workers = {"SECRET_KEY", "DISCORD_TOKEN", "INTERACTION_SIGNING_KEY", "POLL_VOTER_KEY", "JIRA_TOKEN_KEY"}
    assert held == {
        "migrate": {"SECRET_KEY"},
        "web": {"SECRET_KEY", "JIRA_TOKEN_KEY", "DISCORD_CLIENT_SECRET", "INTERACTION_SIGNING_KEY"},
        "beat": {"SECRET_KEY"},
        "worker-interactions": workers,
        "worker": workers,
        "gateway": {"SECRET_KEY", "DISCORD_TOKEN", "INTERACTION_SIGNING_KEY"},
        "flower": {"FLOWER_BASIC_AUTH"},
    }
    assert not services["flower"]["environment"].get("DATABASE_URL")  # nor the database password
    secret_files = {name: secret["file"] for name, secret in compose_config(compose_project)["secrets"].items()}
    assert {name: path.removeprefix(str(compose_project)) for name, path in secret_files.items()} == {
        **{name.lower(): f"/secrets/{name.lower()}" for name in SECRETS},
        "google_service_account": "/secrets/google_service_account",  # a key file, for workers
    }
    google = {
        name
        for name, s in services.items()
        if "google_service_account" in {x["source"] for x in s.get("secrets") or []}
    }
    assert google == {"worker", "worker-interactions"}


def test_web_and_flower_are_published_on_loopback_only_and_redis_keeps_nothing_on_disk(compose_project):
    services = compose_config(compose_project)["services"]
    published = {name: service.get("ports") for name, service in services.items() if service.get("ports")}
    assert published == {"web": ["127.0.0.1:8000:8000/tcp"], "flower": ["127.0.0.1:5555:5555/tcp"]}
    assert services["redis"]["command"] == ["redis-server", "--save", "", "--appendonly", "no"]
    assert "volumes" not in services["redis"]


def test_docker_compose_refuses_to_start_without_a_database_password(compose_project):
    env = compose_project / ".env"
    env.write_text(env.read_text().replace("POSTGRES_PASSWORD=compose-check\n", ""))
    result = subprocess.run(
        ["docker-compose", "config"], cwd=compose_project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def queues_of(service: dict) -> list[str]:
    command = service["command"]
    return command[command.index("-Q") + 1].split(",")


def test_clicks_have_their_own_worker_and_the_compose_workers_consume_every_queue():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    workers = {name: queues_of(s) for name, s in compose["services"].items() if "worker" in s.get("command", [])}
    assert workers == {"worker-interactions": ["interactions", "discord"], "worker": ["default", "jira", "sheets"]}
    assert sorted(q for queues in workers.values() for q in queues) == sorted(MUSTER_QUEUES)


def test_the_image_is_multi_stage_and_runs_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)$", dockerfile, flags=re.MULTILINE)
    assert stages == ["build", "runtime"]
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert re.search(r"^USER muster$", runtime, flags=re.MULTILINE)
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "requirements/base.txt" in dockerfile


def test_the_images_user_has_the_ids_the_kubernetes_pods_run_as():
    # runAsNonRoot checks a number; a system uid left to useradd could drift from the manifests'.
    runtime = (ROOT / "Dockerfile").read_text().split("AS runtime", 1)[1]
    uid = re.search(r"useradd --system --uid (\d+) ", runtime).group(1)
    gid = re.search(r"groupadd --system --gid (\d+) muster", runtime).group(1)
    manifests = "".join(path.read_text() for path in sorted((ROOT / "deploy" / "k8s").rglob("*.yaml")))
    assert set(re.findall(r"runAsUser: (\d+)", manifests)) == {uid}
    assert set(re.findall(r"(?:runAsGroup|fsGroup): (\d+)", manifests)) == {gid}


def test_every_setting_read_from_the_environment_is_documented():
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)[=:/ ]", (ROOT / ".env.example").read_text(), re.M))
    sources = [*(ROOT / "config").glob("*.py"), ROOT / "scripts" / "run_local.py"]
    read = set()
    for source in sources:
        text = source.read_text()
        helpers = r"env\.(?:string|boolean|integer|number|string_list|url|database)"
        read |= set(re.findall(helpers + r'\(\s*"([A-Z0-9_]+)"', text))
        read |= set(re.findall(r'env(?:\.get)?\(\s*"([A-Z0-9_]+)"', text))
    read -= {"DJANGO_READ_DOT_ENV_FILE", "PYTHONUNBUFFERED"}
    # Any variable may come from NAME_FILE, as the file's header says once for all.
    assert "NAME_FILE=" in (ROOT / ".env.example").read_text()
    read = {name.removesuffix("_FILE") for name in read}
    assert read, "no settings found: the pattern above no longer matches config/"
    assert read <= documented, f"undocumented in .env.example: {sorted(read - documented)}"


# --- what the image holds: .dockerignore read as Docker reads it ------------------------


def dockerignore(text: str) -> list[tuple[bool, re.Pattern]]:
    """``(is_exception, regex)`` per line, as BuildKit reads .dockerignore (moby/patternmatcher).

    A ``#`` line is a comment; a line is trimmed and cleaned like a path, a leading ``/``
    dropped (patterns are relative to the context's root); ``!`` makes an exception.
    """
    patterns = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        pattern = line.strip()
        exception = pattern.startswith("!")
        pattern = posixpath.normpath(pattern.removeprefix("!").strip())
        patterns.append((exception, _pattern_regex(pattern.lstrip("/") if len(pattern) > 1 else pattern)))
    return patterns


def _pattern_regex(pattern: str) -> re.Pattern:
    """Go's filepath.Match syntax plus ``**`` (any number of directories), anchored at both ends."""
    if "[" in pattern:
        raise ValueError(f"{pattern!r}: character classes are not read here; add them before using them")
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            i += 3 if pattern.startswith("**/", i) else 2
            regex += ".*" if i >= len(pattern) else "(.*/)?"
            continue
        if pattern[i] == "\\" and i + 1 < len(pattern):
            i += 1
            regex += re.escape(pattern[i])
        else:
            regex += {"*": "[^/]*", "?": "[^/]"}.get(pattern[i]) or re.escape(pattern[i])
        i += 1
    return re.compile(f"^{regex}$")


def ignored(path: str, patterns: list[tuple[bool, re.Pattern]]) -> bool:
    """A path is left out when the last pattern matching it, or one of its parent directories, is not an exception."""
    parts = path.split("/")
    candidates = [path, *("/".join(parts[:depth]) for depth in range(1, len(parts)))]
    left_out = False
    for exception, regex in patterns:
        if exception == left_out and any(regex.match(candidate) for candidate in candidates):
            left_out = not exception
    return left_out


@pytest.mark.parametrize(
    ("lines", "path", "expected"),
    [
        # The examples of Docker's .dockerignore reference.
        (["*/temp*"], "somedir/temporary.txt", True),
        (["*/temp*"], "somedir/temp/file.txt", True),
        (["*/temp*"], "temporary.txt", False),
        (["*/*/temp*"], "somedir/subdir/temporary.txt", True),
        (["temp?"], "tempa", True),
        (["temp?"], "tempab", False),
        (["**/*.go"], "main.go", True),
        (["**/*.go"], "cmd/tool/main.go", True),
        (["*.md", "!README.md"], "README.md", False),
        (["*.md", "!README.md"], "CHANGES.md", True),
        (["*.md", "!README*.md", "README-secret.md"], "README-secret.md", True),
        (["*.md", "README-secret.md", "!README*.md"], "README-secret.md", False),
        # The forms .dockerignore uses: anchored at the root, a directory holds its files.
        (["var"], "var/muster.sqlite3", True),
        (["var"], "core/var/file", False),
        (["/tests/"], "tests/conftest.py", True),
        (["**/__pycache__"], "__pycache__/x.pyc", True),
        (["**/__pycache__"], "core/discord_api/__pycache__/client.pyc", True),
        (["# sandbox", "", "  bench  "], "sandbox/README.md", False),
        (["# sandbox", "", "  bench  "], "bench/rush.py", True),
    ],
)
def test_it_reads_dockerignore_patterns_as_docker_does(lines, path, expected):
    assert ignored(path, dockerignore("\n".join(lines))) is expected


def image_files() -> set[str]:
    """The tracked files ``COPY . /app`` puts in the image."""
    patterns = dockerignore((ROOT / ".dockerignore").read_text())
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    return {path for path in listed.stdout.split("\0") if path and not ignored(path, patterns)}


def test_the_image_holds_the_product_and_nothing_only_development_uses():
    files = image_files()
    assert {path.split("/")[0] for path in files} == {
        *("config", "core", "events", "polls", "carpool", "jira_sync", "sheets_export", "community", "desk", "leave"),
        *("standups", "teams", "timeline", "results", "discord_gateway", "api", "dashboard"),
        *("manage.py", "requirements", "pyproject.toml"),
        *(".dockerignore", ".env.example", ".gitignore", "Dockerfile", "docker-compose.yml"),
        *("README.md", "ARCHITECTURE.md"),
    }
    assert {"manage.py", "requirements/base.txt", "config/settings.py", "core/tasks.py"} <= files
    assert not {path for path in files if path.startswith(("sandbox/", "tests/", "bench/", "devtools/", "scripts/"))}


def test_the_secrets_directory_never_enters_the_image_or_git():
    patterns = dockerignore((ROOT / ".dockerignore").read_text())
    assert ignored("secrets/discord_token", patterns)
    assert "/secrets/" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.e2e
def test_compose_flower_starts_with_nothing_but_its_own_secret(compose_project, redis_server, start_process, tmp_path):
    flower = compose_config(compose_project)["services"]["flower"]
    credentials = tmp_path / "flower_basic_auth"
    credentials.write_text("ops:compose-flower-pass")
    port = free_port()
    env = {name: str(value) for name, value in flower["environment"].items()}
    env.update(
        FLOWER_BASIC_AUTH_FILE=str(credentials),  # where compose mounts /run/secrets/flower_basic_auth
        REDIS_URL=redis_server.url,
        PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin",  # `python` is this one
    )
    assert secrets_of({**flower, "environment": env}) == set()  # no Muster secret, no database URL
    command = [part.replace("$$", "$").replace("--port=5555", f"--port={port}") for part in flower["command"]]
    process = start_process(command, env, "compose-flower")
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/", auth=("ops", "compose-flower-pass"), timeout=3)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, process.output()[-2000:]
            time.sleep(0.3)
    assert answer.status_code == 200
    assert httpx.get(f"http://127.0.0.1:{port}/", timeout=3).status_code == 401
