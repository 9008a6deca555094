"""Offline checks of deploy/: Kubernetes manifests against the Kubernetes
schemas, the compose file against the compose specification, and every
DLHUB_* variable in either against the real settings of the services.

No Docker engine or cluster runs here; these are the checks that can be made
without one.
"""

from __future__ import annotations

import copy
import re
import typing
from pathlib import Path
from typing import Any

import compose_spec
import kubernetes_validate
import pytest
import yaml
from pydantic import BaseModel

from dlhub_common.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_VERSION = "1.30"
SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")


def k8s_docs() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path.name, doc))
    return docs


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
