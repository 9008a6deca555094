"""Servable records: lifecycle state and latest resolution."""

from __future__ import annotations

from typing import Any

from dlhub_common.records import latest_of, state_of, summary_from_pb, summary_pb


def rec(version: int, state: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"owner": "alice", "name": "m", "version": version}
    if state is not None:
        out["state"] = state
    return out


def test_records_without_a_state_are_active() -> None:
    assert state_of(rec(1)) == "active"
    summary = summary_from_pb(summary_pb(rec(1)))
    assert (summary["state"], summary["state_reason"], summary["state_changed_at"]) == (
        "active",
        "",
        "",
    )


def latest_version(records: list[dict[str, Any]]) -> int:
    found = latest_of(records)
    assert found is not None
    return int(found["version"])


def test_latest_skips_withdrawn_versions_but_not_deprecated_ones() -> None:
    assert latest_of([]) is None
    assert latest_version([rec(2), rec(1)]) == 2
    assert latest_version([rec(1), rec(2, "withdrawn")]) == 1
    assert latest_version([rec(1), rec(2, "deprecated")]) == 2
    # every version withdrawn: the newest, as a tombstone
    assert latest_version([rec(1, "withdrawn"), rec(2, "withdrawn")]) == 2


def test_summary_carries_the_state() -> None:
    record = {
        **rec(3, "deprecated"),
        "state_reason": "old",
        "state_changed_at": "2024-01-01T00:00:00Z",
    }
    pb = summary_pb(record)
    assert (pb.state, pb.state_reason, pb.state_changed_at) == (
        "deprecated",
        "old",
        "2024-01-01T00:00:00Z",
    )
