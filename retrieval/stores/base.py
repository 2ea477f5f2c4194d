"""What every vector store provides: the protocol, the stored-chunk value and the error type.

Kept apart from the registry in ``retrieval.stores`` so that an implementation (``chroma.py``)
imports these without importing the registry that imports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class StoreError(RuntimeError):
    """The vector store could not be reached or used; the message says which and how."""


class StoreBusy(StoreError):
    """Another ingest holds the store's ingest lock for longer than this one would wait."""


@dataclass(frozen=True, slots=True)
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, Any]


class VectorStore(Protocol):
    @property
    def where(self) -> str:
        """The store as a person would name it in a message ("Chroma server at host:port")."""
        ...

    def open(self) -> None:
        """Connect now (raising ``StoreError``), rather than at the first read or write."""
        ...

    def exists(self) -> bool:
        """Whether the store holds a collection at all, without creating one."""
        ...

    def identity(self) -> str:
        """What tells this collection from another of the same name (Chroma's collection id)."""
        ...

    def info(self) -> dict[str, Any]:
        """The collection-level record ingest keeps (store version, ingest in progress, ...)."""
        ...

    def set_info(self, values: Mapping[str, Any]) -> None:
        """Replace the collection-level record with ``values`` (str, int, float or bool)."""
        ...

    def ingest_lock(self, owner: str, wait: float, lease: float) -> AbstractContextManager[Any]:
        """Held by one ingest at a time across processes and hosts; ``StoreBusy`` after ``wait``
        seconds (0: no limit). The object it yields has ``renew()``, called after each step."""
        ...

    def reload(self) -> None:
        """Another process may have written to the store: drop what this process caches of it
        (an embedded Chroma keeps its vector index in memory)."""
        ...

    def ingest_holder(self) -> str | None:
        """Who holds the ingest lock right now (an ingest is running), or ``None``."""
        ...

    def iter_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every chunk's id and metadata, without texts or vectors."""
        ...

    def count(self) -> int: ...

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def get(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """The chunks among ``ids`` that exist, by id; unknown ids are left out."""
        ...

    def iter_all(self) -> Iterator[StoredChunk]: ...

    def query(self, vector: Sequence[float], k: int) -> list[tuple[StoredChunk, float]]:
        """The ``k`` nearest chunks with their cosine similarity, best first."""
        ...

    def nearest(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        """``query`` without the chunks: the ``k`` nearest ids with their cosine similarity,
        best first. Search fetches only the chunks it shows (``get``), and reading texts and
        metadata is most of a query's time."""
        ...
