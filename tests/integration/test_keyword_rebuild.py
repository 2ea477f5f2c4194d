"""The keyword index rebuilt from a real Chroma store, streamed in pages (issue 11's memory).

The rebuild reads the store a page at a time and tokenises each text as it arrives, so it never
holds every text at once. These tests check it changes nothing: every chunk indexed once, and
every query ranked and scored as the previous build (``bm25s.tokenize`` over all texts at once,
then ``BM25.index``) ranked and scored it.
"""

from __future__ import annotations

import re
from pathlib import Path

import bm25s
import numpy as np
import pytest
import Stemmer

import retrieval.stores.chroma as chroma_module
from retrieval.chunking import embedding_text
from retrieval.keyword_index import KeywordIndex, PersistedKeywordIndex
from retrieval.settings import RetrievalSettings
from retrieval.stores.chroma import ChromaStore
from tests.support import SEED_FILE

PAGE = 5  # small, so that the store's 22 chunks take several pages and a partial last one


def seed_chunks() -> list[tuple[str, str, str]]:
    """(id, title, text): the seed article's sentences, two or three to a chunk, plus a chunk of
    stop words only and an empty one (texts that give no tokens)."""
    title, _, body = SEED_FILE.read_text(encoding="utf-8").partition("\n")
    sentences = [s for s in re.split(r"(?<=[.!?'\"])\s+", body) if s.strip()]
    chunks = [
        (f"c{n:03d}", title if n % 3 else "", " ".join(sentences[i : i + 2 + n % 2]))
        for n, i in enumerate(range(0, len(sentences), 2))
    ]
    more = [(f"x{n:03d}", f"{title} (copy)", " ".join(sentences[n::7])) for n in range(7)]
    return [*chunks, *more, ("stop", "", "the of and to it was"), ("empty", "", "")]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ChromaStore:
    monkeypatch.setattr(chroma_module, "_READ_PAGE", PAGE)
    chroma = ChromaStore(RetrievalSettings(store_path=tmp_path / "store", collection="keywords"))
    chunks = seed_chunks()
    vectors = np.random.default_rng(0).random((len(chunks), 8), dtype=np.float32)
    chroma.upsert(
        [c for c, _, _ in chunks],
        vectors,
        [text for _, _, text in chunks],
        [{"title": title, "root": f"/articles/{n % 2}"} for n, (_, title, _) in enumerate(chunks)],
    )
    return chroma


def whole_text_build(ids: list[str], texts: list[str]) -> KeywordIndex:
    """The build as it was: every text held, tokenised at once."""
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever.index(tokens, show_progress=False)
    return KeywordIndex(retriever, ids, "reference")


def ranked(index: KeywordIndex, query: str) -> list[tuple[str, float]]:
    # Equal scores may come out in either order: compare by score, then id.
    hits = [(chunk, round(score, 4)) for chunk, score in index.search(query, 50)]
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


QUERIES = [
    "sanctions",
    "Boris Johnson Russia",
    "Syrian president Assad chemical attack",
    "G7 foreign ministers Lucca Italy",
    "military officers supporting",
    "copy",
    "the of and",  # stop words only: no hits
    "zeppelin",  # a word no chunk has
]


def test_the_rebuild_reads_every_chunk_once_across_pages(store: ChromaStore) -> None:
    chunks = seed_chunks()
    assert len(chunks) > 3 * PAGE and len(chunks) % PAGE  # the premise: pages, a partial last
    read = [chunk.id for chunk in store.iter_all()]
    assert sorted(read) == sorted(c for c, _, _ in chunks)  # each once

    keywords = PersistedKeywordIndex(store.config.store_path / "keyword", store)
    keywords.rebuild()
    index = keywords.current()
    assert sorted(index.ids) == sorted(read)
    assert index.roots == ["/articles/0", "/articles/1"]


def test_the_streamed_rebuild_ranks_and_scores_as_the_whole_text_build(
    store: ChromaStore,
) -> None:
    keywords = PersistedKeywordIndex(store.config.store_path / "keyword", store)
    keywords.rebuild()
    streamed = keywords.current()  # read back from disk, memory-mapped, as a search uses it
    stored = list(store.iter_all())
    reference = whole_text_build(
        [c.id for c in stored],
        [embedding_text(str(c.metadata.get("title", "")), c.text) for c in stored],
    )
    for query in QUERIES:
        assert ranked(streamed, query) == ranked(reference, query), query
    assert ranked(streamed, "sanctions")  # the premise: queries that find something
    assert ranked(streamed, "the of and") == [] and ranked(streamed, "zeppelin") == []
