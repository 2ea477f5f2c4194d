"""The search pipeline: candidates -> (fuse) -> fetch -> dedupe -> rerank -> top k.

A mode names the retrievers it uses (``MODES``); one retriever's ranking is used as it is, several
are fused by reciprocal rank fusion. A new retriever is one more entry in ``retrievers`` and in
the modes that should use it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import islice

from retrieval.search.base import Candidate, Retriever, SearchMode
from retrieval.search.dedupe import collapse_duplicates
from retrieval.search.fusion import FusionRetriever
from retrieval.search.rerank import NoRerank, Reranker
from retrieval.stores import StoredChunk
from retrieval.types import Hit

MODES: dict[str, tuple[str, ...]] = {
    "dense": ("dense",),
    "keyword": ("keyword",),
    "hybrid": ("dense", "keyword"),
}

# Fetches chunks by id (for candidates a retriever knew only by id); unknown ids are left out.
ChunkFetcher = Callable[[Sequence[str]], Mapping[str, StoredChunk]]


class SearchPipeline:
    def __init__(
        self,
        retrievers: Mapping[str, Retriever],
        fetch: ChunkFetcher,
        *,
        k: int = 6,
        candidates: int = 40,
        rrf_k: int = 60,
        reranker: Reranker | None = None,
        modes: Mapping[str, Sequence[str]] = MODES,
    ) -> None:
        self.retrievers = dict(retrievers)
        self.fetch = fetch
        self.k = k
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.reranker: Reranker = reranker or NoRerank()
        self.modes = {mode: tuple(names) for mode, names in modes.items()}
        # Built on first use, then kept: the fused retrievers and the threads they share.
        self._built: dict[str, Retriever] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def retriever(self, mode: SearchMode | str) -> Retriever:
        built = self._built.get(mode)
        if built is not None:
            return built
        try:
            parts = [self.retrievers[name] for name in self.modes[mode]]
        except KeyError:
            raise ValueError(
                f"Unknown search mode {mode!r}; known: {', '.join(self.modes)}"
            ) from None
        with self._lock:
            # One retriever keeps its own scores (cosine, BM25); only several need fusing, side
            # by side on threads this pipeline keeps (the caller's thread runs the first).
            if len(parts) == 1:
                built = parts[0]
            else:
                if self._executor is None:
                    widest = max(len(names) for names in self.modes.values())
                    self._executor = ThreadPoolExecutor(
                        max_workers=max(1, widest - 1), thread_name_prefix="newsdesk-search"
                    )
                built = FusionRetriever(parts, self.rrf_k, executor=self._executor)
            return self._built.setdefault(mode, built)

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: SearchMode | str = "hybrid",
        candidates: int | None = None,
    ) -> list[Hit]:
        k = k or self.k
        if not query.strip():
            return []
        n = max(candidates or self.candidates, k)
        ranked = self.retriever(mode).retrieve(query, n)
        if isinstance(self.reranker, NoRerank):
            # The order is final: only the chunks of the first k distinct stories are needed,
            # fetched k candidates at a time (one fetch unless duplicates or dropped chunks
            # thin the first window). Reading a chunk costs more than ranking it.
            kept = islice(collapse_duplicates(self._with_chunks(ranked, window=k)), k)
            return [to_hit(c) for c in kept]
        hits = [to_hit(c) for c in collapse_duplicates(self._with_chunks(ranked))]
        return self.reranker.rerank(query, hits)[:k]

    def _with_chunks(
        self, ranked: Sequence[Candidate], window: int | None = None
    ) -> Iterator[Candidate]:
        """The candidates in order with their chunks, fetched ``window`` candidates at a time
        as the caller reads on (all at once without a window)."""
        step = window or len(ranked) or 1
        for start in range(0, len(ranked), step):
            part = ranked[start : start + step]
            missing = [c.id for c in part if c.chunk is None]
            fetched = self.fetch(missing) if missing else {}
            for c in part:
                chunk = c.chunk or fetched.get(c.id)
                # The keyword index may briefly know a chunk the store dropped: leave it out.
                if chunk is not None:
                    yield c if c.chunk is not None else replace(c, chunk=chunk)


def to_hit(candidate: Candidate) -> Hit:
    assert candidate.chunk is not None
    chunk = candidate.chunk
    meta = chunk.metadata
    return Hit(
        chunk_id=chunk.id,
        article_id=str(meta.get("article_id", "")),
        title=str(meta.get("title", "")),
        text=chunk.text,
        score=float(candidate.score),
        source=str(meta.get("source", "")),
        url=str(meta.get("url", "")),
        published_at=str(meta.get("published_at", "")),
        index=int(meta.get("index", 0)),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        dense_score=candidate.scores.get("dense"),
        keyword_score=candidate.scores.get("keyword"),
        content_hash=str(meta.get("content_hash", "")),
    )
