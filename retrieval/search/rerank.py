"""The reranking seam: a last step that may reorder (and rescore) the deduplicated hits.

A reranker is chosen by name. ``register_reranker(name, factory)`` makes one available, the
factory receiving the ``RetrievalSettings``; "none" (the default) keeps the order it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from retrieval.settings import RetrievalSettings
from retrieval.types import Hit


class Reranker(Protocol):
    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


RerankerFactory = Callable[[RetrievalSettings], Reranker]

DEFAULT_RERANKER = "none"


class NoRerank:
    """The identity: hits in the order retrieval ranked them."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        return list(hits)


_FACTORIES: dict[str, RerankerFactory] = {DEFAULT_RERANKER: lambda config: NoRerank()}


def register_reranker(name: str, factory: RerankerFactory) -> None:
    _FACTORIES[name] = factory


def unregister_reranker(name: str) -> None:
    if name == DEFAULT_RERANKER:
        raise ValueError(f"the default reranker {DEFAULT_RERANKER!r} cannot be unregistered")
    _FACTORIES.pop(name, None)


def reranker_names() -> list[str]:
    return sorted(_FACTORIES)


def build_reranker(config: RetrievalSettings, name: str | None = None) -> Reranker:
    name = name or config.reranker
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ValueError(f"Unknown reranker {name!r}; known: {', '.join(reranker_names())}")
    return factory(config)
