"""Usage statistics: :class:`UsageMixin` is part of :class:`dlhub_sdk.client.DLHubClient`.

The gateway answers ``GetServableStats`` with the access rules applied
(docs/observability.md, "Usage statistics")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.errors import InvalidArgument
from dlhub_common.names import parse_ref
from dlhub_common.usage_views import servable_stats_fields


def since_text(since: str | int | dt.timedelta | dt.date | None) -> str:
    """``since`` as the API reads it: "30d", "4w", a day "2026-11-01" ("" = 30 days)."""
    if since is None:
        return ""
    if isinstance(since, bool):
        raise InvalidArgument(f"since must be days, a duration or a date, not {since!r}")
    if isinstance(since, int):
        return f"{since}d"
    if isinstance(since, dt.timedelta):
        return f"{max(1, since.days)}d"
    if isinstance(since, dt.datetime):
        return since.astimezone(dt.UTC).date().isoformat()
    if isinstance(since, dt.date):
        return since.isoformat()
    if isinstance(since, str):
        return since
    raise InvalidArgument(f"since must be days, a duration or a date, not {type(since).__name__}")


class UsageMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def get_stats(
        self,
        name: str,
        version: int | str | None = None,
        since: str | int | dt.timedelta | dt.date | None = "30d",
    ) -> dict[str, Any]:
        """Usage statistics of ``owner/name`` (every version you may see, or ``version``).

        Args:
            name: ``owner/name`` (``owner/name:3`` picks a version too).
            version: one version; None: every version you may see.
            since: how far back: "30d", "4w", a number of days, a timedelta,
                or the first UTC day (a date or "2026-11-01").

        Returns:
            ``{"servable", "version", "since", "until", "totals", "versions",
            "days"}``; counts are invocations, errors, refused, latency
            p50/p95 (ms), unique_callers and last_used_at. ``days`` (per day
            and version) is None unless you own the servable (or are an admin).
        """
        ref = parse_ref(name, version)
        resp = self._call(
            "GetServableStats",
            tasks_pb2.GetServableStatsRequest(
                servable=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version),
                since=since_text(since),
            ),
            timeout=60,
        )
        return servable_stats_fields(resp)
