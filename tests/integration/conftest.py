"""Fixtures for tests that run real parts.

* ``seed_kb``: a knowledge base over ``seeds/`` in a temporary store, built once per session.
* ``seed_sources``: the seed article's chunks as numbered sources, without a store.
* ``chroma_server``: a real ``chroma run`` on 127.0.0.1, one per test module.
* ``openai_server``: a fake OpenAI-compatible server on 127.0.0.1.
* ``slack`` / ``start_bot``: the fake Slack Web API, and the Slack bot on its real HTTP endpoint
  (``tests/integration/slack_bot.py``).
* ``redis_url``: a real ``redis-server`` (one per session, emptied before each test).
* ``nlp``: the spaCy pipeline the answer engine loads (``bot.answer.nlp.load_nlp``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from bot.types import Source, number_sources
from retrieval.chunking import Chunker
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import load_articles
from retrieval.settings import RetrievalSettings
from retrieval.types import Hit
from tests.fakes.openai_server import openai_server
from tests.integration.chroma_server import chroma_server_fixture
from tests.integration.slack_bot import slack_fixture, start_bot_fixture
from tests.redis_server import redis_server
from tests.support import SEEDS

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["openai_server"]

slack = pytest.fixture(slack_fixture, name="slack")
chroma_server = pytest.fixture(chroma_server_fixture, name="chroma_server", scope="module")
start_bot = pytest.fixture(start_bot_fixture, name="start_bot")


@pytest.fixture(scope="session")
def seed_kb(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> KnowledgeBase:
    store = tmp_path_factory.mktemp("seed_store")
    kb = KnowledgeBase(RetrievalSettings(store_path=store, collection="seeds"), embeddings)
    report = kb.ingest(SEEDS)
    assert report.chunks_written > 0 and not report.problems, report
    return kb


@pytest.fixture(scope="session")
def nlp() -> Language:
    from bot.answer.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def seed_sources() -> list[Source]:
    """The seed article's chunks as numbered sources, best first, without a store."""
    article = load_articles(SEEDS).articles[0]
    chunks = Chunker(1000, 200).split(article)
    return number_sources(
        Hit(
            chunk_id=c.id,
            article_id=article.id,
            title=article.title,
            text=c.text,
            score=1.0 / (i + 1),
            start=c.start,
            end=c.end,
            index=c.index,
        )
        for i, c in enumerate(chunks)
    )


@pytest.fixture(scope="session")
def _redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(_redis_server: str) -> str:
    """The URL of a real, empty Redis."""
    import redis

    client = redis.Redis.from_url(_redis_server)
    client.flushall()
    client.close()
    return _redis_server
