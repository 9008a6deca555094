"""Observability pieces on their own: bounded labels, outcome tables, live gauges,
the /metrics server, the scrape config and the compose file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.core import REGISTRY

from dlhub_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Overloaded,
    Unavailable,
)
from dlhub_common.names import Ref
from dlhub_common.observability.labels import UNKNOWN, servable_labels
from dlhub_common.observability.live import LiveGauge
from dlhub_common.observability.run_metrics import refusal_outcome
from dlhub_common.observability.server import MetricsServer
from dlhub_common.observability.service_metrics import publish_outcome

DEPLOY = Path(__file__).parents[2] / "deploy"
SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")


def test_labels_name_resolved_servables_only() -> None:
    assert servable_labels(Ref("alice", "tiny", 3)) == ("alice/tiny", "3")
    assert servable_labels({"owner": "alice", "name": "tiny", "version": 1}) == ("alice/tiny", "1")
    assert servable_labels(None) == (UNKNOWN, "")
    assert servable_labels({"owner": "", "name": "x", "version": 1}) == (UNKNOWN, "")


def test_outcomes_of_refusals_and_publishes() -> None:
    assert refusal_outcome(NotFound("x")) == "not_found"
    assert refusal_outcome(InvalidArgument("x")) == "invalid"
    assert refusal_outcome(FailedPrecondition("x")) == "invalid"
    assert refusal_outcome(Overloaded("x")) == "refused"
    assert refusal_outcome(Unavailable("x")) == "error"
    assert publish_outcome(InvalidArgument("x")) == "invalid"
    assert publish_outcome(AlreadyExists("x")) == "conflict"
    assert publish_outcome(RuntimeError("x")) == "error"


class _Source:
    def __init__(self, counts: dict[tuple[str, ...], float]) -> None:
        self.counts = counts


def test_a_live_gauge_sums_its_sources_and_forgets_untracked_ones() -> None:
    gauge = LiveGauge("dlhub_test_live", "Test gauge", ["k"], lambda s: dict(s.counts))
    try:
        a, b = _Source({("x",): 1.0}), _Source({("x",): 2.0, ("y",): 5.0})
        gauge.track(a)
        gauge.track(b)
        assert gauge.values() == {("x",): 3.0, ("y",): 5.0}
        gauge.untrack(b)
        assert gauge.values() == {("x",): 1.0}
        assert REGISTRY.get_sample_value("dlhub_test_live", {"k": "x"}) == 1.0
    finally:
        REGISTRY.unregister(gauge)


def test_metrics_server_serves_and_a_taken_port_names_the_setting() -> None:
    server = MetricsServer("127.0.0.1", 0)
    server.start()
    try:
        text = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5).text
        assert "dlhub_runs_total" in text
        with pytest.raises(FailedPrecondition, match="DLHUB_METRICS__PORT"):
            MetricsServer("127.0.0.1", server.port).start()
    finally:
        server.stop()
    assert server.port == 0  # stopped


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_prometheus_scrapes_the_five_services_and_compose_provisions_grafana() -> None:
    config = _yaml(DEPLOY / "prometheus" / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {f"dlhub-{s}" for s in SERVICES}
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "dlhub.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    port = env["DLHUB_METRICS__PORT"]
    for service, job in jobs.items():
        targets = [t for c in job.get("static_configs", []) for t in c["targets"]]
        targets += [f"{n}:{c['port']}" for c in job.get("dns_sd_configs", []) for n in c["names"]]
        assert targets == [f"{service.removeprefix('dlhub-')}:{port}"], service
    compose = _yaml(DEPLOY / "compose.yaml")["services"]
    mounts = [v.split(":")[0] for s in ("prometheus", "grafana") for v in compose[s]["volumes"]]
    for mount in mounts:  # every provisioned file exists
        assert (DEPLOY / mount).exists(), mount
    assert (DEPLOY / "grafana" / "dashboards" / "dlhub.json").is_file()
