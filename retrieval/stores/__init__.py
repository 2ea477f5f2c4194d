"""Vector stores: the protocol the rest of retrieval uses, and a registry choosing one by name.

Ingest and search talk to a store only through ``VectorStore``: write chunks with their vectors,
delete and fetch them by id, page through all of them, and find the nearest ones to a vector.
Another backend is one class with these methods and one ``register_store`` call.
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.settings import RetrievalSettings
from retrieval.stores.base import StoreBusy, StoredChunk, StoreError, VectorStore

StoreFactory = Callable[[RetrievalSettings], VectorStore]

DEFAULT_STORE = "chroma"


def _chroma(config: RetrievalSettings) -> VectorStore:
    # Imported here: the Chroma module is cheap, but chromadb itself is not, and a store chosen
    # by name should not cost the others' imports.
    from retrieval.stores.chroma import ChromaStore

    return ChromaStore(config)


_FACTORIES: dict[str, StoreFactory] = {DEFAULT_STORE: _chroma}


def register_store(name: str, factory: StoreFactory) -> None:
    """Make ``build_store(config, name)`` (and ``KnowledgeBase(..., store=name)``) build it."""
    _FACTORIES[name] = factory


def unregister_store(name: str) -> None:
    if name == DEFAULT_STORE:
        raise ValueError(f"the default store {DEFAULT_STORE!r} cannot be unregistered")
    _FACTORIES.pop(name, None)


def store_names() -> list[str]:
    return sorted(_FACTORIES)


def build_store(config: RetrievalSettings, name: str | None = None) -> VectorStore:
    name = name or config.vector_store
    factory = _FACTORIES.get(name)
    if factory is None:
        raise StoreError(f"Unknown vector store {name!r}; known: {', '.join(store_names())}")
    return factory(config)


__all__ = [
    "DEFAULT_STORE",
    "StoreBusy",
    "StoreError",
    "StoreFactory",
    "StoredChunk",
    "VectorStore",
    "build_store",
    "register_store",
    "store_names",
    "unregister_store",
]
