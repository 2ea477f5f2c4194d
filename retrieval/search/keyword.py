"""Keyword retrieval: BM25 over the persisted keyword index.

A chunk found here carries its text and metadata from the index's records, so keyword-only hits
need no store round trip.
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.keyword_index import KeywordIndex
from retrieval.search.base import Candidate
from retrieval.stores import StoredChunk


class KeywordRetriever:
    name = "keyword"

    def __init__(self, index: Callable[[], KeywordIndex]) -> None:
        # A callable, not an index: the index is loaded on first use and replaced when stale.
        self.index = index

    def retrieve(self, query: str, n: int) -> list[Candidate]:
        index = self.index()
        out = []
        for cid, score in index.search(query, n):
            record = index.records.get(cid)
            chunk = StoredChunk(cid, record["text"], record["metadata"]) if record else None
            out.append(Candidate(cid, score, chunk, {self.name: score}))
        return out
