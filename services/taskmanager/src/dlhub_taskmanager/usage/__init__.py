"""Durable usage statistics per servable, version and UTC day (docs/observability.md).

recorder.py gathers and writes them, sketch.py holds the unique-caller and
latency sketches, query.py answers GetServableStats with the access rules.
"""

from dlhub_taskmanager.usage.query import servable_stats
from dlhub_taskmanager.usage.recorder import UsageRecorder

__all__ = ["UsageRecorder", "servable_stats"]
