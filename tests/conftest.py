"""Fixtures shared by the whole suite.

* Every test runs with the developer's own ``NEWSDESK_*`` / ``SLACK_*`` variables removed and
  with an empty folder as the working directory, so neither the environment nor a ``.env`` in
  the checkout can change what a test sees (the same idea as httpx's env-clearing fixture).
* The machine's model cache (``XDG_CACHE_HOME``) is one folder of the session's own: the
  light query encoder's export is made once per session (seconds), not once per store, and
  never in the developer's own cache.
* ``embeddings``: one real embedding model for the whole session (loading it costs seconds).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

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


@pytest.fixture(scope="session", autouse=True)
def _session_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test's default model cache (``default_model_cache``) is this session's folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(scope="session")
def embeddings() -> LocalEmbeddings:
    """One real model for the whole session (loading it costs seconds). The light query
    encoder's export is made here, as ingest makes it, so that every test sees the same
    setting whatever ran first: questions embedded by ONNX Runtime, stores by torch."""
    model = LocalEmbeddings()
    assert model.prepare_query_encoder() is not None
    return model
