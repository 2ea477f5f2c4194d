"""The Chroma vector store: embedded on disk by default, a Chroma server when a host is set.

Reads go through LangChain's ``Chroma`` vector store. Writes use the underlying chromadb
collection because LangChain's ``add_texts`` always embeds the text it stores, and we store the
chunk text while embedding the title-prefixed text, in batches we time ourselves; deleting by id
and fetching by id for keyword-only hits are likewise plain collection calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.settings import RetrievalSettings

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings


class StoreError(RuntimeError):
    """The vector store could not be reached or used; the message says which and how."""


@dataclass(frozen=True, slots=True)
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, Any]


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    # Telemetry off: the bot runs air-gapped and must not try to phone home.
    return ChromaSettings(anonymized_telemetry=False)


class VectorStore:
    def __init__(self, config: RetrievalSettings, embeddings: Embeddings) -> None:
        self.config = config
        self._embeddings = embeddings
        self._vs: Chroma | None = None

    @property
    def vectorstore(self) -> Chroma:
        if self._vs is None:
            import chromadb
            from langchain_chroma import Chroma

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
                self._vs = Chroma(
                    collection_name=self.config.collection,
                    embedding_function=self._embeddings,
                    client=client,
                    collection_metadata={"hnsw:space": "cosine"},
                )
            except Exception as exc:  # chromadb raises many types; all mean "store unusable"
                where = (
                    f"Chroma server at {self.config.chroma_host}:{self.config.chroma_port}"
                    if self.config.chroma_host
                    else f"Chroma store at {self.config.store_path}"
                )
                raise StoreError(f"Cannot open the {where}: {exc}") from exc
        return self._vs

    @property
    def _collection(self) -> Any:
        return self.vectorstore._collection

    def count(self) -> int:
        return int(self._collection.count())

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        if ids:
            self._collection.upsert(
                ids=list(ids),
                embeddings=vectors,
                documents=list(texts),
                metadatas=list(metadatas),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 5000):
            self._collection.delete(ids=list(ids[start : start + 5000]))

    def get(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        if not ids:
            return {}
        got = self._collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {
            i: StoredChunk(i, doc or "", dict(meta or {}))
            for i, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def iter_all(self, page: int = 5000) -> Iterator[StoredChunk]:
        offset = 0
        while True:
            got = self._collection.get(
                include=["documents", "metadatas"], limit=page, offset=offset
            )
            if not got["ids"]:
                return
            for i, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield StoredChunk(i, doc or "", dict(meta or {}))
            offset += len(got["ids"])

    def query(self, vector: Sequence[float], k: int) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks with their cosine similarity (higher is better)."""
        if k <= 0:
            return []
        results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            list(vector), k=k
        )
        out = []
        for doc, distance in results:
            # The collection uses cosine distance: similarity = 1 - distance.
            out.append(
                (StoredChunk(str(doc.id), doc.page_content, dict(doc.metadata)), 1.0 - distance)
            )
        return out
