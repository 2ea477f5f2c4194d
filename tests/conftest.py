"""Fixtures shared by the whole suite.

* Every test runs with the developer's own ``NEWSDESK_*`` / ``SLACK_*`` variables removed and
  with an empty folder as the working directory, so neither the environment nor a ``.env`` in
  the checkout can change what a test sees (the same idea as httpx's env-clearing fixture).
* ``embeddings``: one real embedding model for the whole session (loading it costs seconds).
* ``seed_kb``: a knowledge base over ``seeds/`` in a temporary store, built once per session.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.generation import Source
from retrieval.chunking import Chunker
from retrieval.config import RetrievalConfig
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import load_articles
from retrieval.types import Hit
from tests.fakes.openai_server import openai_server  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
# The shared evaluation data sits beside the checkout (read-only, never copied into it).
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR", REPO.parent / "shared" / "eval"))
BBC = EVAL / "bbc"

# The keys `newsdesk search --json` documents for each hit (issue 2), and nothing else.
HIT_JSON_KEYS = {
    "article_id",
    "chunk_id",
    "title",
    "source",
    "url",
    "published_at",
    "text",
    "score",
    "dense_score",
    "keyword_score",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Evaluations are opt-in (`pytest -m eval`): they ingest a 2,225-article corpus."""
    if "eval" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="opt-in: run with pytest -m eval")
    for item in items:
        if "eval" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def bbc_kb(request: pytest.FixtureRequest, embeddings: LocalEmbeddings) -> KnowledgeBase:
    """The BBC corpus in a store kept in pytest's cache: re-runs ingest nothing."""
    if not (BBC / "corpus.jsonl").exists():
        pytest.skip(f"evaluation data not found at {EVAL}")
    store = request.config.cache.mkdir("newsdesk-bbc-store")
    kb = KnowledgeBase(RetrievalConfig(store_path=store, collection="bbc"), embeddings)
    kb.ingest(BBC / "corpus.jsonl")
    return kb


_ISOLATED_PREFIXES = ("NEWSDESK_", "SLACK_")


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for name in list(os.environ):
        if name.startswith(_ISOLATED_PREFIXES):
            monkeypatch.delenv(name)
    # Settings read ``.env`` from the working directory: give each test an empty one of its
    # own, separate from ``tmp_path`` so that the test's own files stay where it put them.
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def embeddings() -> LocalEmbeddings:
    """One real model for the whole session (loading it costs seconds)."""
    return LocalEmbeddings()


@pytest.fixture(scope="session")
def seed_kb(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> KnowledgeBase:
    store = tmp_path_factory.mktemp("seed_store")
    kb = KnowledgeBase(RetrievalConfig(store_path=store, collection="seeds"), embeddings)
    report = kb.ingest(SEEDS)
    assert report.chunks_written > 0 and not report.problems, report
    return kb


@pytest.fixture(scope="session")
def seed_sources() -> list[Source]:
    """The seed article's chunks as numbered sources, best first, without a store."""
    article = load_articles(SEEDS).articles[0]
    chunks = Chunker(1000, 200).split(article)
    return [
        Source(
            i + 1,
            Hit(
                chunk_id=c.id,
                article_id=article.id,
                title=article.title,
                text=c.text,
                score=1.0 / (i + 1),
                start=c.start,
                end=c.end,
                index=c.index,
            ),
        )
        for i, c in enumerate(chunks)
    ]
