"""Offline checks of deploy/: Kubernetes manifests against the Kubernetes
schemas, the compose file against the compose specification, and every
DLHUB_* variable in either against the real settings of the services.

No Docker engine or cluster runs here; these are the checks that can be made
without one.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import typing
from pathlib import Path
from typing import Any

import compose_spec
import jsonschema
import kubernetes_validate
import pytest
import yaml
from packaging.requirements import Requirement
from pydantic import BaseModel

from dlhub_common.bundle import dockerfile
from dlhub_common.settings import Settings
from dlhub_common.topics import EXECUTORS_GROUP, TASKS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S_VERSION = "1.30"
SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")
# KEDA's ScaledObject is a custom resource kubernetes-validate does not know:
# it is checked against a JSON schema written from KEDA's documented spec.
SCALEDOBJECT_SCHEMA = ROOT / "tests/fixtures/schemas/keda-scaledobject-v1alpha1.schema.json"


def k8s_docs() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path.name, doc))
    return docs


def autoscaling_docs() -> dict[str, dict[str, Any]]:
    """The autoscaling examples (deploy/k8s/autoscaling/), by kind."""
    out = {}
    for path in sorted((DEPLOY / "k8s" / "autoscaling").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                assert doc["kind"] not in out, f"two {doc['kind']} examples"
                out[doc["kind"]] = doc
    return out


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def check_setting_names(env: dict[str, str]) -> None:
    """Every DLHUB_ name must reach a real field, nested through ``__``."""
    for name in env:
        if not name.startswith("DLHUB_"):
            continue
        parts = name[len("DLHUB_") :].lower().split("__")
        model: Any = Settings
        for part in parts:
            fields = _fields(model)
            assert part in fields, f"{name}: {part!r} is not a setting (have {sorted(fields)})"
            model = fields[part]


def _models(annotation: Any) -> list[type[BaseModel]]:
    """Every pydantic model class inside an annotation (unions, Annotated...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _fields(model: Any) -> dict[str, Any]:
    """Field name -> field type; a union of config classes merges their fields."""
    out: dict[str, Any] = {}
    for cls in _models(model):
        for fname, info in cls.model_fields.items():
            out[fname] = info.annotation
    return out


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in [k for k in __import__("os").environ if k.startswith("DLHUB_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings()


@pytest.mark.parametrize(("name", "doc"), k8s_docs(), ids=lambda v: v if isinstance(v, str) else "")
def test_manifest_is_valid_kubernetes(name: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_validator_rejects_a_broken_manifest() -> None:
    _, doc = next((n, d) for n, d in k8s_docs() if d["kind"] == "Deployment")
    broken = copy.deepcopy(doc)
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    broken = copy.deepcopy(doc)
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_every_service_has_a_deployment_service_and_probe() -> None:
    kinds = {(d["kind"], d["metadata"]["name"]) for _, d in k8s_docs()}
    for svc in SERVICES:
        assert ("Deployment", svc) in kinds
        assert ("Service", svc) in kinds
    for _, doc in k8s_docs():
        if doc["kind"] == "Deployment":
            container = doc["spec"]["template"]["spec"]["containers"][0]
            assert "readinessProbe" in container, doc["metadata"]["name"]


def test_k8s_settings_are_real_and_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    env: dict[str, str] = {}
    for _, doc in k8s_docs():
        if doc["kind"] == "ConfigMap":
            env.update(doc["data"])
        if doc["kind"] == "Secret":
            env.update({k: v for k, v in doc["stringData"].items() if k.startswith("DLHUB_")})
    check_setting_names(env)
    settings = settings_from(env, monkeypatch)
    assert settings.bus.type == "kafka"
    assert settings.documents.type == "mongo"
    assert settings.search.type == "opensearch"
    assert settings.objects.type == "s3"
    assert settings.registry.target() == "registry:8101"


def test_compose_parses_and_matches_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    compose = compose_spec.PyCompose.from_yaml(text)
    names = set(compose.service_names())
    assert set(SERVICES) <= names
    assert {"kafka", "mongo", "opensearch", "minio"} <= names
    raw = yaml.safe_load(text)
    shared = read_env_file(DEPLOY / "dlhub.env")
    check_setting_names(shared)
    for svc in SERVICES:
        spec = raw["services"][svc]
        dockerfile = DEPLOY.parent / spec["build"]["dockerfile"]
        assert dockerfile.is_file(), dockerfile
        assert f'"serve", "{svc}"' in dockerfile.read_text()
        assert spec["env_file"] == ["dlhub.env"]
        env = {**shared, **{k: str(v) for k, v in spec.get("environment", {}).items()}}
        check_setting_names(env)
        settings = settings_from(env, monkeypatch)
        assert settings.bus.type == "kafka"


def test_setting_name_check_catches_typos() -> None:
    with pytest.raises(AssertionError, match="BOOTSTRAP_SERVER"):
        check_setting_names({"DLHUB_BUS__BOOTSTRAP_SERVER": "x:1"})
    with pytest.raises(AssertionError, match="GATEWAY_PORT"):
        check_setting_names({"DLHUB_GATEWAY_PORT": "1"})


def test_dockerfiles_install_only_their_service() -> None:
    for svc in SERVICES:
        text = (DEPLOY / "docker" / f"{svc}.Dockerfile").read_text()
        installed = set(re.findall(r"\./services/(\w+)", text))
        assert installed == {svc}


def test_executor_dockerfile_installs_one_onnxruntime_build() -> None:
    """The executor image gets the cpu extra unless built with EXECUTOR_EXTRAS=gpu,..."""
    text = (DEPLOY / "docker" / "executor.Dockerfile").read_text()
    assert "ARG EXECUTOR_EXTRAS=cpu" in text
    assert '"./services/executor[${EXECUTOR_EXTRAS}]"' in text
    for svc in SERVICES:  # no image installs the executor without an ONNX Runtime build
        other = (DEPLOY / "docker" / f"{svc}.Dockerfile").read_text()
        assert not re.search(r"\./services/executor(?!\[)", other), svc


@pytest.mark.parametrize(
    ("servable_type", "build", "extras"),
    [
        ("onnx", "cpu", {"cpu"}),
        ("onnx", "gpu", {"gpu"}),
        ("torchscript", "cpu", {"cpu", "torch"}),
        ("torch_export", "gpu", {"gpu", "torch"}),
        ("python", "cpu", {"cpu"}),
    ],
)
def test_bundle_dockerfile_installs_one_onnxruntime_build(
    servable_type: str, build: str, extras: set[str]
) -> None:
    """The bundle image's requirement, expanded by a real shell as docker's RUN does."""
    text = dockerfile(
        owner="a",
        name="m",
        version=1,
        digest="sha256:ab",
        servable_type=servable_type,
        interface_version=1,
        files=["model", "dlhub.json"],
        python="3.11",
    )
    assert "ARG DLHUB_ONNXRUNTIME=cpu" in text
    (quoted,) = re.findall(r'"(dlhub-executor\[[^"]*)"', text)
    expanded = subprocess.run(
        ["sh", "-c", f'printf %s "{quoted}"'],
        env={"DLHUB_ONNXRUNTIME": build},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requirement = Requirement(expanded)
    assert (requirement.name, requirement.extras) == ("dlhub-executor", extras)


# ------------------------------------------------------------------ autoscaling


def _scaledobject_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCALEDOBJECT_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_autoscaling_examples_are_an_hpa_and_a_keda_scaledobject() -> None:
    docs = autoscaling_docs()
    assert set(docs) == {"HorizontalPodAutoscaler", "ScaledObject"}
    kubernetes_validate.validate(docs["HorizontalPodAutoscaler"], K8S_VERSION, strict=True)
    _scaledobject_validator().validate(docs["ScaledObject"])


def test_autoscalers_fit_the_executor_deployment_and_the_bus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both scale the executor Deployment within the partitions of dlhub.tasks, and
    KEDA watches the topic, group and brokers the executors really use."""
    deployments = {
        (d["metadata"]["namespace"], d["metadata"]["name"]): d
        for _, d in k8s_docs()
        if d["kind"] == "Deployment"
    }
    env: dict[str, str] = {}
    for _, doc in k8s_docs():
        if doc["kind"] == "ConfigMap":
            env.update(doc["data"])
    bus = settings_from(env, monkeypatch).bus
    assert bus.type == "kafka"
    docs = autoscaling_docs()
    hpa, keda = docs["HorizontalPodAutoscaler"], docs["ScaledObject"]
    for doc in (hpa, keda):
        ref = doc["spec"]["scaleTargetRef"]
        assert (ref["apiVersion"], ref["kind"], ref["name"]) == (
            "apps/v1",
            "Deployment",
            "executor",
        )
        assert (doc["metadata"]["namespace"], "executor") in deployments
    executor = deployments[("dlhub", "executor")]["spec"]["template"]["spec"]["containers"][0]
    # a CPU utilisation target needs a CPU request to measure against
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert executor["resources"]["requests"]["cpu"]
    # executors past the partition count would sit idle
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"] <= bus.num_partitions
    spec = keda["spec"]
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= bus.num_partitions
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "kafka"
    meta = trigger["metadata"]
    assert meta["topic"] == bus.topic_prefix + TASKS
    assert meta["consumerGroup"] == bus.topic_prefix + EXECUTORS_GROUP
    assert meta["bootstrapServers"] == bus.bootstrap_servers
    assert meta["offsetResetPolicy"] == "earliest"  # what the executors' consumer does


def _broken(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``doc`` with ``value`` at ``path`` (dots; list indexes as numbers)."""
    out = copy.deepcopy(doc)
    *parents, last = path.split(".")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("spec.maxReplicas", "six"),
        ("spec.minReplica", 1),  # misspelt field
        ("spec.metrics.0.resource.target.averageUtilization", "70%"),
    ],
)
def test_a_broken_hpa_fails_validation(path: str, value: Any) -> None:
    broken = _broken(autoscaling_docs()["HorizontalPodAutoscaler"], path, value)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("spec.triggers.0.metadata.lagTreshold", "20"),  # misspelt parameter
        ("spec.triggers.0.metadata.allowIdleConsumers", False),  # a bool, not "false"
        ("spec.triggers.0.metadata.lagThreshold", "twenty"),
        ("spec.triggers.0.metadata.offsetResetPolicy", "oldest"),
        ("spec.triggers.0.metadata.bootstrapServers", "kafka"),  # no port
        ("spec.maxReplicaCount", -1),
        ("spec.minReplicas", 1),  # the HPA's name for it, not KEDA's
        ("spec.scaleTargetRef", {"kind": "Deployment"}),  # no name
        ("spec.triggers", []),
        ("spec.fallback", {"replicas": 2}),  # failureThreshold is mandatory
        ("apiVersion", "keda.sh/v1"),
    ],
)
def test_a_broken_scaledobject_fails_validation(path: str, value: Any) -> None:
    broken = _broken(autoscaling_docs()["ScaledObject"], path, value)
    with pytest.raises(jsonschema.ValidationError):
        _scaledobject_validator().validate(broken)


def test_every_k8s_service_gets_the_internal_secret() -> None:
    """Services sign and verify the caller's principal with one shared secret;
    a service without it would make its own and refuse its peers' calls."""
    for _, doc in k8s_docs():
        if doc["kind"] != "Deployment" or doc["metadata"]["name"] not in SERVICES:
            continue
        container = doc["spec"]["template"]["spec"]["containers"][0]
        refs = {
            e["name"]: e["valueFrom"]["secretKeyRef"]
            for e in container.get("env", [])
            if "valueFrom" in e
        }
        assert refs["DLHUB_INTERNAL__SECRET"] == {
            "name": "dlhub-secrets",
            "key": "DLHUB_INTERNAL__SECRET",
        }, doc["metadata"]["name"]
