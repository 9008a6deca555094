"""KServe 0.21 ModelServer with one ONNX file served through a ``Model`` subclass.

Runs inside bench/.cache/venvs/kserve; it never imports DLHub. Configured by
environment (KServe parses sys.argv itself): BENCH_MODELS (name=path,...),
BENCH_HTTP_PORT, BENCH_GRPC_PORT, BENCH_ORT_THREADS. KServe binds 0.0.0.0;
the benchmark sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import onnxruntime as ort
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve.utils.numpy_codec import from_np_dtype


class OnnxModel(Model):  # type: ignore[misc]
    def __init__(self, name: str, path: str) -> None:
        super().__init__(name)
        self._path = path
        self.load()

    def load(self) -> bool:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(os.environ.get("BENCH_ORT_THREADS", "0"))
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(self._path, opts, providers=["CPUExecutionProvider"])
        self._outputs = [o.name for o in self._session.get_outputs()]
        self.ready = True
        return True

    def predict(
        self, payload: InferRequest, headers: Any = None, response_headers: Any = None
    ) -> InferResponse:
        feeds = {inp.name: inp.as_numpy() for inp in payload.inputs}
        results = self._session.run(self._outputs, feeds)
        outputs = []
        for name, value in zip(self._outputs, results, strict=True):
            out = InferOutput(
                name=name, shape=list(value.shape), datatype=from_np_dtype(value.dtype)
            )
            # Without binary_data tritonclient's gRPC client sees empty outputs.
            out.set_data_from_numpy(value, binary_data=payload.use_binary_outputs)
            outputs.append(out)
        return InferResponse(
            response_id=payload.id or str(uuid.uuid4()),
            model_name=self.name,
            infer_outputs=outputs,
            use_binary_outputs=payload.use_binary_outputs,
        )


def main() -> None:
    models = [
        OnnxModel(name, path)
        for name, path in (
            item.split("=", 1) for item in os.environ["BENCH_MODELS"].split(",") if item
        )
    ]
    ModelServer(
        http_port=int(os.environ["BENCH_HTTP_PORT"]),
        grpc_port=int(os.environ["BENCH_GRPC_PORT"]),
        workers=1,
        enable_latency_logging=False,
    ).start(models)


if __name__ == "__main__":
    main()
