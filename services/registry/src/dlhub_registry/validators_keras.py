"""Publish-time checks of a Keras servable (no Keras in the registry).

The model file must be a Keras model of built-in layers
(:mod:`dlhub_common.keras_files`): the executor could not rebuild custom
layers, since no custom code is shipped with a Keras servable. The
signature must be tensor-typed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from dlhub_common.errors import InvalidArgument
from dlhub_common.keras_files import keras_file_problem
from dlhub_common.metadata import Metadata
from dlhub_common.signature import tensor_signature


async def validate_keras(metadata: Metadata, model_file: Path) -> None:
    """Check the model file and that the signature is made of tensors."""
    problem = await asyncio.to_thread(keras_file_problem, model_file)
    if problem is not None:
        raise InvalidArgument(f"model file {model_file.name!r}: {problem}")
    run = metadata.run
    problems = []
    if not tensor_signature(run.input):
        problems.append("methods.run.input must be an ndarray or a dict of ndarray")
    if not tensor_signature(run.output):
        problems.append("methods.run.output must be an ndarray or a dict of ndarray")
    if problems:
        raise InvalidArgument("; ".join(problems), details={"problems": problems})
