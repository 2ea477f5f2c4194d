"""An ingest leaves an embedded Chroma store's vector index saved whole
(``ChromaStore.persist_index``): the writes are not left in Chroma's log for every process that
opens the store to replay into an index of its own, each in another order, so that two replicas
or a restart could search differently (``bench/store_determinism.py``).

These read Chroma's own bookkeeping (its SQLite file: the log's last sequence number, and the
one the vector index was saved at), the only place where "saved" can be seen without racing
processes against each other.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from retrieval.stores.base import StoreError
from retrieval.stores.chroma import ChromaStore
from tests.integration.test_ingest import small_config, write_small


def unsaved_writes(store_path: Path) -> int:
    """Writes in Chroma's log after the last save of the vector index."""
    db = sqlite3.connect(f"file:{store_path / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        (logged,) = db.execute("SELECT MAX(seq_id) FROM embeddings_queue").fetchone()
        # The vector index's segment has a row once it has been saved at least once.
        saved = db.execute(
            "SELECT m.seq_id FROM max_seq_id m JOIN segments s ON s.id = m.segment_id"
            " WHERE s.scope = 'VECTOR'"
        ).fetchone()
    finally:
        db.close()
    return int(logged or 0) - (int(saved[0]) if saved else 0)


def hnsw_saving(config: RetrievalSettings) -> tuple[int, int]:
    hnsw = ChromaStore(config).collection.configuration["hnsw"] or {}
    return int(hnsw.get("sync_threshold", 1000)), int(hnsw.get("batch_size", 100))


def test_an_ingest_leaves_the_vector_index_saved(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    config = small_config(tmp_path)
    folder = write_small(tmp_path / "articles")
    report = KnowledgeBase(config, embeddings).ingest(folder)
    assert report.chunks_written > 1
    # At most persist_index's own rewrite of one chunk is left to replay (without it: every
    # chunk, as a store this small never reaches Chroma's 1,000 writes between saves).
    assert unsaved_writes(config.store_path) <= 1
    # Chroma's saving settings are its own again for the next ingest.
    assert hnsw_saving(config) == (1000, 100)
    # An edit re-ingested: saved again.
    (folder / "tram.txt").write_text("New tram line opens in Bergen\nIt is late.", "utf-8")
    assert KnowledgeBase(config, embeddings).ingest(folder).articles_updated == 1
    assert unsaved_writes(config.store_path) <= 1


def test_an_index_that_cannot_be_saved_leaves_the_ingest_whole(
    tmp_path: Path,
    embeddings: LocalEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(self: ChromaStore) -> None:
        raise StoreError("the disk is full")

    monkeypatch.setattr(ChromaStore, "_save_index", refuse)
    config = small_config(tmp_path)
    kb = KnowledgeBase(config, embeddings)
    with caplog.at_level(logging.WARNING):
        report = kb.ingest(write_small(tmp_path / "articles"))
    assert report.total_chunks == report.chunks_written > 0
    assert kb.unfinished_ingest() is None  # the version bumped and the mark cleared
    assert any("not saved whole" in r.getMessage() for r in caplog.records)
