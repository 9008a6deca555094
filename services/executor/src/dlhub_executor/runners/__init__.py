"""Model runners, one per servable type; heavy runtimes are imported lazily."""

from dlhub_executor.runners.base import LoadedModel, ModelRunner

RUNNERS: dict[str, str] = {
    "onnx": "dlhub_executor.runners.onnx:OnnxRunner",
    "python": "dlhub_executor.runners.python:PythonRunner",
    # native scikit-learn: the python runner with the worker's built-in loader
    "sklearn": "dlhub_executor.runners.python:PythonRunner",
    # optional: needs dlhub-executor[torch]
    "torchscript": "dlhub_executor.runners.torch:TorchScriptRunner",
    "torch_export": "dlhub_executor.runners.torch:TorchExportRunner",
    # optional: needs dlhub-executor[keras] (Keras 3 on the torch backend)
    "keras": "dlhub_executor.runners.keras:KerasRunner",
}

__all__ = ["RUNNERS", "LoadedModel", "ModelRunner"]
