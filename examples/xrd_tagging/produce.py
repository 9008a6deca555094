"""Stream synthetic detector frames to a bound topic.

Over Kafka, with a plain Kafka client (kafka-python), as any facility
producer would:

    uv run --frozen python examples/xrd_tagging/produce.py --bootstrap localhost:9092 \\
        [--topic detector.frames] [--count 500] [--rate 100]

Embedded mode (``make run``, no Kafka): the gateway's ingest endpoint
``POST /api/v1/streams/{topic}/frames`` puts each frame on the mesh's own bus:

    uv run --frozen python examples/xrd_tagging/produce.py --http http://127.0.0.1:8000

Each frame is raw float32 bytes with headers ``frame-id``, ``dtype`` and
``shape``; every ``--poison-every``-th frame is deliberately truncated, to
show the dead-letter topic at work. ``--rate 0`` sends as fast as it can.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import connect
import synth


def _frames(count: int, poison_every: int) -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(int(time.time()))
    out = []
    for i in range(count):
        image, _ = synth.frame(rng)
        data = image.astype(np.float32).tobytes()
        if poison_every and i % poison_every == poison_every - 1:
            data = data[:1000]  # a truncated frame: dead-lettered with its reason
        out.append((f"shot-{int(time.time())}-{i:05d}", data))
    return out


def _pace(start: float, i: int, rate: float) -> None:
    if rate > 0:
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def over_kafka(args: argparse.Namespace, frames: list[tuple[str, bytes]]) -> None:
    from kafka import KafkaProducer  # type: ignore[import-untyped]

    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap, acks="all", linger_ms=10, batch_size=1 << 20
    )
    start = time.perf_counter()
    for i, (frame_id, data) in enumerate(frames):
        _pace(start, i, args.rate)
        headers = [("frame-id", frame_id.encode()), ("dtype", b"float32"), ("shape", b"64,64")]
        producer.send(args.topic, value=data, key=frame_id.encode(), headers=headers)
    producer.flush()
    producer.close()
    print(f"sent {len(frames)} frames in {time.perf_counter() - start:.2f} s")


def over_http(args: argparse.Namespace, frames: list[tuple[str, bytes]]) -> None:
    asyncio.run(_over_http(args, frames))


async def _over_http(args: argparse.Namespace, frames: list[tuple[str, bytes]]) -> None:
    """POST each frame; up to ``--concurrency`` requests at once (so frames may
    reach the bus slightly out of order; over Kafka one producer keeps order)."""
    import httpx

    token = connect.token(args)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/octet-stream"}
    slots = asyncio.Semaphore(args.concurrency)
    start = time.perf_counter()

    async def post(http: httpx.AsyncClient, frame_id: str, data: bytes) -> None:
        async with slots:
            resp = await http.post(
                f"/api/v1/streams/{args.topic}/frames",
                content=data,
                headers={"x-frame-id": frame_id, "x-dtype": "float32", "x-shape": "64,64"},
            )
        if resp.status_code != 202:
            sys.exit(f"ingest refused frame {frame_id}: {resp.status_code} {resp.text}")

    async with httpx.AsyncClient(base_url=args.http, headers=headers, timeout=30) as http:
        pending = []
        for i, (frame_id, data) in enumerate(frames):
            if args.rate > 0:
                await asyncio.sleep(max(0.0, start + i / args.rate - time.perf_counter()))
            await slots.acquire()  # bound what is queued, not only what is sent
            slots.release()
            pending.append(asyncio.create_task(post(http, frame_id, data)))
        await asyncio.gather(*pending)
    print(f"sent {len(frames)} frames in {time.perf_counter() - start:.2f} s")


def main() -> int:
    parser = connect.parser(__doc__)
    parser.add_argument("--topic", default="detector.frames")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0, help="frames per second; 0: flat out")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="embedded mode: requests in flight"
    )
    parser.add_argument("--poison-every", type=int, default=50, help="0: no poison frames")
    args = connect.parse(parser)
    frames = _frames(args.count, args.poison_every)
    (over_kafka if args.bootstrap else over_http)(args, frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
