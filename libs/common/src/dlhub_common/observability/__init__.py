"""Prometheus metrics and structured logs of every DLHub process.

* ``labels``: the bounded per-servable label values (``servable``, ``version``);
* ``service_metrics``: RPC, HTTP, stream, rate-limit and publish families;
* ``run_metrics``: per-servable runs: outcomes, latencies, batches, caches, in flight;
* ``executor_metrics``: model loads/unloads, replicas, batch wait, staging cache;
* ``bus_metrics``: consumer lag per group, read from the live bus adapters at scrape time;
* ``server``: ``/metrics`` on the port in settings (``metrics.port``);
* ``logs``: text or JSON logs carrying the OpenTelemetry trace and span ids.

(``dlhub_common.metrics`` is unrelated: ML scoring metrics for benchmarks.)
"""
