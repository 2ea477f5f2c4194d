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

from retrieval.config import RetrievalConfig
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from tests.fakes.openai_server import openai_server  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

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
