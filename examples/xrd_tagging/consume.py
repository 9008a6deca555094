"""Print live tags from a bound stream's output topic, and what it sustained.

Over Kafka, with a plain Kafka consumer (kafka-python):

    uv run --frozen python examples/xrd_tagging/consume.py --bootstrap localhost:9092 \\
        [--output detector.tags] [--count 500]

Embedded mode: long-polls the gateway's ``GET /api/v1/streams/{output}/results``:

    uv run --frozen python examples/xrd_tagging/consume.py --http http://127.0.0.1:8000

Each result line shows the frame id and its tags above ``--threshold``, most
probable first (the original DLHub table); dead letters show their reason.
With ``--count`` it stops after that many messages and prints frames/second
(from the first message to the last) and the batch sizes the executor formed.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import connect


def _kafka(args: argparse.Namespace) -> Iterator[tuple[str, dict[str, str], Any, bool]]:
    from kafka import KafkaConsumer  # type: ignore[import-untyped]

    consumer = KafkaConsumer(
        args.output,
        f"{args.topic}.dlq",
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset="latest" if args.group else "earliest",
        metadata_max_age_ms=1000,
    )
    try:
        for m in consumer:
            headers = {k: v.decode("utf-8", "replace") for k, v in m.headers}
            dead = m.topic.endswith(".dlq")
            yield (
                m.key.decode() if m.key else "",
                headers,
                None if dead else json.loads(m.value),
                dead,
            )
    finally:
        consumer.close()


def _http(args: argparse.Namespace) -> Iterator[tuple[str, dict[str, str], Any, bool]]:
    import httpx

    token = connect.token(args)
    with httpx.Client(
        base_url=args.http, headers={"authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        while True:
            for topic, dead, wait in ((args.output, False, 5), (f"{args.topic}.dlq", True, 0)):
                resp = http.get(
                    f"/api/v1/streams/{topic}/results", params={"max": 500, "timeout_s": wait}
                )
                resp.raise_for_status()
                for r in resp.json()["results"]:
                    yield r["frame_id"], r["headers"], r["result"], dead


def main() -> int:
    parser = connect.parser(__doc__)
    parser.add_argument("--topic", default="detector.frames", help="the input topic (for its .dlq)")
    parser.add_argument("--output", default="detector.tags")
    parser.add_argument("--group", help="Kafka consumer group (default: none, from the start)")
    parser.add_argument("--count", type=int, default=0, help="stop after this many messages")
    parser.add_argument("--threshold", type=float, default=0.3)
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    args = connect.parse(parser)
    batches: collections.Counter[int] = collections.Counter()
    seen, dead_letters, first, last = 0, 0, 0.0, 0.0
    for frame_id, headers, result, dead in (_kafka if args.bootstrap else _http)(args):
        now = time.perf_counter()
        first = first or now
        last = now
        seen += 1
        if dead:
            dead_letters += 1
            if not args.quiet:
                print(f"{frame_id}: DEAD LETTER: {headers.get('dlhub-error-reason')}")
        else:
            batches[int(headers.get("dlhub-batch-size", "1"))] += 1
            if not args.quiet:
                tags = result.get("tags", {})
                shown = [f"{t} {p:.4f}" for t, p in tags.items() if p >= args.threshold]
                ms = headers.get("dlhub-total-ms", "?")
                print(f"{frame_id}: {', '.join(shown) or '(no tag)'}  [{ms} ms]", flush=True)
        if args.count and seen >= args.count:
            break
    span = last - first
    if seen > 1 and span > 0:
        print(
            f"{seen} messages ({dead_letters} dead letters) in {span:.2f} s:"
            f" {(seen - 1) / span:.1f} frames/s"
        )
    sizes = ", ".join(f"{size}: {n}" for size, n in sorted(batches.items()))
    print(f"batch sizes (size: results): {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
