"""deploy/monitoring/: the alert rules pass promtool's check and their own unit tests, and every
metric the rules and the dashboard name is one core/metrics.py defines.

``make test`` installs promtool (``scripts/system_deps.sh promtool``: Debian's prometheus).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from core import metrics

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="needs promtool (scripts/system_deps.sh promtool)")
METRIC = re.compile(r"\bmuster_[a-z0-9_]+")


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], cwd=MONITORING, capture_output=True, text=True, timeout=60)


@needs_promtool
def test_the_alert_rules_are_valid():
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 5 rules found" in result.stdout


@needs_promtool
def test_the_alert_rules_fire_when_they_should_and_only_then():
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_cover_what_operators_are_promised():
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"][0]["rules"]
    assert {rule["alert"] for rule in rules} == {
        "MusterSlowAcknowledgements",
        "MusterOutboxStuck",
        "MusterJiraSiteFailing",
        "MusterSheetsExportFailing",
        "MusterBeatHeartbeatMissing",
    }


def test_every_metric_the_rules_and_the_dashboard_name_is_defined():
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"][0]["rules"]
    in_rules = {name for rule in rules for name in METRIC.findall(rule["expr"])}
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    in_dashboard = {name for expr in exprs for name in METRIC.findall(expr)}

    defined = metrics.sample_names()
    assert in_rules - defined == set()
    assert in_dashboard - defined == set()
    # and the dashboard shows every metric Muster has
    shown = {re.sub(r"_(bucket|sum|count)$", "", name) for name in in_dashboard}
    assert {re.sub(r"_(bucket|sum|count)$", "", name) for name in defined} <= shown
