"""Keyword retrieval: BM25 over the persisted keyword index.

The index holds no texts: a chunk found only here is fetched from the store by id, in the one
fetch the pipeline makes for all such chunks.
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.keyword_index import KeywordIndex
from retrieval.search.base import Candidate


class KeywordRetriever:
    name = "keyword"

    def __init__(self, index: Callable[[], KeywordIndex]) -> None:
        # A callable, not an index: the index is loaded on first use and replaced when stale.
        self.index = index

    def retrieve(self, query: str, n: int) -> list[Candidate]:
        index = self.index()
        return [
            Candidate(cid, score, None, {self.name: score}) for cid, score in index.search(query, n)
        ]
