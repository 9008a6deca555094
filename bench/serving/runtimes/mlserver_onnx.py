"""MLServer custom runtime: one ONNX file through onnxruntime, in MLServer's process.

Runs inside bench/.cache/venvs/mlserver (MLServer 1.7.1); it never imports DLHub.
model-settings.json names ``mlserver_onnx.OnnxModel`` and gives the file as
``parameters.uri``; ``BENCH_ORT_THREADS`` sizes onnxruntime's intra-op pool.
"""

from __future__ import annotations

import os

import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxModel(MLModel):  # type: ignore[misc]
    async def load(self) -> bool:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(os.environ.get("BENCH_ORT_THREADS", "0"))
        opts.inter_op_num_threads = 1
        uri = self.settings.parameters.uri
        self._session = ort.InferenceSession(uri, opts, providers=["CPUExecutionProvider"])
        self._outputs = [o.name for o in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {inp.name: NumpyCodec.decode_input(inp) for inp in payload.inputs}
        results = self._session.run(self._outputs, feeds)
        return InferenceResponse(
            id=payload.id,
            model_name=self.name,
            outputs=[
                NumpyCodec.encode_output(name, value)
                for name, value in zip(self._outputs, results, strict=True)
            ],
        )
