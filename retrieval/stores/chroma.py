"""The Chroma vector store: embedded on disk by default, a Chroma server when a host is set.

Only chromadb's public client and collection API is used. The collection is created without an
embedding function: vectors are always computed by us (title-prefixed text, in batches we time)
and passed in, and chromadb's default function would try to download a model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.settings import RetrievalSettings
from retrieval.stores.base import StoredChunk, StoreError

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

# Chroma caps how many ids one call may carry; deletes and pages stay well under it.
_PAGE = 5000


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    # Telemetry off: the bot runs air-gapped and must not try to phone home.
    return ChromaSettings(anonymized_telemetry=False)


class ChromaStore:
    def __init__(self, config: RetrievalSettings) -> None:
        self.config = config
        self._collection: Collection | None = None

    @property
    def where(self) -> str:
        if self.config.chroma_host:
            return f"Chroma server at {self.config.chroma_host}:{self.config.chroma_port}"
        return f"Chroma store at {self.config.store_path}"

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            import chromadb

            try:
                if self.config.chroma_host:
                    client: Any = chromadb.HttpClient(
                        host=self.config.chroma_host,
                        port=self.config.chroma_port,
                        settings=_chroma_settings(),
                    )
                else:
                    path = self.config.store_path / "chroma"
                    path.mkdir(parents=True, exist_ok=True)
                    client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
                self._collection = client.get_or_create_collection(
                    name=self.config.collection,
                    embedding_function=None,
                    metadata={"hnsw:space": "cosine"},
                )
            except Exception as exc:  # chromadb raises many types; all mean "store unusable"
                raise StoreError(f"Cannot open the {self.where}: {exc}") from exc
        assert self._collection is not None
        return self._collection

    def open(self) -> None:
        _ = self.collection

    def count(self) -> int:
        return int(self.collection.count())

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        if ids:
            self.collection.upsert(
                ids=list(ids),
                embeddings=vectors,
                documents=list(texts),
                metadatas=list(metadatas),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _PAGE):
            self.collection.delete(ids=list(ids[start : start + _PAGE]))

    def get(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {c.id: c for c in _chunks(got)}

    def iter_all(self) -> Iterator[StoredChunk]:
        offset = 0
        while True:
            got = self.collection.get(
                include=["documents", "metadatas"], limit=_PAGE, offset=offset
            )
            if not got["ids"]:
                return
            yield from _chunks(got)
            offset += len(got["ids"])

    def query(self, vector: Sequence[float], k: int) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks with their cosine similarity (higher is better)."""
        if k <= 0:
            return []
        embedding: Sequence[float] = [float(x) for x in vector]
        got: Any = self.collection.query(
            query_embeddings=embedding,
            n_results=k,
            include=["documents", "metadatas", "distances"],
        )
        first = {key: (got[key] or [[]])[0] for key in ("documents", "metadatas", "distances")}
        chunks = _chunks({"ids": got["ids"][0], **first})
        # The collection uses cosine distance: similarity = 1 - distance.
        return [
            (chunk, 1.0 - float(distance))
            for chunk, distance in zip(chunks, first["distances"], strict=True)
        ]


def _chunks(got: Any) -> Iterator[StoredChunk]:
    ids = got["ids"]
    docs = got["documents"] or [None] * len(ids)
    metas = got["metadatas"] or [None] * len(ids)
    for i, doc, meta in zip(ids, docs, metas, strict=True):
        yield StoredChunk(i, doc or "", dict(meta or {}))
