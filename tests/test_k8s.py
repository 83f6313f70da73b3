"""deploy/k8s/: every overlay renders with `kubectl kustomize`, validates against Kubernetes'
schemas (kubernetes-validate, strict, offline) and keeps Muster's rules."""

import copy
import shutil
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

from tests.processes import ROOT

KUSTOMIZE = ROOT / "deploy" / "k8s"
OVERLAYS = ["base", "overlays/production", "overlays/local"]
KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
WORKLOADS = {"Deployment", "StatefulSet", "Job"}

# Which workload may mount which Secret (muster-<name>), and nothing else.
MAY_MOUNT = {
    "web": {"secret-key", "database-url", "jira-token-key", "discord-client-secret", "metrics-token"},
    "worker-interactions": {
        *("secret-key", "database-url", "discord-token", "interaction-signing-key"),
        *("poll-voter-key", "google-service-account", "jira-token-key"),
    },
    "gateway": {"secret-key", "database-url", "discord-token", "interaction-signing-key"},
    "beat": {"secret-key", "database-url"},
    "migrate": {"secret-key", "database-url"},
    "flower": {"flower-basic-auth"},
}
MAY_MOUNT["worker"] = MAY_MOUNT["worker-interactions"]


def render(overlay: str) -> list[dict]:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is missing: scripts/system_deps.sh k8s installs Debian's kubernetes-client")
    result = subprocess.run(
        ["kubectl", "kustomize", str(KUSTOMIZE / overlay)], capture_output=True, text=True, check=True
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module", params=OVERLAYS)
def resources(request) -> list[dict]:
    return render(request.param)


def workloads(resources: list[dict]) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] in WORKLOADS}


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def broken_rules(resources: list[dict]) -> list[str]:
    """Every rule a set of rendered resources breaks, one sentence each (none: [])."""
    broken = []
    found = workloads(resources)
    if set(found) != set(MAY_MOUNT):
        broken.append(f"workloads are {sorted(found)}, expected {sorted(MAY_MOUNT)}")
    beat = found.get("beat", {}).get("spec", {})
    if (beat.get("replicas"), beat.get("strategy", {}).get("type")) != (1, "Recreate"):
        broken.append("beat must run exactly one replica with the Recreate strategy")
    images = set()
    for name, workload in found.items():
        spec = pod_spec(workload)
        pod_context = spec.get("securityContext", {})
        mounted = set()
        for volume in spec.get("volumes", []):
            sources = volume.get("projected", {}).get("sources", [])
            mounted |= {s["secret"]["name"] for s in sources if "secret" in s}
            if "secret" in volume:
                mounted.add(volume["secret"]["secretName"])
        if extra := {m.removeprefix("muster-") for m in mounted} - MAY_MOUNT.get(name, set()):
            broken.append(f"{name} mounts secrets it does not need: {sorted(extra)}")
        for container in spec["containers"] + spec.get("initContainers", []):
            where = f"{name}/{container['name']}"
            images.add(container["image"])
            probes = {"livenessProbe", "readinessProbe"} & set(container)
            if workload["kind"] != "Job" and "livenessProbe" not in probes:
                broken.append(f"{where} has no liveness probe")
            if set(container.get("resources", {}).get("limits", {})) != {"cpu", "memory"}:
                broken.append(f"{where} has no cpu and memory limits")
            if set(container.get("resources", {}).get("requests", {})) != {"cpu", "memory"}:
                broken.append(f"{where} has no cpu and memory requests")
            context = container.get("securityContext", {})
            if not (context.get("runAsNonRoot") or pod_context.get("runAsNonRoot")):
                broken.append(f"{where} may run as root")
            if (
                context.get("readOnlyRootFilesystem") is not True
                or context.get("allowPrivilegeEscalation") is not False
            ):
                broken.append(f"{where} needs a read-only root filesystem and no privilege escalation")
            if context.get("capabilities", {}).get("drop") != ["ALL"]:
                broken.append(f"{where} must drop ALL capabilities")
            if any(e.get("valueFrom", {}).get("secretKeyRef") for e in container.get("env", [])):
                broken.append(f"{where} reads a secret from an environment variable, not a file")
    if len(images) != 1:
        broken.append(f"containers run different images: {sorted(images)}")
    for name in ("web", "worker", "worker-interactions"):
        readiness = (
            [c for c in pod_spec(found[name])["containers"] if "readinessProbe" not in c] if name in found else []
        )
        if readiness:
            broken.append(f"{name} has no readiness probe")
    policies = [r for r in resources if r["kind"] == "NetworkPolicy"]
    deny = [p for p in policies if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")]
    if not deny:
        broken.append("no default-deny NetworkPolicy")
    admitted = [p["spec"]["podSelector"].get("matchLabels", {}) for p in policies if p["spec"].get("ingress")]
    if admitted != [{"app.kubernetes.io/name": "muster", "app.kubernetes.io/component": "web"}]:
        broken.append(f"NetworkPolicies admit ingress to {admitted}, not only web")
    kinds = {(r["kind"], r["metadata"]["name"]) for r in resources}
    for needed in [
        ("PodDisruptionBudget", "web"),
        ("PodDisruptionBudget", "worker"),
        ("PodDisruptionBudget", "worker-interactions"),
    ]:
        if needed not in kinds:
            broken.append(f"no {needed[0]} for {needed[1]}")
    for needed in ("worker", "worker-interactions"):
        if ("HorizontalPodAutoscaler", needed) not in kinds:
            broken.append(f"no HorizontalPodAutoscaler for {needed}")
    flower = [r for r in resources if r["kind"] == "Service" and r["metadata"]["name"] == "flower"]
    if [s["spec"].get("type", "ClusterIP") for s in flower] != ["ClusterIP"]:
        broken.append("Flower must have one internal (ClusterIP) Service")
    return broken


def test_every_resource_validates_against_the_kubernetes_schemas(resources):
    for resource in resources:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_every_overlay_keeps_the_rules(resources):
    assert broken_rules(resources) == []


def test_every_overlay_uses_the_base_image_name(resources):
    base = {c["image"].split(":")[0] for w in workloads(render("base")).values() for c in pod_spec(w)["containers"]}
    images = {c["image"] for w in workloads(resources).values() for c in pod_spec(w)["containers"]}
    assert base == {"muster"} and len(images) == 1
    assert images.pop().split(":")[0].rsplit("/", 1)[-1] == "muster"


def test_the_gateways_pod_ordinal_is_its_shard(resources):
    gateway = workloads(resources)["gateway"]
    assert gateway["kind"] == "StatefulSet"
    (container,) = pod_spec(gateway)["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert container["command"][-1] == 'export SHARD_IDS="${POD_NAME##*-}" && exec python manage.py run_gateway'
    # gateway-3 runs shard 3, as the shell expands it
    shard = subprocess.run(
        ["sh", "-c", 'echo "${POD_NAME##*-}"'], env={"POD_NAME": "gateway-3"}, capture_output=True, text=True
    )
    assert shard.stdout == "3\n"
    config = next(
        r for r in resources if r["kind"] == "ConfigMap" and r["metadata"]["name"].startswith("muster-config")
    )
    assert int(config["data"]["SHARD_COUNT"]) == gateway["spec"]["replicas"]


def mutated(resources: list[dict], change) -> list[dict]:
    copied = copy.deepcopy(resources)
    change(workloads(copied), copied)
    return copied


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            lambda w, r: w["beat"]["spec"].update(replicas=2),
            "beat must run exactly one replica with the Recreate strategy",
        ),
        (lambda w, r: pod_spec(w["web"])["containers"][0].pop("livenessProbe"), "web/web has no liveness probe"),
        (
            lambda w, r: pod_spec(w["worker"])["containers"][0]["resources"].pop("limits"),
            "worker/worker has no cpu and memory limits",
        ),
        (
            lambda w, r: pod_spec(w["web"])["volumes"][1]["projected"]["sources"].append(
                {"secret": {"name": "muster-discord-token"}}
            ),
            "web mounts secrets it does not need: ['discord-token']",
        ),
        (
            lambda w, r: pod_spec(w["flower"])["containers"][0]["securityContext"].update(readOnlyRootFilesystem=False),
            "flower/flower needs a read-only root filesystem and no privilege escalation",
        ),
        (
            lambda w, r: pod_spec(w["gateway"])["containers"][0].update(image="other:1"),
            "containers run different images: ['muster:latest', 'other:1']",
        ),
    ],
)
def test_the_rules_catch_a_broken_manifest(change, sentence):
    resources = render("base")
    assert sentence in broken_rules(mutated(resources, change))


