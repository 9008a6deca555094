"""tritonclient against the gateway: every datatype, repository index, statistics.

A child process of tests/e2e/test_oip_extensions.py (tritonclient.grpc and
DLHub's OIP stubs cannot share a process; see _triton_client.py). It reads a
JSON spec, prints one JSON object, and imports nothing of DLHub.

Tensors travel as ``{"datatype", "shape", "hex"}``: the raw little-endian
bytes (BF16: the 16-bit patterns) in hex, or for BYTES one hex string per
element, so the parent compares bit patterns.

Usage: python _triton_extensions.py {grpc|http} HOST:PORT SPEC.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

import ml_dtypes
import numpy as np

DTYPES = {
    "BOOL": np.bool_,
    "UINT8": np.uint8,
    "UINT16": np.uint16,
    "UINT32": np.uint32,
    "UINT64": np.uint64,
    "INT8": np.int8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FP16": np.float16,
    "FP32": np.float32,
    "FP64": np.float64,
    "BF16": ml_dtypes.bfloat16,
}


def decode(t: dict[str, Any]) -> np.ndarray:
    if t["datatype"] == "BYTES":
        flat = np.array([bytes.fromhex(h) for h in t["hex"]], dtype=object)
        return flat.reshape(t["shape"])
    dtype = np.dtype(DTYPES[t["datatype"]]).newbyteorder("<")
    return np.frombuffer(bytes.fromhex(t["hex"]), dtype=dtype).reshape(t["shape"])


def encode(datatype: str, a: np.ndarray) -> dict[str, Any]:
    if datatype == "BYTES":  # tritonclient.http gives JSON strings as str
        items = [b.encode() if isinstance(b, str) else b for b in a.flat]
        return {"datatype": datatype, "shape": list(a.shape), "hex": [b.hex() for b in items]}
    return {"datatype": datatype, "shape": list(a.shape), "hex": a.tobytes().hex()}


def error_of(call: Any) -> dict[str, Any] | None:
    from tritonclient.utils import InferenceServerException

    try:
        call()
    except InferenceServerException as exc:
        return {"status": str(exc.status()), "message": exc.message()}
    return None


def infer_all(client: Any, module: Any, model: str, tensors: dict[str, Any], **kw: Any) -> Any:
    """Infer with every input; ``binary``: the HTTP binary extension (or JSON)."""
    binary = kw.pop("binary", True)
    inputs = []
    for name, t in tensors.items():
        inp = module.InferInput(name, t["shape"], t["datatype"])
        if module.__name__.endswith("http"):
            inp.set_data_from_numpy(decode(t), binary_data=binary)
        else:
            inp.set_data_from_numpy(decode(t))
        inputs.append(inp)
    outputs = None
    if module.__name__.endswith("http"):
        outputs = [
            module.InferRequestedOutput("out_" + n.removeprefix("in_"), binary_data=binary)
            for n in tensors
        ]
    # a copy: tritonclient.http writes Inference-Header-Content-Length into it
    kw["headers"] = dict(kw.get("headers") or {})
    result = client.infer(model, inputs, outputs=outputs, **kw)
    return {
        "out_" + n.removeprefix("in_"): encode(t["datatype"], result.as_numpy("out_" + n[3:]))
        for n, t in tensors.items()
    }


def run(mode: str, url: str, spec: dict[str, Any]) -> dict[str, Any]:
    if mode == "grpc":
        import tritonclient.grpc as module
    else:
        import tritonclient.http as module
    client = module.InferenceServerClient(url)
    auth = {"authorization": f"Bearer {spec['token']}"}
    as_json = {"as_json": True} if mode == "grpc" else {}
    public, private = spec["public"], spec["private"]

    def index(headers: dict[str, str] | None) -> list[dict[str, Any]]:
        got = client.get_model_repository_index(headers=headers, **as_json)
        return list(got.get("models", [])) if mode == "grpc" else list(got)

    def stats(name: str = "", version: str = "", headers: dict[str, str] | None = None) -> Any:
        return client.get_inference_statistics(name, version, headers=headers, **as_json)

    out: dict[str, Any] = {
        "extensions": client.get_server_metadata(**as_json)["extensions"],
        "index_owner": index(auth),
        "index_anonymous": index(None),
        "stats_before": stats(public, headers=auth),
    }
    for _ in range(spec["repeat"]):
        out["outputs"] = infer_all(client, module, public, spec["inputs"], headers=auth)
    out["bf16_outputs"] = infer_all(client, module, spec["bf16"], spec["bf16_inputs"], headers=auth)
    if mode == "http":
        # JSON has one NaN: the spec's JSON inputs carry the canonical one
        out["json_outputs"] = infer_all(
            client, module, public, spec["json_inputs"], headers=auth, binary=False
        )
    out["stats_after"] = stats(public, "1", headers=auth)
    out["stats_all_owner"] = stats(headers=auth)
    out["stats_all_anonymous"] = stats()
    out["private_stats_anonymous_error"] = error_of(lambda: stats(private))
    out["private_stats_owner"] = stats(private, headers=auth)
    out["unknown_stats_error"] = error_of(lambda: stats(public + "-nothing", headers=auth))
    return out


def main(argv: list[str]) -> int:
    mode, url, path = argv
    with open(path) as fh:
        spec = json.load(fh)
    print(json.dumps(run(mode, url, spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
