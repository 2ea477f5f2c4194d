"""The knowledge base: one object composing a vector store, ingest and search.

``KnowledgeBase(config)`` is what the bot and the CLI use; the work is done by its parts:
``retrieval.stores`` (the vector store), ``retrieval.ingest`` (incremental, crash-safe ingest),
``retrieval.keyword_index`` (BM25, persisted) and ``retrieval.search`` (the search pipeline).
State beside the store lives in ``<store_path>/state/<collection>/``: the manifest and the
keyword index, local even when the vectors live in a Chroma server.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from retrieval.chunking import Chunker
from retrieval.embeddings import LocalEmbeddings
from retrieval.ingest import Ingester, IngestReport, ProgressCallback
from retrieval.keyword_index import KeywordIndex, PersistedKeywordIndex
from retrieval.manifest import Manifest
from retrieval.search import SearchMode, SearchPipeline, build_reranker, build_searcher
from retrieval.settings import RetrievalSettings
from retrieval.stores import VectorStore, build_store
from retrieval.types import Hit


class KnowledgeBase:
    def __init__(
        self,
        config: RetrievalSettings,
        embeddings: LocalEmbeddings | None = None,
        *,
        store: VectorStore | str | None = None,
        reranker: str | None = None,
    ) -> None:
        """``store`` and ``reranker``: an instance or a registered name (default from config)."""
        self.config = config
        self.embeddings = embeddings or LocalEmbeddings(
            config.embedding_model,
            batch_size=config.embedding_batch_size,
            threads=config.torch_threads,
            device=config.embedding_device,
        )
        self.chunker = Chunker(config.chunk_size, config.chunk_overlap)
        self.store: VectorStore = (
            store
            if store is not None and not isinstance(store, str)
            else build_store(config, store)
        )
        state = config.store_path / "state" / config.collection
        self.manifest_file = Manifest(state / "manifest.json")
        self.keywords = PersistedKeywordIndex(
            state / "keyword", self.manifest_file.chunk_set_version, self.store.iter_all
        )
        self.ingester = Ingester(
            config, self.store, self.embeddings, self.manifest_file, self.keywords, self.chunker
        )
        self.searcher: SearchPipeline = build_searcher(
            config,
            self.store,
            self.embeddings.embed_query,
            self.keywords.current,
            build_reranker(config, reranker),
        )
        self._warm_lock = threading.Lock()

    def warm(self) -> None:
        """Open the store, load the embedding model and the keyword index now, not on the first
        search. One thread opens; concurrent callers wait for it (chromadb's client cannot be
        created by several threads at once). Raises what the store raises."""
        with self._warm_lock:
            self.store.open()
            self.embeddings.embed_query("warm up")
            if self.manifest_file.articles:
                self.keywords.current()

    @property
    def manifest(self) -> dict[str, Any]:
        return self.manifest_file.data

    @property
    def keyword_index(self) -> KeywordIndex | None:
        """The keyword index as persisted (``None`` before the first ingest)."""
        return self.keywords.loaded

    def ingest(
        self,
        source: Path,
        *,
        prune: bool | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        return self.ingester.ingest(source, prune=prune, on_progress=on_progress)

    def count(self) -> int:
        return self.manifest_file.chunk_count()

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: SearchMode = "hybrid",
        candidates: int | None = None,
    ) -> list[Hit]:
        # Nothing ingested: no hits, without opening the store or loading the model.
        if not self.manifest_file.articles:
            return []
        return self.searcher.search(query, k, mode, candidates)
