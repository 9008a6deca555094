"""The runner interface the executor drives."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import FailedPrecondition, InvalidArgument

Array = npt.NDArray[Any]


class LoadedModel(ABC):
    """A warm model. ``run`` is called from a worker thread and must be thread-safe."""

    # Where it runs, as results report it ("cpu", "cuda:0"); "" where the
    # runner cannot know (a python servable runs its own code).
    device: str = ""
    # Whether a call can be stopped part-way (at its deadline): only such models
    # run on the event loop (dlhub_executor.inline).
    stoppable: bool = False

    @abstractmethod
    def run(self, inputs: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
        """Run once.

        Args:
            inputs: tensors by name, already validated against the signature.
            outputs: names to return; empty means all.

        Returns:
            Output tensors by name.
        """

    def run_json(self, inputs_json: str) -> str:
        """Run once on a JSON input; returns the JSON output (non-tensor servables).

        Called from a worker thread; blocks up to the runner's call timeout.
        """
        raise FailedPrecondition("this servable takes tensors, not a JSON input")

    def close(self) -> None:
        """Release the model's resources."""


class ModelRunner(ABC):
    """Loads models of one servable type."""

    @abstractmethod
    def load(self, bundle_dir: Path, model_path: str) -> LoadedModel:
        """Load the model whose files are in ``bundle_dir`` (blocking; run in a thread).

        Raises:
            dlhub_common.errors.ServableError: the model cannot be loaded.
        """

    def load_work(self, bundle_dir: Path, item: bus_pb2.WorkItem) -> LoadedModel:
        """Load for one work item; runners that need more than the model path
        (the python runner: its runtime description) override this."""
        return self.load(bundle_dir, item.model_path)


def runtime_of(item: bus_pb2.WorkItem) -> dict[str, Any]:
    """The work item's ``runtime_json`` as a dict ({} when absent or unreadable)."""
    try:
        runtime = json.loads(item.runtime_json or "{}")
    except ValueError:
        return {}
    return runtime if isinstance(runtime, dict) else {}


def select_outputs(out: dict[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
    """Only the ``outputs`` asked for (all when none), refusing unknown names."""
    if not outputs:
        return out
    unknown = [n for n in outputs if n not in out]
    if unknown:
        raise InvalidArgument(f"unknown output(s) {unknown}; the model has {list(out)}")
    return {n: out[n] for n in outputs}


def as_array(value: Any) -> Array:
    return value if isinstance(value, np.ndarray) else np.asarray(value)
