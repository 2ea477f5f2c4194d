"""Checks on a knowledge base's store and manifest shared by the ingest and search tests."""

from __future__ import annotations

from typing import Any

from retrieval.knowledge_base import KnowledgeBase


def stored_ids(kb: KnowledgeBase) -> list[str]:
    return sorted(chunk.id for chunk in kb.store.iter_all())


def manifest_ids(kb: KnowledgeBase) -> list[str]:
    return sorted(cid for e in kb.manifest["articles"].values() for cid in e["chunks"])


def assert_store_matches_manifest(kb: KnowledgeBase) -> None:
    ids = stored_ids(kb)
    assert len(ids) == len(set(ids)) == kb.store.count()
    assert ids == manifest_ids(kb)
    assert all(e["complete"] for e in kb.manifest["articles"].values())


def article_ids_for(kb: KnowledgeBase, query: str, mode: Any = "keyword") -> list[str]:
    return [h.article_id for h in kb.search(query, k=10, mode=mode)]
