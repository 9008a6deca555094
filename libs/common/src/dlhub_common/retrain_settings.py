"""Settings of retraining (``retrain.*``; docs/retraining.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MiB = 1 << 20


class RetrainSettings(BaseModel):
    """Training recipes: triggers and the limits a training function runs under."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Watch data sources and run retrain jobs")
    poll_interval_s: float = Field(
        30.0, gt=0, description="How often data prefixes are listed for new objects"
    )
    cpu_time_s: int = Field(
        600, ge=1, description="CPU seconds a training function may use (RLIMIT_CPU)"
    )
    memory_bytes: int = Field(
        4096 * MiB, ge=64 * MiB, description="Address space of a training process (RLIMIT_AS)"
    )
    wall_timeout_s: float = Field(
        1800.0, gt=0, description="Wall-clock limit of one training run; it is killed after"
    )
    eval_call_timeout_s: float = Field(
        60.0, gt=0, description="Longest one model call may run while scoring on the benchmark"
    )
    max_data_bytes: int = Field(
        1024 * MiB, ge=1, description="Largest total of new data one job stages"
    )
    max_objects: int = Field(10000, ge=1, description="Most new objects one job stages")
