"""Community benchmarks in the task manager: scoring servables and leaderboards.

``service.Benchmarks`` is the core; ``fit`` decides whether a servable can
compete, ``scoring`` runs the data set through ``submit`` and computes the
metric, ``scores`` stores one score per digest pair, and ``api`` converts
to and from protobuf.
"""

from dlhub_taskmanager.benchmarks.api import BenchmarksAPI
from dlhub_taskmanager.benchmarks.service import Benchmarks

__all__ = ["Benchmarks", "BenchmarksAPI"]
