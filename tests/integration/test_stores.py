"""The vector-store seam: another store plugs in by name, and the Chroma store's contract.

The in-memory store below exists only to show the seam; every other test uses real Chroma.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from retrieval.stores import (
    StoredChunk,
    StoreError,
    build_store,
    register_store,
    unregister_store,
)
from retrieval.stores.chroma import ChromaStore
from tests.support import SEEDS


class MemoryStore:
    """Brute-force cosine search over vectors in a dict."""

    where = "memory store"

    def __init__(self) -> None:
        self.rows: dict[str, tuple[np.ndarray, StoredChunk]] = {}
        self.record: dict[str, Any] = {}
        self.lock = threading.Lock()

    def open(self) -> None:
        pass

    def exists(self) -> bool:
        return True

    def identity(self) -> str:
        return "memory"

    def info(self) -> dict[str, Any]:
        return dict(self.record)

    def set_info(self, values: Mapping[str, Any]) -> None:
        self.record = dict(values)

    @contextmanager
    def ingest_lock(self, owner: str, wait: float, lease: float) -> Iterator[Any]:
        with self.lock:
            yield SimpleNamespace(renew=lambda: None)

    def reload(self) -> None:
        pass

    def ingest_holder(self) -> str | None:
        return "an ingest in this process" if self.lock.locked() else None

    def iter_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return iter([(i, chunk.metadata) for i, (_, chunk) in self.rows.items()])

    def count(self) -> int:
        return len(self.rows)

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        for i, vector, text, meta in zip(ids, vectors, texts, metadatas, strict=True):
            self.rows[i] = (np.asarray(vector), StoredChunk(i, text, dict(meta)))

    def delete(self, ids: Sequence[str]) -> None:
        for i in ids:
            self.rows.pop(i, None)

    def get(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        return {i: self.rows[i][1] for i in ids if i in self.rows}

    def iter_all(self) -> Iterator[StoredChunk]:
        return iter([chunk for _, chunk in self.rows.values()])

    def query(self, vector: Sequence[float], k: int) -> list[tuple[StoredChunk, float]]:
        q = np.asarray(vector)
        scored = [(chunk, float(v @ q)) for v, chunk in self.rows.values()]
        return sorted(scored, key=lambda cs: -cs[1])[:k]

    def nearest(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        return [(chunk.id, score) for chunk, score in self.query(vector, k)]


def test_a_second_store_plugs_in_through_the_registry(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    stores: list[MemoryStore] = []

    def memory(config: RetrievalSettings) -> MemoryStore:
        stores.append(MemoryStore())
        return stores[-1]

    register_store("memory", memory)
    try:
        kb = KnowledgeBase(RetrievalSettings(store_path=tmp_path), embeddings, store="memory")
    finally:
        unregister_store("memory")
    report = kb.ingest(SEEDS)
    assert report.chunks_written == stores[0].count() == kb.count() > 0
    assert not (tmp_path / "chroma").exists()
    for mode in ("hybrid", "dense", "keyword"):
        hits = kb.search("Johnson Russia sanctions", k=2, mode=mode)  # type: ignore[arg-type]
        assert hits and hits[0].title.startswith("G7 meeting"), mode
    with pytest.raises(StoreError, match="memory"):
        build_store(RetrievalSettings(), "memory")


def test_the_chroma_store_contract(tmp_path: Path, embeddings: LocalEmbeddings) -> None:
    store = ChromaStore(RetrievalSettings(store_path=tmp_path, collection="contract"))
    texts = ["Floods close the Danube ports", "A chess prodigy wins in Reykjavik"]
    vectors = embeddings.encode(texts)
    store.upsert(["a", "b"], vectors, texts, [{"n": 1}, {"n": 2}])
    assert store.count() == 2
    assert store.get(["a", "missing"]) == {"a": StoredChunk("a", texts[0], {"n": 1})}
    [(best, similarity), _] = store.query(embeddings.embed_query("river flooding"), 5)
    assert best.id == "a" and 0.0 < similarity <= 1.0
    assert similarity == pytest.approx(
        float(vectors[0] @ embeddings.encode(["river flooding"])[0]), abs=1e-3
    )
    nearest = store.nearest(embeddings.embed_query("river flooding"), 5)
    assert [(c.id, s) for c, s in store.query(embeddings.embed_query("river flooding"), 5)] == (
        nearest
    )
    assert store.nearest(embeddings.embed_query("x"), 0) == []
    store.delete(["a"])
    assert [c.id for c in store.iter_all()] == ["b"]
    assert store.query(embeddings.embed_query("x"), 0) == []
