"""docker-compose.yml, the Dockerfile and .env.example cannot silently rot."""

import re
import shutil
import subprocess

import pytest
import yaml

from tests.processes import ROOT

COMPOSE_SERVICES = {"postgres", "redis", "migrate", "web", "worker", "beat", "flower"}


@pytest.fixture
def compose_project(tmp_path):
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = (ROOT / ".env.example").read_text()
    env = env.replace("SECRET_KEY=\n", "SECRET_KEY=compose-check\n").replace(
        "POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=compose-check\n"
    )
    (tmp_path / ".env").write_text(env)
    return tmp_path


def test_docker_compose_config_is_valid(compose_project):
    result = subprocess.run(
        ["docker-compose", "config"], cwd=compose_project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert set(config["services"]) >= COMPOSE_SERVICES
    assert "postgres-data" in config["volumes"]
    for name in ("web", "worker", "beat", "flower"):
        service = config["services"][name]
        assert service["environment"]["DATABASE_URL"] == "postgres://muster:compose-check@postgres:5432/muster"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert config["services"]["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data:rw"]


def test_docker_compose_refuses_to_start_without_a_database_password(compose_project):
    env = compose_project / ".env"
    env.write_text(env.read_text().replace("POSTGRES_PASSWORD=compose-check\n", ""))
    result = subprocess.run(
        ["docker-compose", "config"], cwd=compose_project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def test_the_image_is_multi_stage_and_runs_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)$", dockerfile, flags=re.MULTILINE)
    assert stages == ["build", "runtime"]
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert re.search(r"^USER muster$", runtime, flags=re.MULTILINE)
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "requirements/base.txt" in dockerfile


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
