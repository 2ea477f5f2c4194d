"""Dense retrieval: the query embedded once, its nearest chunks in the vector store."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from retrieval.search.base import Candidate
from retrieval.stores import VectorStore


class DenseRetriever:
    name = "dense"

    def __init__(self, store: VectorStore, embed_query: Callable[[str], Sequence[float]]) -> None:
        self.store = store
        self.embed_query = embed_query

    def retrieve(self, query: str, n: int) -> list[Candidate]:
        found = self.store.query(self.embed_query(query), n)
        return [Candidate(c.id, s, c, {self.name: s}) for c, s in found]
