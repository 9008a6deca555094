"""Model runners, one per servable type; heavy runtimes are imported lazily."""

from dlhub_executor.runners.base import LoadedModel, ModelRunner

RUNNERS: dict[str, str] = {
    "onnx": "dlhub_executor.runners.onnx:OnnxRunner",
}

__all__ = ["RUNNERS", "LoadedModel", "ModelRunner"]