def test_a_network_policy_opening_the_workers_is_caught():
    resources = render("base")
    opened = copy.deepcopy(next(r for r in resources if r["metadata"]["name"] == "web-ingress"))
    opened["metadata"]["name"] = "open-workers"
    opened["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] = "worker"
    assert any("not only web" in rule for rule in broken_rules([*resources, opened]))


def test_the_schema_check_refuses_an_unknown_field():
    web = next(r for r in render("base") if r["kind"] == "Deployment" and r["metadata"]["name"] == "web")
    pod_spec(web)["containers"][0]["livenessProbes"] = {}  # a typo kubectl would drop silently
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_exec_probe_of_muster_is_a_command_that_answers_in_one_line(process_env):
    probes = {
        tuple(container[kind]["exec"]["command"])
        for workload in workloads(render("base")).values()
        for container in pod_spec(workload)["containers"]
        for kind in ("livenessProbe", "readinessProbe")
        if "exec" in container.get(kind, {})
    }
    managed = sorted(argv for argv in probes if argv[:2] == ("python", "manage.py"))
    assert {argv[2:5] for argv in managed} == {("heartbeat", "--check", "beat"), ("heartbeat", "--check", "worker")}
    for argv in managed:
        result = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, env=process_env, capture_output=True, text=True)
        # Nothing has beaten in the test database: a clean "no" (1), not a usage error (2) or a traceback.
        assert (result.returncode, result.stderr) == (1, ""), argv
        assert len(result.stdout.splitlines()) == 1 and "no heartbeat yet" in result.stdout, result.stdout
