"""What every vector store provides: the protocol, the stored-chunk value and the error type.

Kept apart from the registry in ``retrieval.stores`` so that an implementation (``chroma.py``)
imports these without importing the registry that imports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class StoreError(RuntimeError):
    """The vector store could not be reached or used; the message says which and how."""


@dataclass(frozen=True, slots=True)
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, Any]


class VectorStore(Protocol):
    def open(self) -> None:
        """Connect now (raising ``StoreError``), rather than at the first read or write."""
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
