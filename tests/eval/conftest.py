"""The BBC evaluation corpus in a store of its own, shared by the opt-in evaluations."""

from __future__ import annotations

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from tests.support import BBC, EVAL


@pytest.fixture(scope="session")
def bbc_kb(request: pytest.FixtureRequest, embeddings: LocalEmbeddings) -> KnowledgeBase:
    """The BBC corpus in a store kept in pytest's cache: re-runs ingest nothing."""
    if not (BBC / "corpus.jsonl").exists():
        pytest.skip(f"evaluation data not found at {EVAL}")
    store = request.config.cache.mkdir("newsdesk-bbc-store")
    kb = KnowledgeBase(RetrievalSettings(store_path=store, collection="bbc"), embeddings)
    kb.ingest(BBC / "corpus.jsonl")
    return kb
