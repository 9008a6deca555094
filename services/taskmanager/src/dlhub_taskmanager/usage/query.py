"""GetServableStats: the usage of one servable, as the caller may see it.

* The servable is read through the registry as the caller, so one they may
  not see is NOT_FOUND, exactly as describe answers it.
* Everyone who may see it gets the totals (all versions they may see, and
  each of them); per-day detail only its owner, co-owners and admins.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2, types_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.bounds import check_int
from dlhub_common.errors import InvalidArgument
from dlhub_common.identity import Principal
from dlhub_common.names import check_slug
from dlhub_taskmanager.usage import sketch
from dlhub_taskmanager.usage.recorder import DayCounts, UsageRecorder

DEFAULT_SINCE = "30d"
MAX_DAYS = 3660
_RELATIVE = re.compile(r"([0-9]{1,5})([dw])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def since_day(since: str, today: dt.date | None = None) -> str:
    """The first UTC day counted for ``since`` ("30d", "4w", "2026-11-01"; "" = 30d).

    Raises:
        InvalidArgument: anything else, 0 days, more than MAX_DAYS, a future day.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    text = (since or DEFAULT_SINCE).strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        days = int(relative[1]) * (7 if relative[2] == "w" else 1)
        if not 1 <= days <= MAX_DAYS:
            raise InvalidArgument(f"since {since!r} must cover 1 to {MAX_DAYS} days")
        return (today - dt.timedelta(days=days - 1)).isoformat()
    if _DATE.fullmatch(text):
        try:
            first = dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidArgument(f"since {since!r} is not a valid date") from None
        if first > today:
            raise InvalidArgument(f"since {since!r} is in the future (today is {today})")
        return first.isoformat()
    raise InvalidArgument(
        f"since {since!r} is not understood; use a number of days or weeks"
        " ('30d', '4w') or a first day ('2026-11-01')"
    )


def counts_pb(counts: DayCounts) -> tasks_pb2.UsageCounts:
    last = ""
    if counts.last_used_ms:
        secs, ms = divmod(counts.last_used_ms, 1000)
        last = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{ms:03d}Z"
    return tasks_pb2.UsageCounts(
        invocations=counts.invocations,
        errors=counts.errors,
        refused=counts.refused,
        latency_p50_ms=sketch.percentile(counts.latency, 0.50),
        latency_p95_ms=sketch.percentile(counts.latency, 0.95),
        unique_callers=sketch.unique_estimate(counts.callers),
        last_used_at=last,
    )


def may_see_days(principal: Principal, summary: types_pb2.ServableSummary) -> bool:
    """Owners, co-owners and admins see per-day detail."""
    record = {"owner": summary.owner, "co_owners": list(summary.co_owners)}
    return principal.admin or principal.can_manage(record)


async def servable_stats(
    usage: UsageRecorder,
    registry: RegistryApi,
    principal: Principal,
    request: tasks_pb2.GetServableStatsRequest,
) -> tasks_pb2.GetServableStatsResponse:
    """The usage of ``request.servable`` the caller may see (see the module doc).

    Raises:
        InvalidArgument: a bad owner, name, version or since.
        NotFound: the servable or version does not exist for this caller.
    """
    ref = request.servable
    owner = check_slug("owner", ref.owner)
    name = check_slug("name", ref.name)
    version = check_int("servable.version", ref.version)
    first = since_day(request.since)
    found = await registry.get_servable(
        registry_pb2.GetServableRequest(
            ref=types_pb2.ServableRef(owner=owner, name=name, version=version)
        )
    )
    summary = found.servable.summary
    versions = [int(summary.version)] if version > 0 else sorted(int(v) for v in found.versions)
    days = await usage.days(summary.owner, summary.name, versions, first)
    totals = DayCounts()
    per_version = {v: DayCounts() for v in versions}
    for (v, _day), counts in days.items():
        totals.merge(counts)
        per_version[v].merge(counts)
    detail = may_see_days(principal, summary)
    out = tasks_pb2.GetServableStatsResponse(
        servable=types_pb2.ServableRef(owner=summary.owner, name=summary.name, version=version),
        since=first,
        until=dt.datetime.now(dt.UTC).date().isoformat(),
        totals=counts_pb(totals),
        days_visible=detail,
    )
    out.versions.extend(
        tasks_pb2.ServableVersionUsage(version=v, counts=counts_pb(c))
        for v, c in sorted(per_version.items())
    )
    if detail:
        out.days.extend(
            tasks_pb2.ServableUsageDay(day=day, version=v, counts=counts_pb(days[(v, day)]))
            for v, day in sorted(days, key=lambda k: (k[1], k[0]))
        )
    return out
