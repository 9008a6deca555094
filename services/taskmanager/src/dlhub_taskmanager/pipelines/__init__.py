"""Pipelines in the task manager: a pipeline task runs its steps through ``submit``.

* runner.py: accepting a pipeline run and driving its steps;
* values.py: step inputs and pipeline outputs from the steps' values;
* steps.py: the ``steps`` of a pipeline task's record, and as ``Task.steps``;
* recovery.py: pipeline tasks whose task manager stopped.
"""

from dlhub_taskmanager.pipelines.runner import PipelineRunner
from dlhub_taskmanager.pipelines.steps import steps_pb

__all__ = ["PipelineRunner", "steps_pb"]
