"""Retrain the metallic-glass model when new measurements land (docs/retraining.md).

    DLHUB_RETRAIN__POLL_INTERVAL_S=2 uv run dlhub up       # one shell
    uv run python examples/glass/retrain_demo.py           # another

1. publishes the held-out benchmark ``glass-heldout`` (MAE, SYNTHETIC alloys)
   and the glass servable with its training recipe: data prefix ``--inbox``
   (a local directory in embedded mode; an ``s3://bucket/prefix/`` with a
   distributed mesh), acceptance "no worse than the current version";
2. drops a CSV of 400 newly "measured" alloys into the inbox: the registry's
   watcher starts a retrain job, which trains in the servable's environment,
   scores both versions on the benchmark and publishes the better one;
3. drops a CSV of noisy labels: that candidate scores worse and is rejected.

Each step prints the job's scores, its outcome and the versions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from dlhub_sdk import DLHubClient

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import publish  # noqa: E402  (the example's own modules, next to this file)
import retrain_data  # noqa: E402


def wait_for_job(
    client: DLHubClient, ref: str, known: set[str], timeout_s: float
) -> dict[str, Any]:
    """The first job of ``ref`` not in ``known``, once it has ended."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for job in client.list_retrain_jobs(ref):
            if job["id"] not in known and job["state"] != "RUNNING":
                return job
        time.sleep(0.5)
    raise SystemExit(f"no retrain job of {ref} ended within {timeout_s:g} s (is the mesh up?)")


def drop(client: DLHubClient, ref: str, inbox: Path, name: str, data: bytes, wait_s: float) -> None:
    known = {j["id"] for j in client.list_retrain_jobs(ref)}
    t0 = time.monotonic()
    (inbox / name).write_bytes(data)
    print(f"\n{name} lands in {inbox}")
    job = wait_for_job(client, ref, known, wait_s)
    score = job["score"] or {}
    print(
        f"  job {job['id']} ({job['trigger']}): {job['state']} after {time.monotonic() - t0:.1f} s"
    )
    if score:
        print(
            f"  MAE on the held-out alloys: current {score['previous']:.4f},"
            f" candidate {score['candidate']:.4f}"
        )
        print(f"  {score['reason']}")
    if job["error"]:
        print(f"  {job['error_code']}: {job['error']}")
    if job["version"]:
        latest = client.describe_servable(ref)
        lineage = latest["servable"]["training"]["lineage"]
        print(
            f"  new version {job['version']}: derived from {lineage['derived_from']},"
            f" data {lineage['data_digest'][:19]}..., job {lineage['job']}"
        )
    print(f"  versions: {[v['version'] for v in client.list_versions(ref)]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--inbox",
        type=Path,
        default=Path(".dlhub") / "glass-inbox",
        help="the data prefix to watch (default .dlhub/glass-inbox)",
    )
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for a job")
    args = parser.parse_args()
    inbox = args.inbox.resolve()
    inbox.mkdir(parents=True, exist_ok=True)
    client = DLHubClient()
    bench_file = inbox.parent / "glass-heldout.json"
    bench_file.write_bytes(publish.benchmark_files()[publish.BENCHMARK_FILE])
    bench = client.publish_servable(
        publish.benchmark_metadata(), {publish.BENCHMARK_FILE: bench_file}
    )
    bench_ref = f"{bench['owner']}/{bench['name']}:{bench['version']}"
    model = publish.build_retrainable(str(inbox) + "/", bench_ref)
    glass = client.publish_servable(model)
    ref = f"{glass['owner']}/{glass['name']}"
    print(f"published {bench_ref} (benchmark, MAE) and {ref}:{glass['version']} with its recipe")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    drop(client, ref, inbox, f"measured-{stamp}.csv", retrain_data.measured(11), args.wait)
    drop(client, ref, inbox, f"noisy-{stamp}.csv", retrain_data.noise(12), args.wait)


if __name__ == "__main__":
    main()
