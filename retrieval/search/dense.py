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
        # Ids and similarities only: the pipeline fetches the chunks of the hits it keeps, a few
        # of the ``n`` candidates, in one call with those the keyword index found.
        found = self.store.nearest(self.embed_query(query), n)
        return [Candidate(cid, s, None, {self.name: s}) for cid, s in found]
