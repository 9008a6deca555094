"""Stored benchmark scores: one document per (benchmark digest, servable digest).

The document id is the digest pair, and a unique index on the two digests
backs it, so the same pair can never be stored twice: a second writer gets
AlreadyExists and reads the first one's score instead. A score holds what
reproduces it: both versions and digests, the metric, the value, the number
of examples, when and by whom.
"""

from __future__ import annotations

from typing import Any

from dlhub_common.errors import AlreadyExists
from dlhub_common.ports import DocumentStore

COLLECTION = "benchmark_scores"


def score_id(benchmark_digest: str, servable_digest: str) -> str:
    return f"{benchmark_digest}|{servable_digest}"


class Scores:
    def __init__(self, docs: DocumentStore) -> None:
        self.docs = docs

    async def start(self) -> None:
        await self.docs.ensure_index(
            COLLECTION, ["benchmark.digest", "servable.digest"], unique=True
        )

    async def get(self, benchmark_digest: str, servable_digest: str) -> dict[str, Any] | None:
        return await self.docs.get(COLLECTION, score_id(benchmark_digest, servable_digest))

    async def insert(self, score: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store a new score; returns (the stored score, whether it was already there)."""
        bench, servable = score["benchmark"]["digest"], score["servable"]["digest"]
        try:
            await self.docs.insert(COLLECTION, score_id(bench, servable), score)
        except AlreadyExists:
            stored = await self.get(bench, servable)
            if stored is not None:
                return stored, True
            raise
        return score, False

    async def of_benchmark(self, benchmark_digest: str) -> list[dict[str, Any]]:
        """Every score on one benchmark version (visibility is the caller's to apply)."""
        return await self.docs.find(COLLECTION, {"benchmark.digest": benchmark_digest})
