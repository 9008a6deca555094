"""One run of a freshly loaded tensor model, so lazy initialisation happens at load.

ONNX Runtime allocates its memory arena and picks kernels on the first run, and
TorchScript's profiling executor optimises the graph over its first calls; the
request that caused the load (and those queued behind it) should not pay for
that on top of the load. So a model is run once on zeros right after it loads:

* ONNX: zeros of the graph's declared inputs (the session's own signature),
  every free dimension as 1; strings as ``""``. A graph with an input that is
  not a plain tensor (sequence, map, optional) is not warmed.
* TorchScript / torch.export: the archive declares no shapes, so zeros shaped
  and typed like the inputs of the work item that caused the load (which the
  task manager checked against the servable's signature).
* python and native scikit-learn servables are not warmed: they run the
  publisher's code, which may have side effects, on JSON values whose zero is
  not defined.

A warm-up that fails (a model that rejects zeros, say) is logged and ignored:
the real request then runs as it would have without it. The outputs are
thrown away.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_executor.runners.base import Array, LoadedModel
from dlhub_executor.runners.onnx import OnnxModel

log = logging.getLogger("dlhub.executor")
TORCH_TYPES = ("torchscript", "torch_export")

_ONNX_DTYPES: dict[str, Any] = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int8)": np.int8,
    "tensor(int16)": np.int16,
    "tensor(int32)": np.int32,
    "tensor(int64)": np.int64,
    "tensor(uint8)": np.uint8,
    "tensor(uint16)": np.uint16,
    "tensor(uint32)": np.uint32,
    "tensor(uint64)": np.uint64,
    "tensor(bool)": np.bool_,
    "tensor(string)": object,
}


def onnx_zeros(session: Any) -> dict[str, Array] | None:
    """Zeros for every input of an ONNX session (free dims 1); None when one is not a tensor."""
    feeds: dict[str, Array] = {}
    for arg in session.get_inputs():
        dtype = _ONNX_DTYPES.get(arg.type)
        if dtype is None:
            return None
        shape = [d if isinstance(d, int) and d >= 0 else 1 for d in (arg.shape or [])]
        if dtype is object:
            feeds[arg.name] = np.full(shape, "", dtype=object)
        else:
            feeds[arg.name] = np.zeros(shape, dtype=dtype)
    return feeds


def item_zeros(item: bus_pb2.WorkItem) -> dict[str, Array]:
    """Zeros shaped and typed like the work item's input tensors."""
    out: dict[str, Array] = {}
    for tensor in item.inputs:
        like = tensor_to_array(tensor)
        out[tensor.name] = np.zeros(like.shape, dtype=like.dtype)
    return out


def warm_up(model: LoadedModel, item: bus_pb2.WorkItem) -> bool:
    """Run ``model`` once on zeros (blocking). Returns whether it ran and succeeded.

    Never raises: a model that cannot be warmed is served cold.
    """
    try:
        return _warm_up(model, item)
    except Exception as exc:  # a model may reject zeros; the real request decides
        log.info("%s: warm-up failed, ignored: %s", item.digest, str(exc)[:200])
        return False


def _warm_up(model: LoadedModel, item: bus_pb2.WorkItem) -> bool:
    if isinstance(model, OnnxModel):
        feeds = onnx_zeros(model.session)
        if feeds is None:
            log.info("%s: not warmed up (an input is not a plain tensor)", item.digest)
            return False
    elif item.servable_type in TORCH_TYPES:  # by type: torch's module stays unimported here
        feeds = item_zeros(item)
        if not feeds or any(a.dtype == object for a in feeds.values()):
            return False
    else:
        return False
    t0 = time.perf_counter()
    model.run(feeds, [])
    log.info("%s: warmed up in %.1f ms", item.digest, (time.perf_counter() - t0) * 1e3)
    return True
