"""Servable builders: read what the model says about itself, add the rest."""

from dlhub_sdk.models.base import ServableBuilder
from dlhub_sdk.models.keras import KerasModel
from dlhub_sdk.models.onnx import OnnxServable
from dlhub_sdk.models.python import PythonStaticMethodServable, dict_of, list_of
from dlhub_sdk.models.sklearn import ScikitLearnServable
from dlhub_sdk.models.sklearn_native import NativeScikitLearnServable
from dlhub_sdk.models.tensorflow import NativeTensorFlowServable, TensorFlowServable
from dlhub_sdk.models.torch import TorchServable

__all__ = [
    "KerasModel",
    "NativeScikitLearnServable",
    "NativeTensorFlowServable",
    "OnnxServable",
    "PythonStaticMethodServable",
    "ScikitLearnServable",
    "ServableBuilder",
    "TensorFlowServable",
    "TorchServable",
    "dict_of",
    "list_of",
]
