"""Gauges read from live objects when ``/metrics`` is scraped.

Some numbers (queued bus messages, unfinished tasks, live executors) already
exist inside a component; keeping a second copy in a gauge would drift. A
:class:`LiveGauge` holds weak references to the components that registered
and sums what each reports at scrape time. Scrapes run on the metrics server's
thread: a reader takes a snapshot of plain containers (``list(d.values())``
copies under the GIL) and must not await or lock.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("dlhub.metrics")

Reader = Callable[[Any], dict[tuple[str, ...], float]]


class LiveGauge(Collector):
    """One gauge family summed over the live components that registered."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str], read: Reader):
        self.name = name
        self.documentation = documentation
        self.labels = list(labels)
        self._read = read
        self._sources: weakref.WeakSet[Any] = weakref.WeakSet()
        REGISTRY.register(self)

    def track(self, source: Any) -> None:
        """Count ``source`` from now on (until it is garbage collected or untracked)."""
        self._sources.add(source)

    def untrack(self, source: Any) -> None:
        self._sources.discard(source)

    def values(self) -> dict[tuple[str, ...], float]:
        total: dict[tuple[str, ...], float] = {}
        for source in list(self._sources):
            for attempt in range(3):  # a container changed under the snapshot: read again
                try:
                    read = self._read(source)
                    break
                except RuntimeError:
                    if attempt == 2:
                        log.debug("%s: could not read a live source", self.name)
                        read = {}
            for key, value in read.items():
                total[key] = total.get(key, 0.0) + value
        return total

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(self.name, self.documentation, labels=self.labels)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labels)
        for key, value in sorted(self.values().items()):
            family.add_metric(list(key), value)
        yield family
