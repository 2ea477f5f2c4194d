"""Reciprocal rank fusion, and a retriever that fuses the rankings of several retrievers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Executor

from retrieval.search.base import Candidate, Retriever
from retrieval.stores import StoredChunk


def reciprocal_rank_fusion(
    rankings: Iterable[Sequence[str]], rrf_k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (rrf_k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        weight = weights[i] if weights else 1.0
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class FusionRetriever:
    """Asks each retriever for ``n`` candidates and ranks their union by reciprocal rank fusion.

    A fused candidate keeps every retriever's own score (``Candidate.scores``) and the first
    chunk any of them supplied.

    With an ``executor``, the retrievers run side by side (all but the first on its threads,
    the first on the caller's): dense search waits on the model and the store, keyword search
    on numpy, and both release the GIL for most of it.
    """

    name = "fusion"

    def __init__(
        self,
        retrievers: Sequence[Retriever],
        rrf_k: int = 60,
        weights: Sequence[float] | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.retrievers = list(retrievers)
        self.rrf_k = rrf_k
        self.weights = weights
        self.executor = executor

    def retrieve(self, query: str, n: int) -> list[Candidate]:
        first, *others = self.retrievers
        if self.executor is None or not others:
            rankings = [r.retrieve(query, n) for r in self.retrievers]
        else:
            pending = [self.executor.submit(r.retrieve, query, n) for r in others]
            rankings = [first.retrieve(query, n), *(f.result() for f in pending)]
        chunks: dict[str, StoredChunk | None] = {}
        scores: dict[str, dict[str, float]] = {}
        for ranking in rankings:
            for c in ranking:
                if chunks.get(c.id) is None:
                    chunks[c.id] = c.chunk
                scores.setdefault(c.id, {}).update(c.scores)
        fused = reciprocal_rank_fusion(
            [[c.id for c in ranking] for ranking in rankings], self.rrf_k, self.weights
        )
        return [Candidate(cid, s, chunks[cid], scores[cid]) for cid, s in fused]
