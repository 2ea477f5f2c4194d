"""Fixtures shared by the whole suite.

* Every test runs with the developer's own ``NEWSDESK_*`` / ``SLACK_*`` variables removed and
  with an empty folder as the working directory, so neither the environment nor a ``.env`` in
  the checkout can change what a test sees (the same idea as httpx's env-clearing fixture).
* ``embeddings``: one real embedding model for the whole session (loading it costs seconds).
"""

from __future__ import annotations

import os

import pytest

from retrieval.embeddings import LocalEmbeddings

# Opt-in markers: a test carrying one runs only when `-m` names it.
_OPT_IN = {
    "eval": "opt-in: run with pytest -m eval",  # they ingest a 2,225-article corpus
    "llm": "opt-in: run with pytest -m llm",  # a real llama.cpp server and a 0.5 GB model
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Evaluations (`pytest -m eval`) and the real-model tests (`pytest -m llm`) are opt-in."""
    chosen = config.getoption("markexpr") or ""
    for marker, reason in _OPT_IN.items():
        if marker in chosen:
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


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
