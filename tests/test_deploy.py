"""The Kubernetes manifests under deploy/kubernetes: read as YAML, no cluster needed.

What must hold for Saring to run on more than one machine: one image for every process, the
web on /healthz and /readyz with a Host Django accepts, workers for every queue, beat as one
scheduler (redbeat's lock) with a standby, migrations as a Job, limits on every container and
an autoscaler for the web and each worker.
"""

import re
from pathlib import Path

import pytest
import yaml

from tests.test_compose import vars_read_by_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "kubernetes"
QUEUES = {"default", "callbacks", "email"}  # pemilu/celery.py and the Makefile's QUEUES


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())


@pytest.fixture(scope="module")
def objects(kustomization: dict) -> list[dict]:
    found = []
    for name in kustomization["resources"]:
        found += [doc for doc in yaml.safe_load_all((DEPLOY / name).read_text()) if doc]
    return found


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_spec(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]


def containers(objects: list[dict]) -> list[tuple[str, dict]]:
    return [
        (o["metadata"]["name"], c)
        for o in objects
        if o["kind"] in ("Deployment", "Job")
        for c in pod_spec(o)["containers"]
    ]


def command(container: dict) -> str:
    return " ".join(container["command"])


def test_every_manifest_file_is_listed_in_the_kustomization(kustomization: dict) -> None:
    on_disk = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == on_disk


def test_the_processes_exist(objects: list[dict]) -> None:
    deployments = of_kind(objects, "Deployment")
    assert "saring-web" in deployments
    assert "saring-beat" in deployments
    assert [n for n in deployments if n.startswith("saring-worker")]
    assert "saring-migrate" in of_kind(objects, "Job")
    assert "saring-web" in of_kind(objects, "Service")


def test_every_process_runs_the_one_image(objects: list[dict], kustomization: dict) -> None:
    assert {c["image"] for _, c in containers(objects)} == {"saring"}
    assert [i["name"] for i in kustomization["images"]] == ["saring"]


def test_each_process_runs_the_right_command(objects: list[dict]) -> None:
    deployments = of_kind(objects, "Deployment")
    web = pod_spec(deployments["saring-web"])["containers"][0]
    assert command(web).startswith("gunicorn pemilu.wsgi")
    beat = pod_spec(deployments["saring-beat"])["containers"][0]
    assert re.match(r"celery -A pemilu beat\b", command(beat))
    job = pod_spec(of_kind(objects, "Job")["saring-migrate"])["containers"][0]
    assert command(job) == "python manage.py migrate --noinput"


def test_workers_consume_every_queue(objects: list[dict]) -> None:
    consumed: set[str] = set()
    for name, obj in of_kind(objects, "Deployment").items():
        if not name.startswith("saring-worker"):
            continue
        for c in pod_spec(obj)["containers"]:
            args = c["command"]
            assert args[:4] == ["celery", "-A", "pemilu", "worker"]
            consumed |= set(args[args.index("-Q") + 1].split(","))
    assert consumed == QUEUES


def test_web_probes_use_healthz_and_readyz_with_an_allowed_host(objects: list[dict]) -> None:
    config = of_kind(objects, "ConfigMap")["saring-config"]["data"]
    allowed = config["ALLOWED_HOSTS"].split(",")
    web = pod_spec(of_kind(objects, "Deployment")["saring-web"])["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        headers = {h["name"]: h["value"] for h in web[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] in allowed, probe


def test_every_container_has_requests_and_limits(objects: list[dict]) -> None:
    for name, c in containers(objects):
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][kind]), (name, kind)


def test_every_pod_runs_as_the_image_user(objects: list[dict]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    uid = int(re.search(r"--uid (\d+)", dockerfile).group(1))
    for o in objects:
        if o["kind"] in ("Deployment", "Job"):
            context = pod_spec(o)["securityContext"]
            assert context["runAsNonRoot"] is True
            assert context["runAsUser"] == uid


def test_web_and_every_worker_are_autoscaled(objects: list[dict]) -> None:
    deployments = of_kind(objects, "Deployment")
    hpas = of_kind(objects, "HorizontalPodAutoscaler")
    targets = {h["spec"]["scaleTargetRef"]["name"]: h for h in hpas.values()}
    scalable = {n for n in deployments if n == "saring-web" or n.startswith("saring-worker")}
    assert set(targets) == scalable
    for name, hpa in targets.items():
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"], name
        assert deployments[name]["spec"]["replicas"] >= hpa["spec"]["minReplicas"]


def test_beat_is_never_autoscaled_and_has_one_standby(objects: list[dict]) -> None:
    targets = {
        h["spec"]["scaleTargetRef"]["name"]
        for h in of_kind(objects, "HorizontalPodAutoscaler").values()
    }
    assert "saring-beat" not in targets
    # redbeat's lock lets exactly one of them send (pemilu/celery.py; bench/results/shift.md).
    assert of_kind(objects, "Deployment")["saring-beat"]["spec"]["replicas"] == 2
    assert "redbeat.RedBeatScheduler" in (ROOT / "pemilu" / "celery.py").read_text()


def test_migrations_run_once_and_never_restart_in_place(objects: list[dict]) -> None:
    job = of_kind(objects, "Job")["saring-migrate"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] <= 3


def test_selectors_match_their_pods(objects: list[dict]) -> None:
    for name, obj in of_kind(objects, "Deployment").items():
        selector = obj["spec"]["selector"]["matchLabels"]
        labels = obj["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name
    pods = {
        tuple(sorted(o["spec"]["template"]["metadata"]["labels"].items()))
        for o in of_kind(objects, "Deployment").values()
    }
    for service in of_kind(objects, "Service").values():
        wanted = service["spec"]["selector"].items()
        assert any(wanted <= dict(p).items() for p in pods)


def test_config_sets_only_what_the_settings_read(objects: list[dict]) -> None:
    config = of_kind(objects, "ConfigMap")["saring-config"]["data"]
    assert set(config) <= vars_read_by_settings()
    assert config["SARING_ENV"] == "production"
    # The secrets are not in the ConfigMap.
    assert not {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} & set(config)


def test_app_pods_read_config_and_secrets(objects: list[dict]) -> None:
    for name, c in containers(objects):
        sources = {next(iter(s.values()))["name"] for s in c["envFrom"]}
        assert sources == {"saring-config", "saring-secrets"}, name
