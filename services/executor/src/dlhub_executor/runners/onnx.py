"""ONNX Runtime runner: one warm InferenceSession per model version."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from dlhub_common.errors import ServableError
from dlhub_executor.runners.base import Array, LoadedModel, ModelRunner, as_array
from dlhub_executor.runners.deadline import WATCHDOG, current_deadline_ns, expired_error


class OnnxModel(LoadedModel):
    def __init__(self, session: object) -> None:
        import onnxruntime as ort

        self.session = session
        self.output_names = [o.name for o in session.get_outputs()]  # type: ignore[attr-defined]
        self._run_options = ort.RunOptions

    def run(self, inputs: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
        names = list(outputs) or self.output_names
        # execution time limit: the watchdog stops the run at the task's deadline
        deadline = current_deadline_ns()
        options = self._run_options() if deadline else None
        handle = WATCHDOG.arm(deadline, lambda: _terminate(options)) if options else None
        try:
            values = self.session.run(names, dict(inputs), options)  # type: ignore[attr-defined]
        except Exception as exc:  # onnxruntime raises its own exception types
            if options is not None and options.terminate:
                raise expired_error("the ONNX Runtime run") from None
            raise ServableError(f"onnxruntime failed: {str(exc)[:500]}") from None
        finally:
            if handle is not None:
                WATCHDOG.disarm(handle)
        return {name: as_array(v) for name, v in zip(names, values, strict=True)}


def _terminate(options: object) -> None:
    options.terminate = True  # type: ignore[attr-defined]


class OnnxRunner(ModelRunner):
    """Creates sessions sized to the machine.

    Args:
        intra_op_threads: threads per session; 0 means the number of cores.
        providers: execution providers, best first; default CUDA when
            onnxruntime offers it, then CPU.
    """

    def __init__(self, intra_op_threads: int = 0, providers: Sequence[str] | None = None) -> None:
        self.intra_op_threads = intra_op_threads or (os.cpu_count() or 1)
        self.providers = list(providers) if providers else None

    def load(self, bundle_dir: Path, model_path: str) -> LoadedModel:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.intra_op_threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        available = ort.get_available_providers()
        wanted = self.providers or ["CUDAExecutionProvider", "CPUExecutionProvider"]
        providers = [p for p in wanted if p in available] or ["CPUExecutionProvider"]
        try:
            session = ort.InferenceSession(
                str(bundle_dir / model_path), sess_options=opts, providers=providers
            )
        except Exception as exc:
            raise ServableError(
                f"cannot load ONNX model {model_path!r}: {str(exc)[:500]}"
            ) from None
        return OnnxModel(session)
