"""tritonclient against a pipeline, in a process of its own (see tests/e2e/_triton_client.py:
tritonclient's OIP messages and DLHub's cannot share one process's descriptor pool).

Usage: python _triton_pipeline.py GRPC_HOST:PORT HTTP_HOST:PORT MODEL INPUT.npy INPUT_NAME OUTPUT
Prints JSON: model metadata and the output of one infer over gRPC and over REST.
"""

from __future__ import annotations

import json
import sys

import numpy as np


def main() -> None:
    import tritonclient.grpc as grpcclient
    import tritonclient.http as httpclient

    grpc_url, http_url, model, path, input_name, output = sys.argv[1:7]
    x = np.load(path)
    out: dict[str, object] = {}
    client = grpcclient.InferenceServerClient(grpc_url)
    infer_input = grpcclient.InferInput(input_name, list(x.shape), "FP32")
    infer_input.set_data_from_numpy(x)
    out["grpc_ready"] = client.is_model_ready(model)
    out["grpc_metadata"] = client.get_model_metadata(model, as_json=True)
    out["grpc"] = client.infer(model, [infer_input]).as_numpy(output).tolist()
    rest = httpclient.InferenceServerClient(http_url)
    rest_input = httpclient.InferInput(input_name, list(x.shape), "FP32")
    rest_input.set_data_from_numpy(x, binary_data=True)
    out["http_metadata"] = rest.get_model_metadata(model)
    out["http"] = rest.infer(model, [rest_input]).as_numpy(output).tolist()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
