"""Consumer lag of every bus subscription in this process, per topic and group."""

from __future__ import annotations

from typing import Any

from dlhub_common.observability.live import LiveGauge


def _lag(source: Any) -> dict[tuple[str, ...], float]:
    """``source.lag()``: {(topic, group): messages not yet acknowledged}."""
    return {(topic, group): float(n) for (topic, group), n in source.lag().items()}


CONSUMER_LAG = LiveGauge(
    "dlhub_bus_consumer_lag",
    "Messages published to a topic that a consumer group of this process has not yet"
    " acknowledged (in-process bus: queued plus unacknowledged; Kafka: the partitions'"
    " high watermark minus the next unacknowledged offset), per topic and group",
    ["topic", "group"],
    _lag,
)
