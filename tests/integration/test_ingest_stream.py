"""Ingest consumes its input as a stream: writing starts long before the input ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import make_article
from retrieval.loaders.base import SourceFile
from retrieval.settings import RetrievalSettings
from retrieval.types import Article

ARTICLES = 40


def test_ingest_writes_in_bounded_steps_while_the_input_is_still_being_read(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    config = RetrievalSettings(
        store_path=tmp_path / "store",
        collection="stream",
        chunk_size=200,
        chunk_overlap=20,
        ingest_batch=8,
    )
    kb = KnowledgeBase(config, embeddings)
    pulled = 0
    pulled_at_write: list[int] = []
    upsert = kb.store.upsert

    def counting_upsert(*args: object, **kwargs: object) -> None:
        pulled_at_write.append(pulled)
        upsert(*args, **kwargs)  # type: ignore[arg-type]

    kb.store.upsert = counting_upsert  # type: ignore[method-assign]
    source = SourceFile(path=tmp_path / "feed.jsonl", id_base="feed")

    def articles() -> Iterator[Article]:
        nonlocal pulled
        for n in range(ARTICLES):
            pulled += 1
            yield make_article(
                article_id=f"feed-{n}",
                title=f"Harbour report {n}",
                body=f"Ship {n} docked at berth {n % 5} on a calm morning. " * 3,
                source=source,
                meta={},
                extra={},
            )

    report = kb.ingester.ingest_articles(articles(), root=tmp_path)
    assert report.articles_added == ARTICLES and kb.store.count() == report.chunks_written
    # The first step was written after a handful of articles, not after all of them, and each
    # step held at most ingest_batch chunks' worth of articles.
    assert pulled_at_write[0] <= 2 * config.ingest_batch
    assert len(pulled_at_write) > 3 and pulled_at_write == sorted(pulled_at_write)
    assert report.articles_per_second > 0 and report.chunks_per_second > 0


def test_each_step_gives_the_heaps_free_pages_back_before_the_next(
    tmp_path: Path, embeddings: LocalEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a step freed (its tensors, texts, vectors) is returned to the system before the next
    step embeds, so that RSS does not climb with the number of steps (retrieval/memory.py)."""
    config = RetrievalSettings(
        store_path=tmp_path / "store",
        collection="trim",
        chunk_size=200,
        chunk_overlap=20,
        ingest_batch=4,
    )
    kb = KnowledgeBase(config, embeddings)
    stored_at_release: list[int] = []
    monkeypatch.setattr(
        "retrieval.ingest.release_free_memory", lambda: stored_at_release.append(kb.store.count())
    )
    source = SourceFile(path=tmp_path / "feed.jsonl", id_base="feed")
    articles = [
        make_article(
            article_id=f"feed-{n}",
            title=f"Harbour report {n}",
            body=f"Ship {n} docked at berth {n % 5} on a calm morning.",
            source=source,
            meta={},
            extra={},
        )
        for n in range(10)
    ]
    report = kb.ingester.ingest_articles(articles, root=tmp_path)
    # One release after each step of at most 4 chunks, each once that step is in the store.
    assert report.chunks_written == 10
    assert stored_at_release == [4, 8, 10]
