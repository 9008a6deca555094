"""Send requests on one OIP stream with tritonclient's start_stream/async_stream_infer.

Runs in a process of its own (tritonclient and DLHub's OIP stubs register the
same ``inference.*`` protobuf names; see tests/e2e/_triton_client.py).

Usage: python triton_stream_client.py HOST:PORT SPEC.json

SPEC: ``{"token": str | null, "requests": [{"id", "model", "inputs": [{"name",
"datatype", "shape", "data"}]}]}``. Prints JSON: ``{"results": [{"id", "error",
"outputs": {name: nested list}}]}`` in the order the callbacks came.
"""

from __future__ import annotations

import json
import queue
import re
import sys
from typing import Any

import numpy as np

TIMEOUT_S = 60.0
ID_IN_ERROR = re.compile(r"\(request id '([^']*)'\)$")


def main(argv: list[str]) -> int:
    import tritonclient.grpc as grpcclient

    url, spec_path = argv
    with open(spec_path) as f:
        spec = json.load(f)
    got: queue.Queue[dict[str, Any]] = queue.Queue()

    def callback(result: Any, error: Any) -> None:
        if error is not None:
            text = error.message()
            match = ID_IN_ERROR.search(text)
            got.put({"id": match.group(1) if match else None, "error": text, "outputs": {}})
            return
        response = result.get_response()
        outputs = {o.name: result.as_numpy(o.name).tolist() for o in response.outputs}
        got.put({"id": response.id, "error": None, "outputs": outputs})

    client = grpcclient.InferenceServerClient(url)
    headers = {"authorization": f"Bearer {spec['token']}"} if spec.get("token") else None
    client.start_stream(callback=callback, headers=headers)
    for request in spec["requests"]:
        inputs = []
        for tensor in request["inputs"]:
            infer_input = grpcclient.InferInput(tensor["name"], tensor["shape"], tensor["datatype"])
            array = np.asarray(tensor["data"], dtype=np.float32).reshape(tensor["shape"])
            infer_input.set_data_from_numpy(array)
            inputs.append(infer_input)
        client.async_stream_infer(request["model"], inputs, request_id=request["id"])
    results = [got.get(timeout=TIMEOUT_S) for _ in spec["requests"]]
    client.stop_stream()
    client.close()
    print(json.dumps({"results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
