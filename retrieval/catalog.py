"""What the store holds, read from the store itself: the one source of truth.

Every chunk carries, besides what search shows, what incremental ingest needs: its article's id,
content hash, chunking fingerprint, folder (``root``), file (``path``) and how many chunks the
article has (``chunks``). The collection's own metadata carries the store's version, bumped by
every ingest, and a marker while an ingest writes. Any host that reaches the store can therefore
ingest incrementally, and a crash leaves nothing a later run cannot see: an article whose chunks
disagree (two hashes, missing indices) is simply written again.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

from retrieval.stores import StoreError, VectorStore

# Keys of the collection-level record.
SCHEMA_KEY = "newsdesk_schema"
VERSION_KEY = "newsdesk_version"
INGEST_KEY = "newsdesk_ingest"  # "" or who is writing, while an ingest writes
# Which vectors the store holds (retrieval.backends.VECTOR_FAMILY): "float32" from torch, onnx
# or openvino, "int8" from onnx-int8. A store written before the key existed holds float32.
VECTORS_KEY = "newsdesk_vectors"
SCHEMA = 2


class VectorsMismatch(StoreError):
    """The store's vectors were made by a backend whose vectors the configured one cannot match."""


def check_vectors(info: dict[str, Any], family: str, backend: str, where: str) -> None:
    """Refuse to search or extend a store whose vectors another family of backend made.

    torch, onnx and openvino make the same vectors to within rounding (cosine > 0.9999,
    bench/backends.py) and share stores; int8 weights do not, and mixing them would rank the
    store's own chunks by a different model than the question's vector.
    """
    recorded = str(info.get(VECTORS_KEY) or "float32")
    if recorded == family:
        return
    makers = {"float32": "torch, onnx or openvino", "int8": "onnx-int8"}
    raise VectorsMismatch(
        f"The {where} holds {recorded} vectors (made by NEWSDESK_EMBEDDING_BACKEND="
        f"{makers.get(recorded, recorded)}), but NEWSDESK_EMBEDDING_BACKEND={backend} makes "
        f"{family} vectors, which do not match them. Set the backend back, or ingest into a new "
        "store (NEWSDESK_STORE_PATH or NEWSDESK_COLLECTION)."
    )


@dataclass
class StoredArticle:
    """One article as its chunks in the store describe it."""

    id: str
    root: str = ""
    path: str = ""
    chunk_ids: list[str] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)
    fingerprints: set[str] = field(default_factory=set)
    sizes: set[int] = field(default_factory=set)
    indices: set[int] = field(default_factory=set)

    def add(self, cid: str, meta: dict[str, Any]) -> None:
        self.chunk_ids.append(cid)
        self.root = str(meta.get("root", self.root) or self.root)
        self.path = str(meta.get("path", self.path) or self.path)
        self.hashes.add(str(meta.get("content_hash", "")))
        self.fingerprints.add(str(meta.get("fingerprint", "")))
        self.sizes.add(int(meta.get("chunks", -1)))
        self.indices.add(int(meta.get("index", -1)))

    @property
    def complete(self) -> bool:
        """One version of the article, every chunk of it present, each once."""
        if len(self.hashes) != 1 or len(self.fingerprints) != 1 or len(self.sizes) != 1:
            return False
        size = next(iter(self.sizes))
        return len(self.chunk_ids) == size and self.indices == set(range(size))

    @property
    def content_hash(self) -> str:
        return next(iter(self.hashes)) if len(self.hashes) == 1 else ""

    @property
    def fingerprint(self) -> str:
        return next(iter(self.fingerprints)) if len(self.fingerprints) == 1 else ""

    def as_entry(self) -> dict[str, Any]:
        return {
            "hash": self.content_hash,
            "path": self.path,
            "root": self.root,
            "fingerprint": self.fingerprint,
            "chunks": sorted(self.chunk_ids),
            "complete": self.complete,
        }


def scan(store: VectorStore) -> dict[str, StoredArticle]:
    """Every article in the store, from its chunks' metadata (no texts, no vectors)."""
    articles: dict[str, StoredArticle] = {}
    if not store.exists():
        return articles
    for cid, meta in store.iter_metadata():
        aid = str(meta.get("article_id", ""))
        entry = articles.get(aid)
        if entry is None:
            entry = articles[aid] = StoredArticle(aid)
        entry.add(cid, meta)
    return articles


def store_version(info: dict[str, Any]) -> int:
    try:
        return int(info.get(VERSION_KEY, 0))
    except (TypeError, ValueError):
        return 0


def writer_description(owner: str) -> str:
    import os
    import time

    started = time.strftime("%Y-%m-%d %H:%M:%S")
    return f"{owner} (pid {os.getpid()} on {socket.gethostname()}, started {started})"
