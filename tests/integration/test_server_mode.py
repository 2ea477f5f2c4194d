"""Chroma as a server: a real ``chroma run`` on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from retrieval.stores import StoreError
from tests.integration.chroma_server import ChromaServer, free_port
from tests.support import SEED_FILE, SEEDS


def test_ingest_and_search_through_a_chroma_server(
    chroma_server: ChromaServer, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    import chromadb

    config = RetrievalSettings(
        store_path=tmp_path / "state",
        collection="served",
        chroma_host=chroma_server.host,
        chroma_port=chroma_server.port,
    )
    kb = KnowledgeBase(config, embeddings)
    report = kb.ingest(SEEDS)
    assert report.chunks_written == report.total_chunks > 0 and not report.problems

    # The vectors live in the server, not in a local store.
    assert not (tmp_path / "state" / "chroma").exists()
    client = chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port)
    collection = client.get_collection("served")
    ids = collection.get(include=[])["ids"]
    assert collection.count() == len(set(ids)) == report.total_chunks
    seed_id = f"seeds/{SEED_FILE.name}"
    assert sorted(ids) == sorted(kb.manifest["articles"][seed_id]["chunks"])

    for mode in ("hybrid", "dense", "keyword"):
        hits = kb.search("Johnson Russia sanctions", k=2, mode=mode)
        assert hits and hits[0].title.startswith("G7 meeting"), mode
    dense = kb.search("sanctions on military officers", k=1, mode="dense")[0]
    assert dense.dense_score is not None and dense.dense_score > 0.3

    # A second client (another process would be the same) sees the same data; re-ingest is a
    # no-op against the server too.
    again = KnowledgeBase(config).ingest(SEEDS)
    assert again.chunks_written == 0 and again.articles_unchanged == 1


def test_an_unreachable_server_names_host_and_port(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    port = free_port()  # nothing listens here
    config = RetrievalSettings(
        store_path=tmp_path / "state", chroma_host="127.0.0.1", chroma_port=port
    )
    kb = KnowledgeBase(config, embeddings)
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        kb.ingest(SEEDS)
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "Chroma server" in str(info.value)
    assert time.monotonic() - started < 30
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}"):
        kb.store.count()


def test_an_ingest_waits_for_a_live_lock_and_takes_over_an_expired_one(
    chroma_server: ChromaServer, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    import chromadb

    from retrieval.stores import StoreBusy
    from retrieval.stores.chroma import lock_name

    config = RetrievalSettings(
        store_path=tmp_path / "state",
        collection="locked",
        chroma_host=chroma_server.host,
        chroma_port=chroma_server.port,
        ingest_lock_wait=2,
    )
    client = chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port)
    # Another host's ingest holds the lock, its lease running.
    holder = {"owner": "x", "host": "ingest-7", "pid": 4242, "since": time.time()}
    client.create_collection(lock_name("locked"), metadata={**holder, "expires": time.time() + 600})
    kb = KnowledgeBase(config, embeddings)
    started = time.monotonic()
    with pytest.raises(StoreBusy, match="pid 4242 on ingest-7") as info:
        kb.ingest(SEEDS)
    assert "NEWSDESK_INGEST_LOCK_WAIT" in str(info.value)
    assert 2 <= time.monotonic() - started < 20
    assert kb.count() == 0  # nothing written while waiting

    # That host died without releasing it: once its lease has run out, the next ingest takes over.
    client.get_collection(lock_name("locked")).modify(
        metadata={**holder, "expires": time.time() - 1}
    )
    report = kb.ingest(SEEDS)
    assert report.articles_added == 1 and kb.count() == report.total_chunks > 0
    # And releases it when done.
    assert lock_name("locked") not in [c.name for c in client.list_collections()]
