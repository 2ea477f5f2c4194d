"""Search: retrievers (dense, keyword, fused) composed into a pipeline with dedupe and rerank.

``build_searcher`` assembles the standard pipeline from a store, an embedding function and the
keyword index; the parts are public for composing others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from retrieval.keyword_index import KeywordIndex
from retrieval.search.base import Candidate, Retriever, SearchMode
from retrieval.search.dedupe import collapse_duplicates, duplicate_keys
from retrieval.search.dense import DenseRetriever
from retrieval.search.fusion import FusionRetriever, reciprocal_rank_fusion
from retrieval.search.keyword import KeywordRetriever
from retrieval.search.pipeline import MODES, SearchPipeline
from retrieval.search.rerank import (
    NoRerank,
    Reranker,
    build_reranker,
    register_reranker,
    unregister_reranker,
)
from retrieval.settings import RetrievalSettings
from retrieval.stores import VectorStore


def build_searcher(
    config: RetrievalSettings,
    store: VectorStore,
    embed_query: Callable[[str], Sequence[float]],
    keyword_index: Callable[[], KeywordIndex],
    reranker: Reranker | None = None,
) -> SearchPipeline:
    """Dense + keyword retrievers over ``store`` and the keyword index, fused in hybrid mode."""
    return SearchPipeline(
        {
            "dense": DenseRetriever(store, embed_query),
            "keyword": KeywordRetriever(keyword_index),
        },
        store.get,
        k=config.k,
        candidates=config.candidates,
        rrf_k=config.rrf_k,
        reranker=reranker or build_reranker(config),
    )


__all__ = [
    "MODES",
    "Candidate",
    "DenseRetriever",
    "FusionRetriever",
    "KeywordRetriever",
    "NoRerank",
    "Reranker",
    "Retriever",
    "SearchMode",
    "SearchPipeline",
    "build_reranker",
    "build_searcher",
    "collapse_duplicates",
    "duplicate_keys",
    "reciprocal_rank_fusion",
    "register_reranker",
    "unregister_reranker",
]
