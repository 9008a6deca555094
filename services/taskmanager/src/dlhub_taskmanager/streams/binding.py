"""One running stream binding: consume frames, run them, produce results in order.

Frames are read in the consumer group ``stream.<binding id>``. Up to
``max_in_flight`` frames run at once through the normal run path
(:meth:`TaskManager.submit`, as the binding's creator), so the executor
batches them like any concurrent runs. Results are produced in the order the
frames were read (so per partition too), and a frame is acknowledged (its
offset committed) only after its result, or its dead-letter copy, was
produced: at-least-once (a result whose produce failed and was retried may
follow later ones). A run that could not finish (the executor is gone,
the run timed out, the mesh is overloaded) is retried until it does, so an
executor restart re-processes frames and loses none; the results of a frame
that ran twice carry the same frame id.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.errors import DLHubError, error_from_code
from dlhub_common.identity import Principal, current_principal
from dlhub_common.names import Ref
from dlhub_common.ports import Delivery, EventBus
from dlhub_common.settings import StreamSettings
from dlhub_taskmanager.resolver import JSON_TYPES
from dlhub_taskmanager.streams.frames import Frame, Poison, decode, frame_id_of, tags_of

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager

log = logging.getLogger("dlhub.streams")

# Run outcomes that mean "this frame will never run": dead-lettered. Anything
# else (UNAVAILABLE, DEADLINE_EXCEEDED, OVERLOADED, ...) is retried.
POISON_CODES = frozenset(
    {"INVALID_ARGUMENT", "FAILED_PRECONDITION", "NOT_FOUND", "SERVABLE_ERROR", "PERMISSION_DENIED"}
)


@dataclass(frozen=True)
class BindingSpec:
    """A binding as the runner needs it (from ListBindings)."""

    id: str
    topic: str
    ref: Ref
    output_topic: str
    dead_letter_topic: str
    key_field: str
    input: str
    max_in_flight: int
    principal: Principal

    @classmethod
    def from_pb(cls, pb: registry_pb2.StreamBinding) -> BindingSpec:
        return cls(
            id=pb.id,
            topic=pb.topic,
            ref=Ref(pb.servable.owner, pb.servable.name, pb.servable.version),
            output_topic=pb.output_topic,
            dead_letter_topic=pb.dead_letter_topic,
            key_field=pb.key_field or "frame-id",
            input=pb.input,
            max_in_flight=pb.max_in_flight or 32,
            principal=Principal(
                pb.creator,
                frozenset(pb.creator_groups),
                frozenset(pb.creator_identities),
                frozenset(pb.creator_roles),
            ),
        )

    @property
    def group(self) -> str:
        return f"stream.{self.id}"


@dataclass
class Outcome:
    """What one frame produced: a result, or a dead letter."""

    frame_id: str
    topic: str
    value: bytes
    headers: dict[str, bytes] = field(default_factory=dict)


@dataclass
class BindingCounters:
    frames: int = 0
    results: int = 0
    dead_letters: int = 0
    retries: int = 0
    batch_sizes: dict[int, int] = field(default_factory=dict)


class BindingStream:
    """Runs one binding until :meth:`stop`."""

    def __init__(
        self, spec: BindingSpec, core: TaskManager, bus: EventBus, settings: StreamSettings
    ) -> None:
        self.spec = spec
        self.core = core
        self.bus = bus
        self.settings = settings
        self.counters = BindingCounters()
        self._task: asyncio.Task[None] | None = None
        self._classes: dict[str, list[str]] = {}  # digest -> classes
        self._seq = itertools.count()
        self.ready = asyncio.Event()  # set once the consumer joined its group

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"stream-{self.spec.id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        current_principal.set(self.spec.principal)  # this task runs as the creator
        while True:
            try:
                # the HTTP results reader's default group misses nothing from now on
                await self.bus.ensure_group(
                    [self.spec.output_topic, self.spec.dead_letter_topic], f"results.{self.spec.id}"
                )
                subscription = self.bus.subscribe([self.spec.topic], self.spec.group)
                async with subscription:
                    self.ready.set()
                    await self._consume(subscription)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the bus went away: join again shortly
                log.warning("stream %s: %s; resuming", self.spec.id, _reason(exc))
                await asyncio.sleep(self.settings.retry_s)

    async def _consume(self, subscription: Any) -> None:
        slots = asyncio.Semaphore(self.spec.max_in_flight)
        order: collections.deque[tuple[Delivery, asyncio.Task[Outcome]]] = collections.deque()
        added = asyncio.Event()
        writer = asyncio.create_task(self._write(order, added, slots))
        try:
            async for delivery in subscription:
                await slots.acquire()
                if writer.done():  # the writer failed: stop reading, rejoin
                    break
                order.append((delivery, asyncio.create_task(self._process(delivery))))
                added.set()
            # the subscription ended (the bus stopped) or the writer failed: what
            # is not acknowledged comes again to the next subscription
            error = writer.exception() if writer.done() else None
            if error is not None:
                raise error
        finally:
            writer.cancel()
            for _, task in order:
                task.cancel()

    async def _write(
        self,
        order: collections.deque[tuple[Delivery, asyncio.Task[Outcome]]],
        added: asyncio.Event,
        slots: asyncio.Semaphore,
    ) -> None:
        """Produce outcomes in reading order; ack frames only after their outcomes.

        The oldest frame's outcome is awaited; it and every finished one right
        behind it are produced together (sent in order, so they stay in order
        on their partition), then acknowledged together (the bus commits the
        offsets in one go).
        """
        while True:
            while not order:
                added.clear()
                await added.wait()
            await asyncio.wait([order[0][1]])
            ready: list[tuple[Delivery, Outcome]] = []
            while order and order[0][1].done():
                delivery, task = order.popleft()
                ready.append((delivery, task.result()))
            await asyncio.gather(*(self._produce(outcome) for _, outcome in ready))
            await asyncio.gather(*(delivery.ack() for delivery, _ in ready))
            for _ in ready:
                slots.release()

    async def _produce(self, outcome: Outcome) -> None:
        while True:
            try:
                await self.bus.publish(
                    outcome.topic, outcome.value, key=outcome.frame_id, headers=outcome.headers
                )
                return
            except DLHubError as exc:
                log.warning("stream %s: producing failed: %s", self.spec.id, exc.message)
                await asyncio.sleep(self.settings.retry_s)

    # ------------------------------------------------------------ one frame

    async def _process(self, delivery: Delivery) -> Outcome:
        spec = self.spec
        self.counters.frames += 1
        frame_id = frame_id_of(
            delivery.headers, delivery.key, spec.key_field, f"{spec.topic}-{next(self._seq)}"
        )
        while True:
            try:
                return await self._attempt(frame_id, delivery)
            except Poison as poison:
                return self._dead_letter(frame_id, delivery, poison)
            except asyncio.CancelledError:
                raise
            except DLHubError as exc:
                if exc.code.value in POISON_CODES:
                    return self._dead_letter(
                        frame_id, delivery, Poison(exc.message, exc.code.value)
                    )
                self.counters.retries += 1
                log.info("stream %s frame %s: %s; retrying", spec.id, frame_id, exc.message)
                await asyncio.sleep(self.settings.retry_s)

    async def _attempt(self, frame_id: str, delivery: Delivery) -> Outcome:
        resolved = await self.core.resolve(self.spec.ref)
        json_input = resolved.servable_type in JSON_TYPES
        specs = {s.name: s for s in resolved.inputs}
        name = self.spec.input or (next(iter(specs)) if len(specs) == 1 else "")
        if not json_input and name not in specs:
            raise Poison(f"the servable has no input {name!r}", "FAILED_PRECONDITION")
        frame = decode(
            frame_id,
            delivery.value,
            delivery.headers,
            json_input=json_input,
            spec=specs.get(name),
            input_name=name,
        )
        view = await self.core.submit(
            self.spec.principal,
            self.spec.ref,
            frame.tensors,
            inputs_json=frame.inputs_json,
            wait=True,
            timeout_s=self.settings.run_timeout_s,
        )
        record = view.record
        if record["state"] != "SUCCEEDED":
            error = record.get("error") or {}
            code = str(error.get("code") or "DEADLINE_EXCEEDED")
            message = str(error.get("message") or f"the run ended {record['state']}")
            raise error_from_code(code, message)
        return await self._result(frame, resolved.digest, view)

    async def _result(self, frame: Frame, digest: str, view: Any) -> Outcome:
        record = view.record
        outputs = {t.name: tensor_to_array(t) for t in view.outputs}
        servable = record["servable"]
        body: dict[str, Any] = {
            "frame_id": frame.frame_id,
            "servable": f"{servable['owner']}/{servable['name']}",
            "version": servable["version"],
            "task_id": record["task_id"],
        }
        tags = tags_of(await self._classes_of(digest), outputs)
        if tags is not None:
            body["tags"] = tags
        if outputs:
            body["outputs"] = {k: v.tolist() for k, v in outputs.items()}
        if view.output_json:
            body["output"] = json.loads(view.output_json)
        timings = record.get("timings") or {}
        batch = int(timings.get("batch_size") or 1)
        self.counters.results += 1
        self.counters.batch_sizes[batch] = self.counters.batch_sizes.get(batch, 0) + 1
        headers = {
            "frame-id": frame.frame_id.encode(),
            "content-type": b"application/json",
            "dlhub-binding": self.spec.id.encode(),
            "dlhub-servable": f"{body['servable']}:{body['version']}".encode(),
            "dlhub-digest": digest.encode(),
            "dlhub-task-id": record["task_id"].encode(),
            "dlhub-batch-size": str(batch).encode(),
        }
        for key in ("queue_ms", "compute_ms", "total_ms"):
            if key in timings:
                headers[f"dlhub-{key.replace('_', '-')}"] = f"{float(timings[key]):.3f}".encode()
        return Outcome(
            frame.frame_id,
            self.spec.output_topic,
            json.dumps(body, separators=(",", ":")).encode(),
            headers,
        )

    async def _classes_of(self, digest: str) -> list[str]:
        classes = self._classes.get(digest)
        if classes is None:
            resp = await self.core.resolver.cached.get_servable(
                registry_pb2.GetServableRequest(
                    ref=types_pb2.ServableRef(
                        owner=self.spec.ref.owner,
                        name=self.spec.ref.name,
                        version=self.spec.ref.version,
                    )
                )
            )
            metadata = json.loads(resp.servable.metadata_json or "{}")
            found = (metadata.get("servable") or {}).get("classes") or []
            classes = [str(c) for c in found] if isinstance(found, list) else []
            self._classes[digest] = classes
        return classes

    def _dead_letter(self, frame_id: str, delivery: Delivery, poison: Poison) -> Outcome:
        self.counters.dead_letters += 1
        log.info("stream %s frame %s dead-lettered: %s", self.spec.id, frame_id, poison.reason)
        headers = dict(delivery.headers)
        headers.update(
            {
                "frame-id": frame_id.encode(),
                "dlhub-error-reason": poison.reason.encode(),
                "dlhub-error-code": poison.code.encode(),
                "dlhub-binding": self.spec.id.encode(),
                "dlhub-source-topic": self.spec.topic.encode(),
                "dlhub-dead-lettered-at": f"{time.time():.3f}".encode(),
            }
        )
        return Outcome(frame_id, self.spec.dead_letter_topic, delivery.value, headers)


def _reason(exc: BaseException) -> str:
    return exc.message if isinstance(exc, DLHubError) else type(exc).__name__
