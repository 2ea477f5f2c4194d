"""The Chroma vector store: embedded on disk by default, a Chroma server when a host is set.

Only chromadb's public client and collection API is used. The collection is created without an
embedding function: vectors are always computed by us (title-prefixed text, in batches we time)
and passed in, and chromadb's default function would try to download a model.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from readerwriterlock import rwlock

from retrieval.settings import RetrievalSettings
from retrieval.stores.base import StoredChunk, StoreError
from retrieval.stores.breadth import ef_search_of, hnsw_of, set_breadth
from retrieval.stores.locks import LeaseLock, file_lock, file_lock_holder

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

# Chroma caps how many ids one call may carry; deletes stay well under it.
_PAGE = 5000
# Chunks read per call when paging through the whole store (the keyword index rebuild, the
# catalog scan). What a read holds is proportional to its page, and it is held at the same time
# as what the caller keeps: a keyword index rebuild over the BBC store's 7,517 chunks raised RSS
# by 145-197 MB at its peak reading pages of 5,000, by 49-95 MB reading pages of 500, in about the
# same time (bench/keyword_memory.py, runs on a loaded machine; docs/performance.md).
_READ_PAGE = 500

T = TypeVar("T")
P = TypeVar("P", bound=tuple[Any, float])
# Chunks asked of the index beyond k, so that ties at the k-th place are settled by id (_settle).
TIE_MARGIN = 4
# The save threshold (and batch) for persist_index's one write: any log of more writes is saved.
_PERSIST_NOW = 2
# Chroma's own defaults, restored after it when the collection's configuration gives none.
_SAVE_DEFAULTS = {"sync_threshold": 1000, "batch_size": 100}
log = logging.getLogger(__name__)


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    # Telemetry off: the bot runs air-gapped and must not try to phone home.
    return ChromaSettings(anonymized_telemetry=False)


def _with_timeout(fn: Callable[[], T], seconds: float) -> T:
    """``fn()``, or ``TimeoutError`` after ``seconds``.

    chromadb's HTTP client waits without limit (its httpx client has ``timeout=None``), and a
    hung server accepts the connection and never answers. The call runs in a daemon thread, so a
    call that never returns cannot keep the process from exiting either.
    """
    result: list[Any] = []
    error: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="chroma-call", daemon=True).start()
    if not done.wait(seconds):
        raise TimeoutError
    if error:
        raise error[0]
    return result[0]


def lock_name(collection: str) -> str:
    """The lock collection of ``collection`` (a valid Chroma name whatever its length)."""
    return "newsdesk-lock-" + hashlib.sha1(collection.encode()).hexdigest()[:16]


class ChromaStore:
    def __init__(self, config: RetrievalSettings) -> None:
        self.config = config
        self._client: Any = None
        self._collection: Collection | None = None
        # The collection record this process last wrote (see ``reload``).
        self._written: dict[str, Any] | None = None
        # An embedded store is reopened (``reload``) while other threads may be querying it:
        # every call holds the read side, the reopening the write side, so the client is never
        # closed under a query and a query never finds it half reopened. Fair: a reload waits
        # for the queries in flight, and queries that arrive meanwhile wait for the reload.
        self._rw = rwlock.RWLockFair()
        # Calls nest (a call may open the collection, itself a call): a thread already reading
        # must not queue behind a waiting reload (it would wait for itself).
        self._reading = threading.local()
        # One thread opens the client and the collection; a second client opened at the same
        # moment would be leaked, and keep the stale index alive after the next reload.
        self._opening = threading.RLock()

    @property
    def where(self) -> str:
        if self.config.chroma_host:
            return f"Chroma server at {self.config.chroma_host}:{self.config.chroma_port}"
        return f"Chroma store at {self.config.store_path}"

    @property
    def served(self) -> bool:
        return bool(self.config.chroma_host)

    @property
    def database_file(self) -> Any:
        """The embedded store's database file (``None`` for a server)."""
        return None if self.served else self.config.store_path / "chroma" / "chroma.sqlite3"

    @contextmanager
    def _read(self) -> Iterator[None]:
        """The read side of the reload lock, once per thread however deeply calls nest."""
        depth = getattr(self._reading, "depth", 0)
        if depth:
            self._reading.depth = depth + 1
            try:
                yield
            finally:
                self._reading.depth = depth
            return
        with self._rw.gen_rlock():
            self._reading.depth = 1
            try:
                yield
            finally:
                self._reading.depth = 0

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """One call to Chroma, with the configured timeout (server) and a message naming it."""
        if not self.served:
            try:
                with self._read():
                    return fn()
            except StoreError:
                raise
            except Exception as exc:  # chromadb raises many types; all mean "store unusable"
                raise StoreError(self._failed(what, exc)) from exc
        timeout = self.config.chroma_timeout
        try:
            return _with_timeout(fn, timeout)
        except TimeoutError:
            raise StoreError(
                f"The {self.where} did not answer within {timeout:g} s (trying to {what}); "
                "is it running and not overloaded? NEWSDESK_CHROMA_TIMEOUT sets the limit."
            ) from None
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(self._failed(what, exc)) from exc

    def _failed(self, what: str, exc: Exception) -> str:
        if what.startswith(("open", "connect")):
            return f"Cannot open the {self.where}: {exc}"
        return f"The {self.where} failed to {what}: {exc}"

    @property
    def client(self) -> Any:
        if self._client is None:
            # Always the read side first, then the opening lock: the one order every thread
            # takes them in (a reload holds the write side and never the opening lock).
            with self._read(), self._opening:
                if self._client is None:
                    self._client = self._open_client()
        return self._client

    def _open_client(self) -> Any:
        import chromadb

        if self.served:
            return self._call(
                "connect",
                lambda: chromadb.HttpClient(
                    host=self.config.chroma_host or "",
                    port=self.config.chroma_port,
                    settings=_chroma_settings(),
                ),
            )
        path = self.config.store_path / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        # Two processes creating a new database at once race in its schema set-up
        # ("table collections already exists"): they take turns.
        with file_lock(self.config.store_path / "chroma.open.lock", "open", 0):
            return self._call(
                "open",
                lambda: chromadb.PersistentClient(path=str(path), settings=_chroma_settings()),
            )

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            with self._read(), self._opening:
                if self._collection is None:
                    self._collection = self._open_collection(self.client)
        assert self._collection is not None
        return self._collection

    def _open_collection(self, client: Any) -> Collection:
        ef_search = self.config.hnsw_ef_search

        def get_or_create() -> Any:
            collection = client.get_or_create_collection(
                name=self.config.collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": ef_search}},
            )
            # A store made before (or with another setting) keeps its own value until told:
            # before the first search, so the index loads with it.
            if ef_search_of(collection) != ef_search:
                try:
                    set_breadth(collection, ef_search)
                except Exception as exc:  # a read-only store, an older server: search as it is
                    log.warning(
                        "could not set the %s's search breadth (ef_search %d): %s",
                        self.where,
                        ef_search,
                        exc,
                    )
            return collection

        if self.served:
            return self._call("open the collection", get_or_create)
        with file_lock(self.config.store_path / "chroma.open.lock", "open", 0):
            return self._call("open the collection", get_or_create)

    def open(self) -> None:
        _ = self.collection

    def exists(self) -> bool:
        if not self.served:
            db = self.database_file
            if db is None or not db.exists():
                return False
        if self._collection is not None:
            return True
        try:
            self._call(
                "find the collection", lambda: self.client.get_collection(self.config.collection)
            )
        except StoreError as exc:
            if "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
                return False
            raise
        return True

    def identity(self) -> str:
        return str(self.collection.id)

    def info(self) -> dict[str, Any]:
        # Read afresh: another process (an ingest on another host) may have changed it.
        fresh = self._call(
            "read the collection",
            lambda: self.client.get_collection(self.config.collection),
        )
        return {k: v for k, v in dict(fresh.metadata or {}).items() if not k.startswith("hnsw:")}

    def set_info(self, values: Mapping[str, Any]) -> None:
        # hnsw:* keys cannot be modified (the distance lives in the collection's configuration).
        clean = {k: v for k, v in values.items() if not k.startswith("hnsw:")}
        self._call("update the collection", lambda: self.collection.modify(metadata=clean))
        self._written = clean

    def persist_index(self) -> None:
        """Have an embedded Chroma write its vector index to disk whole (after an ingest).

        Embedded, Chroma saves its HNSW index every ``sync_threshold`` (1,000) writes and keeps
        the writes since in its log, which every process that opens the store replays into its
        copy of the index, in an order that differs from process to process (chromadb 1.5.9).
        The copies then differ, and so do searches: on the BBC store, with the log a re-ingest
        of some articles leaves, 15 and 17 of our 494 training questions (two runs) got other
        dense candidates in one of three processes, and none once the index was saved
        (``bench/store_determinism.py``). So two replicas, or a restart, could answer one
        question differently. Rewriting one stored chunk unchanged under a threshold lowered
        for the call makes Chroma save the index this process replayed; every process then
        loads that one. A server keeps one index for all its clients.

        The store's threshold is Chroma's own again afterwards, but this process's open index
        keeps the low one until the store is opened again: later writes from this process save
        the index more often (ingests run in processes of their own, which write nothing after;
        closing the client here lost the save). A failure is logged, not raised."""
        if self.served or not self.exists():
            return
        try:
            self._save_index()
        except StoreError as exc:
            log.warning(
                "%s: the vector index was not saved whole (%s); processes that open the store "
                "may search it a little differently until an ingest saves it",
                self.where,
                exc,
            )

    def _save_index(self) -> None:
        collection = self.collection
        hnsw = hnsw_of(collection)
        saved = {k: hnsw.get(k, default) for k, default in _SAVE_DEFAULTS.items()}
        self._call(
            "save the vector index",
            lambda: collection.modify(
                configuration={"hnsw": {"sync_threshold": _PERSIST_NOW, "batch_size": _PERSIST_NOW}}
            ),
        )
        try:
            # The index takes a threshold when it is loaded: opened again to take this one.
            self._close()
            collection = self.collection
            got = self._call(
                "save the vector index",
                lambda: collection.get(limit=1, include=["embeddings", "documents", "metadatas"]),
            )
            if got["ids"]:
                self._call(
                    "save the vector index",
                    lambda: collection.upsert(
                        ids=got["ids"],
                        embeddings=got["embeddings"],
                        documents=got["documents"],
                        metadatas=got["metadatas"],
                    ),
                )
        finally:
            sync, batch = int(saved["sync_threshold"]), int(saved["batch_size"])
            self._call(
                "save the vector index",
                lambda: collection.modify(
                    configuration={"hnsw": {"sync_threshold": sync, "batch_size": batch}}
                ),
            )

    def _close(self) -> None:
        """Close the embedded client; the next use opens the store (and its index) afresh."""
        with self._rw.gen_wlock():
            client, self._client, self._collection = self._client, None, None
            if client is not None:
                client.close()

    def reload(self) -> None:
        # A server serves every client the same data; an embedded client keeps the vector index
        # it loaded, and sees another process's writes only when opened again. Not when the
        # change is this process's own (its copy is current, and other threads may be using it).
        if self.served or self._client is None or self.info() == self._written:
            return
        self._close()

    def ingest_lock(self, owner: str, wait: float, lease: float) -> AbstractContextManager[Any]:
        if not self.served:
            return file_lock(self.config.store_path / "chroma.ingest.lock", owner, wait)
        return LeaseLock(
            self.client,
            lock_name(self.config.collection),
            self._call,
            owner=owner,
            wait=wait,
            lease=lease,
        ).held()

    def ingest_holder(self) -> str | None:
        """Who holds the ingest lock now (a running ingest), or ``None``."""
        if not self.served:
            return file_lock_holder(self.config.store_path / "chroma.ingest.lock")
        return LeaseLock(
            self.client, lock_name(self.config.collection), self._call, owner="", wait=0, lease=0
        ).live_holder()

    def count(self) -> int:
        return int(self._call("count the chunks", self.collection.count))

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        if ids:
            self._call(
                "write chunks",
                lambda: self.collection.upsert(
                    ids=list(ids),
                    embeddings=vectors,
                    documents=list(texts),
                    metadatas=list(metadatas),
                ),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _PAGE):
            page = list(ids[start : start + _PAGE])
            self._call("delete chunks", lambda page=page: self.collection.delete(ids=page))  # type: ignore[misc]

    def get(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        if not ids:
            return {}
        got = self._call(
            "read chunks",
            lambda: self.collection.get(ids=list(ids), include=["documents", "metadatas"]),
        )
        return {c.id: c for c in _chunks(got)}

    def _pages(self, include: list[str]) -> Iterator[Any]:
        offset = 0
        while True:
            got = self._call(
                "read chunks",
                lambda offset=offset: self.collection.get(  # type: ignore[misc]
                    include=include,  # type: ignore[arg-type]
                    limit=_READ_PAGE,
                    offset=offset,
                ),
            )
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    def iter_all(self) -> Iterator[StoredChunk]:
        for got in self._pages(["documents", "metadatas"]):
            yield from _chunks(got)

    def iter_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for got in self._pages(["metadatas"]):
            metas = got["metadatas"] or [None] * len(got["ids"])
            for cid, meta in zip(got["ids"], metas, strict=True):
                yield cid, dict(meta or {})

    def query(self, vector: Sequence[float], k: int) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks with their cosine similarity (higher is better)."""
        got = self._query(vector, k, ["documents", "metadatas", "distances"])
        if got is None:
            return []
        first = {key: (got[key] or [[]])[0] for key in ("documents", "metadatas", "distances")}
        chunks = _chunks({"ids": got["ids"][0], **first})
        # The collection uses cosine distance: similarity = 1 - distance.
        scored = [
            (chunk, 1.0 - float(distance))
            for chunk, distance in zip(chunks, first["distances"], strict=True)
        ]
        return _settle(scored, lambda pair: pair[0].id, k)

    def nearest(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        """Nearest ids with their cosine similarity: the same search as ``query``, without
        reading documents and metadata, which is most of a query's time in an embedded store
        (chromadb reads each chunk's metadata rows from SQLite)."""
        got = self._query(vector, k, ["distances"])
        if got is None:
            return []
        distances = (got["distances"] or [[]])[0]
        scored = [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], distances, strict=True)]
        return _settle(scored, lambda pair: pair[0], k)

    def _query(self, vector: Sequence[float], k: int, include: list[str]) -> Any:
        if k <= 0:
            return None
        embedding: Sequence[float] = [float(x) for x in vector]
        return self._call(
            "search",
            lambda: self.collection.query(
                query_embeddings=embedding,
                n_results=k + TIE_MARGIN,
                include=include,  # type: ignore[arg-type]
            ),
        )


def _settle(scored: list[P], key: Callable[[P], str], k: int) -> list[P]:
    """The ``k`` best by similarity, ties by id. The index returns chunks of equal similarity
    (a duplicate article's identical chunks) in no fixed order, and at the k-th place which of
    them makes the cut changed between two runs of the same searches (2 of 990 searches,
    ``bench/search_hits.py``); ``TIE_MARGIN`` more are asked for so the cut is made here."""
    return sorted(scored, key=lambda pair: (-round(pair[1], 6), key(pair)))[:k]


def _chunks(got: Any) -> Iterator[StoredChunk]:
    ids = got["ids"]
    docs = got["documents"] or [None] * len(ids)
    metas = got["metadatas"] or [None] * len(ids)
    for i, doc, meta in zip(ids, docs, metas, strict=True):
        yield StoredChunk(i, doc or "", dict(meta or {}))
