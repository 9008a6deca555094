"""ONNX Runtime runner: one warm InferenceSession per model version.

Sessions run on the executor's device (``dlhub_executor.devices``): the CPU
provider, or the CUDA provider (onnxruntime-gpu) on GPU N with the CPU
provider behind it for nodes CUDA has no kernel for.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dlhub_common.errors import DLHubError, FailedPrecondition, ServableError
from dlhub_executor.devices import Device, onnx_providers, session_device
from dlhub_executor.runners._onnx_values import SessionValues
from dlhub_executor.runners.base import Array, LoadedModel, ModelRunner, as_array
from dlhub_executor.runners.deadline import WATCHDOG, current_deadline_ns, expired_error
from dlhub_executor.running import stop_list

log = logging.getLogger("dlhub.executor")
_preload_lock = threading.Lock()
_preloaded = False


def _preload_cuda_libraries(ort: Any) -> None:
    """Load the CUDA/cuDNN libraries of NVIDIA's pip wheels (torch's, say) once.

    onnxruntime-gpu >= 1.21 finds them this way when they are not on the
    system's library path; an older release, or libraries installed
    system-wide, need nothing.
    """
    global _preloaded
    with _preload_lock:
        if _preloaded or not hasattr(ort, "preload_dlls"):
            return
        _preloaded = True
        try:
            ort.preload_dlls()
        except Exception as exc:  # best effort: the session check below decides
            log.warning("onnxruntime.preload_dlls() failed: %s", exc)


class OnnxModel(LoadedModel):
    stoppable = True  # RunOptions.terminate, set by the deadline watchdog

    def __init__(self, session: object, device: str = "cpu") -> None:
        import onnxruntime as ort

        self.session = session
        self.device = device
        self.output_names = [o.name for o in session.get_outputs()]  # type: ignore[attr-defined]
        self.values = SessionValues(session)  # strings as UTF-8 text, bfloat16
        self._run_options = ort.RunOptions

    def run(self, inputs: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
        names = list(outputs) or self.output_names
        # execution time limit: the watchdog stops the run at the task's deadline
        deadline = current_deadline_ns()
        stops = stop_list()  # task control: a cancel of every task it serves stops it too
        options = self._run_options() if deadline or stops is not None else None
        handle = WATCHDOG.arm(deadline, lambda: _terminate(options)) if deadline else None
        if stops is not None:
            stops.append(lambda: _terminate(options))
        try:
            values = self.values.run(names, inputs, options)
        except DLHubError:
            raise
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
    """Creates sessions sized to the machine, on the executor's device.

    Args:
        intra_op_threads: threads per session; 0 means the number of cores.
        device: ``cpu``, ``cuda`` or ``cuda:N`` (``executor_options.device``).
    """

    def __init__(self, intra_op_threads: int = 0, device: str = "cpu") -> None:
        self.intra_op_threads = intra_op_threads or (os.cpu_count() or 1)
        self.device = Device.parse(device)

    def load(self, bundle_dir: Path, model_path: str) -> LoadedModel:
        try:
            import onnxruntime as ort
        except ImportError:
            raise FailedPrecondition(
                "this executor cannot run ONNX servables: onnxruntime is not installed"
                " (install dlhub-executor[cpu], or dlhub-executor[gpu] for CUDA)"
            ) from None

        providers = onnx_providers(self.device, list(ort.get_available_providers()))
        if self.device.is_cuda:
            _preload_cuda_libraries(ort)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.intra_op_threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = ort.InferenceSession(
                str(bundle_dir / model_path), sess_options=opts, providers=providers
            )
        except Exception as exc:
            raise ServableError(
                f"cannot load ONNX model {model_path!r}: {str(exc)[:500]}"
            ) from None
        return OnnxModel(session, session_device(self.device, list(session.get_providers())))
