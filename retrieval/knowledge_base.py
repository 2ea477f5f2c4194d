"""The knowledge base: one object composing a vector store, ingest and search.

``KnowledgeBase(config)`` is what the bot and the CLI use; the work is done by its parts:
``retrieval.stores`` (the vector store), ``retrieval.ingest`` (incremental, crash-safe, streaming
ingest), ``retrieval.keyword_index`` (BM25, a per-host cache) and ``retrieval.search`` (the search
pipeline). The store is the one source of truth; ``<store_path>/state/<collection>/`` holds only
the keyword index cache, which can be deleted without loss. ``retrieval.doctor`` checks and
repairs a store that is damaged or out of step.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.catalog import INGEST_KEY, check_vectors, scan
from retrieval.chunking import Chunker
from retrieval.embeddings import LocalEmbeddings
from retrieval.keyword_index import KeywordIndex, PersistedKeywordIndex
from retrieval.runtime import resolve_backend
from retrieval.search import SearchMode, SearchPipeline, build_reranker, build_searcher
from retrieval.settings import RetrievalSettings
from retrieval.stores import StoreError, VectorStore, build_store
from retrieval.types import Hit

if TYPE_CHECKING:
    from retrieval.ingest import Ingester, IngestReport, ProgressCallback


class StoreLost(StoreError):
    """The store no longer holds what this host's cache says it held (database deleted)."""


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
            backend=resolve_backend(config.embedding_backend, config.embedding_device),
            cache=config.model_cache_path,
            query_encoder=config.query_encoder,
            precision=config.embedding_precision,
        )
        self.chunker = Chunker(config.chunk_size, config.chunk_overlap)
        self.store: VectorStore = (
            store
            if store is not None and not isinstance(store, str)
            else build_store(config, store)
        )
        self.state_folder = config.store_path / "state" / config.collection
        self.keywords = PersistedKeywordIndex(
            self.state_folder / "keyword", self.store, config.store_check_seconds
        )
        self.searcher: SearchPipeline = build_searcher(
            config,
            self.store,
            self.embeddings.embed_query,
            self.keywords.current,
            build_reranker(config, reranker),
        )
        self._warm_lock = threading.Lock()
        self._warmed = threading.Event()

    def warm(self) -> None:
        """Open the store, load the embedding model and the keyword index now, not on the first
        search. One thread opens; concurrent callers wait for it (chromadb's client cannot be
        created by several threads at once). Raises what the store raises (``StoreLost``, a
        server that does not answer).

        It takes the path a search takes (``_follow_store``), checking the store's version
        whatever ``store_check_seconds`` says. A store nothing was ingested into is not created:
        a search of it opens nothing either, and an embedded store is created by ingest, under
        its lock."""
        with self._warm_lock:
            self._follow_store(force=True)
            if self.store.exists():
                self.store.open()
                check_vectors(
                    self.store.info(),
                    self.embeddings.vector_family,
                    self.embeddings.backend,
                    self.store.where,
                )
            self.embeddings.embed_query("warm up")
            self._warmed.set()

    @cached_property
    def ingester(self) -> Ingester:
        # Built at the first ingest: the ingest module brings the loaders (YAML, HTML, PDF
        # readers) that a process which only searches never uses.
        from retrieval.ingest import Ingester

        return Ingester(self.config, self.store, self.embeddings, self.keywords, self.chunker)

    @property
    def manifest(self) -> dict[str, Any]:
        """What the store holds per article, read from the store (for reports and tests)."""
        return {"articles": {aid: a.as_entry() for aid, a in scan(self.store).items()}}

    @property
    def keyword_index(self) -> KeywordIndex | None:
        """The keyword index as persisted (``None`` before the first build)."""
        return self.keywords.loaded

    def ingest(
        self,
        source: Path,
        *,
        prune: bool | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        report = self.ingester.ingest(source, prune=prune, on_progress=on_progress)
        # Torch is loaded by now if anything was embedded: the moment to export the model for
        # the light query encoder, once per machine, so that a one-shot `newsdesk ask` never
        # pays for it (it falls back to the backend instead).
        self.embeddings.prepare_query_encoder()
        return report

    def count(self) -> int:
        return self.store.count() if self.store.exists() else 0

    def check_not_lost(self) -> None:
        """``StoreLost`` if the store is gone (or replaced by an empty one) while this host's
        cache says it held chunks: answering from it would be silently wrong."""
        cached = self.keywords.loaded
        if cached is None or not cached.ids:
            return
        identity = cached.stamp.split(":", 1)[0]
        if self.store.exists() and (self.store.identity() == identity or self.store.count() > 0):
            return
        roots = " ".join(f"`newsdesk ingest {r}`" for r in cached.roots) or "`newsdesk ingest PATH`"
        raise StoreLost(
            f"The {self.store.where} has lost its data: it holds no collection "
            f"{self.config.collection!r} with chunks, but this host's cache says it held "
            f"{len(cached.ids)} chunks. Ingest again ({roots}) or run `newsdesk doctor --repair`."
        )

    def unfinished_ingest(self) -> str | None:
        """Who started an ingest into the store that stopped before its end (killed, crashed),
        or ``None``: its articles may be half-written until an ingest runs again."""
        if not self.store.exists():
            return None
        writer = str(self.store.info().get(INGEST_KEY) or "")
        if not writer or self.store.ingest_holder() is not None:
            return None
        return writer

    def _follow_store(self, *, force: bool = False) -> None:
        if force or self.keywords.due():
            # At most every store_check_seconds: is the store still there, and did an ingest
            # (here or on another host) change it? Then the keyword index and, for an embedded
            # store, the vector index are read afresh.
            self.check_not_lost()
            self.keywords.refresh(force=force)

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: SearchMode = "hybrid",
        candidates: int | None = None,
    ) -> list[Hit]:
        if not query.strip():
            return []  # nothing to look for: nothing is opened or loaded
        if mode != "keyword" and not self._warmed.is_set() and self.store.exists():
            # The first searches of a process wait for one warm-up: loading the model, the
            # store and their libraries from several threads at once fails (chromadb's client;
            # and CPython 3.11 raised "AST constructor recursion depth mismatch" in CI when
            # four first searches raced four warm-ups). A keyword search loads no model.
            self.warm()
        self._follow_store()
        # Nothing ingested: no hits, without loading the model.
        if not self.store.exists():
            return []
        return self.searcher.search(query, k, mode, candidates)
