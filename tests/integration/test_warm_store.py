"""``KnowledgeBase.warm()`` over the store as the one source of truth.

Warming up (redis10: before a bot serves) takes the path a search takes (issue 10): a host that
never ingested builds its keyword index from a real ``chroma run`` server, a warm-up after another
host's ingest sees it, a store that lost its data is named rather than served, nothing is created
where nothing was ingested, and warm-ups racing searches on a fresh process neither deadlock (the
warm lock, the keyword index lock and the file lock around opening an embedded store) nor fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase, StoreLost
from retrieval.settings import RetrievalSettings
from tests.integration.chroma_server import ChromaServer
from tests.support import SEED_FILE, SEEDS

NEW_ARTICLE = (
    "Lighthouse keeper returns to Skerryvore\n"
    "After forty years without a keeper, the Skerryvore lighthouse has one again: Morag "
    "Quillan moved in on Tuesday to look after the restored lamp and its visitors."
)


def served(store: Path, server: ChromaServer, collection: str) -> RetrievalSettings:
    return RetrievalSettings(
        store_path=store,
        collection=collection,
        chroma_host=server.host,
        chroma_port=server.port,
        store_check_seconds=3600,  # only warm()'s own check may see the other host's ingest
    )


def test_warm_builds_the_keyword_index_from_the_server_and_sees_a_later_ingest(
    chroma_server: ChromaServer, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    ingesting = KnowledgeBase(served(tmp_path / "host1", chroma_server, "warm"), embeddings)
    ingesting.ingest(SEEDS)
    fresh = KnowledgeBase(served(tmp_path / "host2", chroma_server, "warm"), embeddings)
    assert fresh.keyword_index is None  # nothing local on this host

    fresh.warm()
    index = fresh.keyword_index
    assert index is not None and index.stamp == fresh.keywords.stamp()
    assert sorted(index.ids) == sorted(c.id for c in fresh.store.iter_all())
    assert not fresh.keywords.due()  # a first question has nothing left to load

    news = tmp_path / "news"
    news.mkdir()
    (news / "lighthouse.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    ingesting.ingest(news)
    fresh.warm()  # a warm-up retried later checks the store whatever store_check_seconds says
    hits = fresh.search("Skerryvore lighthouse keeper", k=3, mode="keyword")
    assert hits and hits[0].article_id == "news/lighthouse.txt"


def test_warm_names_a_store_that_lost_its_data(
    chroma_server: ChromaServer, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    import chromadb

    config = served(tmp_path / "host", chroma_server, "lost")
    KnowledgeBase(config, embeddings).ingest(SEEDS)
    chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port).delete_collection("lost")

    # This host's cache says the store held chunks: warm-up must fail (the bot stays not
    # ready), not serve answers from a store that is gone.
    with pytest.raises(StoreLost, match="has lost its data"):
        KnowledgeBase(config, embeddings).warm()


def test_warm_creates_no_store_where_nothing_was_ingested(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    kb = KnowledgeBase(RetrievalSettings(store_path=tmp_path / "store"), embeddings)
    kb.warm()
    assert not (tmp_path / "store" / "chroma" / "chroma.sqlite3").exists()
    assert kb.search("Johnson Russia sanctions") == []


def test_warm_ups_racing_searches_in_a_fresh_process_neither_deadlock_nor_fail(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    store = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.terminal.cli", "ingest", str(SEEDS), "-q"],
        env={**env, "NEWSDESK_STORE_PATH": str(store)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    kb = KnowledgeBase(RetrievalSettings(store_path=store, store_check_seconds=0), embeddings)
    errors: list[BaseException] = []
    results: list[str] = []
    start = threading.Barrier(8)

    def warm() -> None:
        try:
            start.wait()
            kb.warm()
        except BaseException as exc:
            errors.append(exc)

    def search() -> None:
        try:
            start.wait()
            results.append(kb.search("Johnson Russia sanctions", k=1)[0].article_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=f, daemon=True) for f in (warm, search) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a warm-up or a search is stuck"
    assert not errors, errors
    assert len(results) == 4 and set(results) == {f"seeds/{SEED_FILE.name}"}
