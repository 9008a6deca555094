"""Many runs on one stream: ``DLHubClient.run_stream`` over dlhub.v1 ``RunStream``.

:class:`StreamMixin` is part of :class:`dlhub_sdk.client.DLHubClient`. Each
item of the input iterator becomes one request with an id (its index, or the
id of a :class:`StreamItem`); results come back as they finish, or in input
order with ``ordered=True``. A failed item is a :class:`StreamResult` whose
``error`` is the exception; the stream goes on.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc

from dlhub_common._proto.dlhub.v1 import dlhub_pb2, dlhub_pb2_grpc, tasks_pb2, types_pb2
from dlhub_common.errors import DLHubError, InvalidArgument, error_from_code
from dlhub_common.metadata import TENSOR_SERVABLE_TYPES
from dlhub_common.names import Ref, parse_ref
from dlhub_common.pipeline_spec import TENSOR_PIPELINE_RUN
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_common.signature import TensorSpec
from dlhub_sdk._inputs import _json_default
from dlhub_sdk._tasks import task_outputs


@dataclass(frozen=True)
class StreamItem:
    """One input with the id its result will carry (default: its index)."""

    id: str
    inputs: Any


@dataclass
class StreamResult:
    """The result of one item: ``outputs`` (arrays by name, or a python
    servable's JSON result) or ``error`` (a DLHubError instance)."""

    id: str
    index: int
    outputs: Any = None
    error: DLHubError | None = None
    task_id: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    def value(self) -> Any:
        """The outputs, or raise the item's error."""
        if self.error is not None:
            raise self.error
        return self.outputs


def _error(info: types_pb2.ErrorInfo) -> DLHubError:
    details = json.loads(info.details_json) if info.details_json else {}
    return error_from_code(info.code, info.message, details)


class StreamMixin:
    _stub: dlhub_pb2_grpc.DLHubServiceStub
    timeout: float

    def _md(self) -> tuple[tuple[str, str], ...]:
        raise NotImplementedError  # DLHubClient._md

    def _run_info(self, ref: Ref) -> tuple[list[TensorSpec], str]:
        raise NotImplementedError  # DLHubClient._run_info

    def _tensors(self, ref: Ref, inputs: Any) -> list[types_pb2.Tensor]:
        raise NotImplementedError  # DLHubClient._tensors

    def run_stream(
        self,
        name: str,
        inputs: Iterable[Any],
        *,
        version: int | str | None = None,
        ordered: bool = False,
        timeout: float | None = None,
        outputs: Sequence[str] = (),
        window: int = 128,
    ) -> Iterator[StreamResult]:
        """Run ``name`` on every item of ``inputs`` over one stream.

        Items are read lazily, at most ``window`` ahead of the results you
        have taken (the server also runs a bounded number at once), so a long
        or endless iterator is fine; the server batches the items in flight.

        Args:
            inputs: items as for :meth:`run`, or :class:`StreamItem` with an id.
            ordered: yield results in input order (holding early finishers
                back) instead of as they finish.
            timeout: each item's deadline in seconds (default the client's).
            window: items sent (or refused here) whose results you have not
                taken yet, at most.

        Yields:
            One :class:`StreamResult` per item; a failed item carries its
            error (bad input, not found, a servable error) and the stream
            goes on. Ids must be unique: a repeated one is an error result.

        Raises:
            DLHubError: the stream itself failed (the servable is not found
                or may not be seen, no permission, the server dropped it).
        """
        if window < 1:
            raise InvalidArgument(f"window must be at least 1, not {window}")
        ref = parse_ref(name, version)
        _specs, servable_type = self._run_info(ref)
        call = _StreamCall(
            self,
            ref,
            servable_type in (*TENSOR_SERVABLE_TYPES, TENSOR_PIPELINE_RUN),
            timeout or self.timeout,
            outputs,
        )
        return call.results(inputs, ordered, window)


class _StreamCall:
    """One run_stream: the request side runs in gRPC's thread, results in the caller's."""

    def __init__(
        self, client: StreamMixin, ref: Ref, tensor: bool, wait_s: float, outputs: Sequence[str]
    ) -> None:
        self.client = client
        self.ref = ref
        self.tensor = tensor
        self.wait_s = wait_s
        self.outputs = list(outputs)
        self.lock = threading.Lock()
        self.sent: dict[str, int] = {}  # id -> index, for results still to come
        self.used: set[str] = set()
        self.local: list[StreamResult] = []  # items refused here, before sending
        self.closed = threading.Event()

    def _run(self, value: Any) -> tasks_pb2.RunServableRequest:
        ref = self.ref
        return tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version),
            inputs=self.client._tensors(ref, value) if self.tensor else [],
            inputs_json="" if self.tensor else json.dumps(value, default=_json_default),
            timeout_s=self.wait_s,
            outputs=self.outputs,
        )

    def requests(
        self, inputs: Iterable[Any], slots: threading.Semaphore
    ) -> Iterator[dlhub_pb2.RunStreamRequest]:
        for index, item in enumerate(inputs):
            while not slots.acquire(timeout=0.1):
                if self.closed.is_set():
                    return
            if self.closed.is_set():
                return
            rid, value = (
                (item.id, item.inputs) if isinstance(item, StreamItem) else (str(index), item)
            )
            try:
                if rid in self.used:
                    raise InvalidArgument(f"stream item {index}: id {rid!r} is used twice")
                run = self._run(value)
            except (DLHubError, TypeError, ValueError) as exc:
                err = exc if isinstance(exc, DLHubError) else InvalidArgument(str(exc))
                with self.lock:
                    self.local.append(StreamResult(rid, index, error=err))
                continue
            with self.lock:
                self.used.add(rid)
                self.sent[rid] = index
            yield dlhub_pb2.RunStreamRequest(request_id=rid, run=run)

    def _result(self, response: dlhub_pb2.RunStreamResponse) -> StreamResult:
        with self.lock:
            index = self.sent.pop(response.request_id, -1)
        task = response.task
        out = StreamResult(response.request_id, index, task_id=task.task_id)
        out.timings = {
            "queue_ms": task.timings.queue_ms,
            "compute_ms": task.timings.compute_ms,
            "total_ms": task.timings.total_ms,
            "batch_size": float(task.timings.batch_size),
        }
        for message in task.warnings:
            warnings.warn(message, DeprecationWarning, stacklevel=4)
        if response.HasField("error"):
            out.error = _error(response.error)
        else:
            out.outputs = task_outputs(task, self.wait_s)
        return out

    def _refused(self) -> list[StreamResult]:
        with self.lock:
            out = list(self.local)
            self.local.clear()
        return out

    def _completed(
        self, inputs: Iterable[Any], slots: threading.Semaphore
    ) -> Generator[StreamResult, None, None]:
        stub, md = self.client._stub, self.client._md()
        call = stub.RunStream(self.requests(inputs, slots), metadata=md)
        try:
            for response in call:
                yield from self._refused()
                yield self._result(response)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from None
        finally:
            call.cancel()  # a consumer that stops early ends the stream
        yield from self._refused()

    def results(self, inputs: Iterable[Any], ordered: bool, window: int) -> Iterator[StreamResult]:
        slots = threading.Semaphore(window)  # released as results are handed over
        completed = self._completed(inputs, slots)
        try:
            if not ordered:
                for item in completed:
                    slots.release()
                    yield item
                return
            held: dict[int, StreamResult] = {}
            following = 0
            for item in completed:
                held[item.index] = item
                while following in held:
                    slots.release()
                    yield held.pop(following)
                    following += 1
            yield from (held[i] for i in sorted(held))
        finally:
            self.closed.set()
            completed.close()
