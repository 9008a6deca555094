"""dlhub_executor.running: a cancel stops a call only when every task it serves is cancelled."""

from __future__ import annotations

import asyncio

from dlhub_executor.running import RunningCalls, stop_list


def test_a_call_stops_once_all_its_tasks_are_cancelled() -> None:
    cancelled: set[str] = set()
    calls = RunningCalls(cancelled.__contains__)
    stopped: list[str] = []
    assert stop_list() is None  # outside a call: runners add nothing
    with calls.call(["a", "b"]):
        stops = stop_list()
        assert stops is not None
        stops.append(lambda: stopped.append("ab"))
        cancelled.add("a")
        assert not calls.cancelled("a")  # b still wants its result
        assert stopped == []
        cancelled.add("b")
        assert calls.cancelled("b")
        assert stopped == ["ab"]
    assert stop_list() is None
    assert not calls.cancelled("a")  # the call is over: nothing left to stop
    assert not calls.cancelled("unknown")


def test_a_call_without_a_stoppable_runner_is_left_alone() -> None:
    calls = RunningCalls(lambda _t: True)
    with calls.call(["a"]):
        assert not calls.cancelled("a")  # no runner added a stop: it runs to its deadline


async def test_the_stop_list_reaches_the_worker_thread() -> None:
    calls = RunningCalls(lambda _t: True)
    stopped: list[int] = []

    def runner() -> None:  # what the ONNX runner does in its thread
        stops = stop_list()
        assert stops is not None
        stops.append(lambda: stopped.append(1))

    with calls.call(["t"]):
        await asyncio.to_thread(runner)
        assert calls.cancelled("t")
    assert stopped == [1]


def test_a_failing_stop_does_not_keep_the_others_from_running() -> None:
    calls = RunningCalls(lambda _t: True)
    stopped: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    with calls.call(["t"]):
        stops = stop_list()
        assert stops is not None
        stops.extend([broken, lambda: stopped.append("second")])
        assert calls.cancelled("t")
    assert stopped == ["second"]
