"""tritonclient (grpc and http) against the real mesh: every datatype bit-exact,
the model repository index and the statistics extension, with visibility.

tritonclient runs in a child process (_triton_extensions.py); this module
publishes the models, writes its spec and checks what it printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.identity_models import Array, edge_values, identity_metadata, identity_onnx

from ._support import USERNAME, Mesh, clean_env

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
PUBLIC = "oip-dtypes"  # every datatype but BF16
BF16 = "oip-bf16"
PRIVATE = "oip-private"  # visible to its owner only
ALL_BUT_BF16 = [
    "BOOL",
    "UINT8",
    "UINT16",
    "UINT32",
    "UINT64",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "FP16",
    "FP32",
    "FP64",
    "BYTES",
]
BF16_TYPES = ["BF16", "FP32"]
REPEAT = 3


def wire(datatype: str, a: Array) -> dict[str, Any]:
    """The child's tensor format: raw little-endian bytes (bit patterns) in hex."""
    if datatype == "BYTES":
        return {"datatype": datatype, "shape": list(a.shape), "hex": [b.hex() for b in a.flat]}
    return {"datatype": datatype, "shape": list(a.shape), "hex": a.tobytes().hex()}


def tensors(datatypes: list[str], *, nan_payloads: bool) -> dict[str, dict[str, Any]]:
    values = edge_values(nan_payloads=nan_payloads)
    return {f"in_{dt}": wire(dt, values[dt]) for dt in datatypes}


@pytest.fixture(scope="module")
def published(mesh: Mesh) -> None:
    with httpx.Client(base_url=mesh.http, timeout=60.0) as client:
        for name, types, visible in (
            (PUBLIC, ALL_BUT_BF16, ["public"]),
            (BF16, BF16_TYPES, ["public"]),
            (PRIVATE, ["FP32"], [USERNAME]),
        ):
            metadata = identity_metadata(name, types)
            metadata["dlhub"]["visible_to"] = visible
            resp = client.post(
                "/api/v1/servables",
                headers=mesh.auth_headers,
                data={"metadata": json.dumps(metadata)},
                files=[("files", ("model.onnx", identity_onnx(types), "application/x-onnx"))],
            )
            assert resp.status_code == 201, resp.text


def triton(mode: str, url: str, mesh: Mesh, tmp: Path) -> dict[str, Any]:
    spec = {
        "token": mesh.token,
        "public": f"{USERNAME}.{PUBLIC}",
        "private": f"{USERNAME}.{PRIVATE}",
        "bf16": f"{USERNAME}.{BF16}",
        "repeat": REPEAT,
        "inputs": tensors(ALL_BUT_BF16, nan_payloads=True),
        "json_inputs": tensors(ALL_BUT_BF16, nan_payloads=False),
        "bf16_inputs": tensors(BF16_TYPES, nan_payloads=True),
    }
    path = tmp / f"spec-{mode}.json"
    path.write_text(json.dumps(spec))
    proc = subprocess.run(
        [sys.executable, str(HERE / "_triton_extensions.py"), mode, url, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
        check=False,
    )
    assert proc.returncode == 0, f"tritonclient {mode} failed:\n{proc.stdout}\n{proc.stderr}"
    out: dict[str, Any] = json.loads(proc.stdout)
    out["spec"] = spec
    return out


def assert_same_bits(sent: dict[str, Any], got: dict[str, Any]) -> None:
    problems = []
    for name, t in sent.items():
        back = got.get("out_" + name.removeprefix("in_"))
        if back != t:
            problems.append(f"{name}: sent {t}, got {back}")
    assert not problems, "\n".join(problems)


def count(stats: dict[str, Any]) -> int:
    """inference_count of the only entry (proto JSON spells uint64 as a string)."""
    [entry] = stats["model_stats"]
    return int(entry.get("inference_count", 0))


def names(stats: dict[str, Any]) -> set[str]:
    return {m["name"] for m in stats.get("model_stats", [])}


def check_extensions(out: dict[str, Any], extra_infers: int, not_found: str) -> None:
    public, private = out["spec"]["public"], out["spec"]["private"]
    assert {"model_repository", "statistics", "binary_tensor_data"} <= set(out["extensions"])
    # repository index: the owner sees the private model, an anonymous caller does not
    owner_index = {(m["name"], m["version"]) for m in out["index_owner"]}
    assert {(public, "1"), (private, "1"), (out["spec"]["bf16"], "1")} <= owner_index
    anonymous = {m["name"] for m in out["index_anonymous"]}
    assert public in anonymous
    assert private not in anonymous
    assert all(m.get("state") == "READY" for m in out["index_owner"] if m["name"] == public)
    # statistics: counts go up by exactly the requests made
    assert count(out["stats_after"]) - count(out["stats_before"]) == REPEAT + extra_infers
    [after] = out["stats_after"]["model_stats"]
    assert (after["name"], after["version"]) == (public, "1")
    success = after["inference_stats"]["success"]
    assert int(success["count"]) == count(out["stats_after"])
    assert int(after["inference_stats"]["queue"]["ns"]) > 0
    assert int(after["inference_stats"]["compute_infer"]["ns"]) > 0
    assert int(after["last_inference"]) > 0
    assert {public, private} <= names(out["stats_all_owner"])
    assert public in names(out["stats_all_anonymous"])
    assert private not in names(out["stats_all_anonymous"])
    assert names(out["private_stats_owner"]) == {private}
    for key in ("private_stats_anonymous_error", "unknown_stats_error"):
        assert out[key] is not None, key
        assert out[key]["status"] == not_found, out[key]


def test_tritonclient_grpc_datatypes_index_and_statistics(
    mesh: Mesh, published: None, tmp_path: Path
) -> None:
    out = triton("grpc", mesh.address, mesh, tmp_path)
    assert_same_bits(out["spec"]["inputs"], out["outputs"])
    assert_same_bits(out["spec"]["bf16_inputs"], out["bf16_outputs"])
    check_extensions(out, 0, "StatusCode.NOT_FOUND")


def test_tritonclient_http_datatypes_index_and_statistics(
    mesh: Mesh, published: None, tmp_path: Path
) -> None:
    out = triton("http", mesh.http.removeprefix("http://"), mesh, tmp_path)
    assert_same_bits(out["spec"]["inputs"], out["outputs"])
    assert_same_bits(out["spec"]["bf16_inputs"], out["bf16_outputs"])
    assert_same_bits(out["spec"]["json_inputs"], out["json_outputs"])
    check_extensions(out, 1, "404")
