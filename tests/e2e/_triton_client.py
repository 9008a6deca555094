"""Talk to the gateway with NVIDIA's tritonclient, in a process of its own.

tritonclient.grpc registers ``inference.*`` protobuf messages in the default
descriptor pool, and so do DLHub's generated OIP stubs, which other test
modules import; the two cannot live in one process. The e2e tests run this
script and assert on the JSON it prints.

Usage: python _triton_client.py {grpc|http} HOST:PORT MODEL INPUTS.npy INPUT_NAME
"""

from __future__ import annotations

import json
import sys
from typing import Any

import numpy as np


def run_grpc(url: str, model: str, x: np.ndarray, input_name: str) -> dict[str, Any]:
    import tritonclient.grpc as grpcclient
    from tritonclient.utils import InferenceServerException

    client = grpcclient.InferenceServerClient(url)
    infer_input = grpcclient.InferInput(input_name, list(x.shape), "FP32")
    infer_input.set_data_from_numpy(x)
    result = client.infer(model, [infer_input], request_id="e2e-grpc")
    response = result.get_response(as_json=True)
    metadata = client.get_model_metadata(model, as_json=True)
    missing_ready = client.is_model_ready("nobody.nothing")
    pinned = client.infer(
        model,
        [infer_input],
        model_version="1",
        outputs=[grpcclient.InferRequestedOutput("label")],
    )
    bad_input = grpcclient.InferInput(input_name, [2, 10], "FP32")
    bad_input.set_data_from_numpy(np.zeros((2, 10), dtype=np.float32))
    try:
        client.infer(model, [bad_input])
        bad_shape_error = None
    except InferenceServerException as exc:
        bad_shape_error = {"status": str(exc.status()), "message": exc.message()}
    return {
        "server_live": client.is_server_live(),
        "server_ready": client.is_server_ready(),
        "model_ready": client.is_model_ready(model),
        "model_v1_ready": client.is_model_ready(model, "1"),
        "model_v9_ready": client.is_model_ready(model, "9"),
        "missing_model_ready": missing_ready,
        "metadata": metadata,
        "metadata_v1_versions": client.get_model_metadata(model, "1", as_json=True)["versions"],
        "response_model_name": response["model_name"],
        "response_model_version": response["model_version"],
        "response_id": response.get("id", ""),
        "label": result.as_numpy("label").tolist(),
        "label_dtype": str(result.as_numpy("label").dtype),
        "probabilities": result.as_numpy("probabilities").tolist(),
        "probabilities_dtype": str(result.as_numpy("probabilities").dtype),
        "pinned_version": pinned.get_response(as_json=True)["model_version"],
        "pinned_outputs": [o["name"] for o in pinned.get_response(as_json=True)["outputs"]],
        "pinned_label": pinned.as_numpy("label").tolist(),
        "bad_shape_error": bad_shape_error,
    }


def run_http(url: str, model: str, x: np.ndarray, input_name: str) -> dict[str, Any]:
    import tritonclient.http as httpclient
    from tritonclient.utils import InferenceServerException

    client = httpclient.InferenceServerClient(url)
    infer_input = httpclient.InferInput(input_name, list(x.shape), "FP32")
    # JSON tensors first; the binary tensor extension is exercised below.
    infer_input.set_data_from_numpy(x, binary_data=False)
    outputs = [
        httpclient.InferRequestedOutput("label", binary_data=False),
        httpclient.InferRequestedOutput("probabilities", binary_data=False),
    ]
    result = client.infer(model, [infer_input], outputs=outputs)
    binary_input = httpclient.InferInput(input_name, list(x.shape), "FP32")
    binary_input.set_data_from_numpy(x, binary_data=True)
    binary: dict[str, Any] | None = None
    try:
        # tritonclient's defaults: binary input, binary outputs for every output
        got = client.infer(model, [binary_input])
        binary_error = None
        binary = {
            "label": got.as_numpy("label").tolist(),
            "probabilities": got.as_numpy("probabilities").tolist(),
        }
    except InferenceServerException as exc:
        binary_error = {"status": exc.status(), "message": exc.message()}
    return {
        "server_live": client.is_server_live(),
        "server_ready": client.is_server_ready(),
        "model_ready": client.is_model_ready(model),
        "server_metadata": client.get_server_metadata(),
        "metadata": client.get_model_metadata(model),
        "response_model_name": result.get_response()["model_name"],
        "label": result.as_numpy("label").tolist(),
        "probabilities": result.as_numpy("probabilities").tolist(),
        "binary_error": binary_error,
        "binary": binary,
    }


def main(argv: list[str]) -> int:
    mode, url, model, path, input_name = argv
    x = np.load(path, allow_pickle=False)
    run = {"grpc": run_grpc, "http": run_http}[mode]
    print(json.dumps(run(url, model, x, input_name)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
