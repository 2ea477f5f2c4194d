"""Incremental, crash-safe, streaming ingest of articles into a vector store.

The store is the one record of what it holds (``retrieval.catalog``): every chunk carries its
article's id, content hash, chunking fingerprint, folder and chunk count. An ingest reads that
record, then streams its input: articles are loaded one at a time, unchanged ones are passed over,
and the rest are chunked, embedded and written in steps of at most ``ingest_batch`` chunks
(cutting through a long article where needed), so memory holds one step, never the input. Old
chunks go only after all new ones are written: a killed ingest's half-written articles are redone.

Ingests into one store take turns (``VectorStore.ingest_lock``), so two hosts ingesting at once
end as if they had run one after the other. Around its writes an ingest bumps the store's version
(collection metadata), which tells every process's keyword index to refresh.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from retrieval.catalog import (
    INGEST_KEY,
    SCHEMA,
    SCHEMA_KEY,
    VECTORS_KEY,
    VERSION_KEY,
    StoredArticle,
    check_vectors,
    scan,
    store_version,
    writer_description,
)
from retrieval.chunking import Chunker, embedding_text
from retrieval.embeddings import LocalEmbeddings
from retrieval.keyword_index import PersistedKeywordIndex
from retrieval.loaders import iter_articles
from retrieval.memory import keep_large_blocks_out_of_the_heap, release_free_memory
from retrieval.search.dedupe import duplicate_keys
from retrieval.settings import RetrievalSettings
from retrieval.stores import VectorStore
from retrieval.types import Article, Chunk, LoadProblem, SkippedFile


@dataclass
class IngestReport:
    articles_seen: int = 0
    articles_added: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_deleted: int = 0
    # Loaded but not written: their id belongs to an article ingested from another folder.
    articles_skipped: int = 0
    chunks_written: int = 0
    chunks_deleted: int = 0
    total_chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    problems: list[LoadProblem] = field(default_factory=list)
    # What the load saw: supported files read, and files passed over on purpose (unknown type,
    # special file, link to a folder) with the reason.
    files_read: int = 0
    skipped_files: list[SkippedFile] = field(default_factory=list)

    @property
    def anything_skipped(self) -> bool:
        """Whether some file, record or article did not make it into the store this time."""
        return bool(self.problems or self.skipped_files or self.articles_skipped)

    @property
    def changed(self) -> bool:
        return bool(
            self.articles_added
            or self.articles_updated
            or self.articles_deleted
            or self.chunks_deleted
        )

    @property
    def articles_per_second(self) -> float:
        return self.articles_seen / self.seconds if self.seconds > 0 else 0.0

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds > 0 else 0.0

    def problems_by_file(self) -> dict[str, list[str]]:
        """Each file with a problem, in the order first reported, and its reasons."""
        grouped: dict[str, list[str]] = defaultdict(list)
        for problem in self.problems:
            grouped[problem.path].append(problem.reason)
        return dict(grouped)


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """Where an ingest's writing stands; sent once before the first step and after each step."""

    articles_done: int
    articles_total: int
    chunks_done: int
    chunks_total: int


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(frozen=True, slots=True)
class Slice:
    """Chunks ``start:stop`` of article number ``article`` in a plan."""

    article: int
    start: int
    stop: int
    first: bool  # the article's first slice: record its intent before this step writes
    last: bool  # its last slice: it is complete after this step


def cut_steps(sizes: Iterable[int], batch: int) -> Iterator[list[Slice]]:
    """Cut articles of ``sizes`` chunks into steps of at most ``batch`` chunks, in order.

    Small articles share a step; a large one is spread over several. An article without chunks
    rides along with the step it falls in, so it is still recorded complete. Lazy: the next size
    is read only when the step being filled has room, so a stream of articles is cut as it comes.
    """
    batch = max(1, batch)
    step: list[Slice] = []
    room = batch
    for article, size in enumerate(sizes):
        start = 0
        while True:
            stop = min(size, start + room)
            step.append(Slice(article, start, stop, start == 0, stop == size))
            room -= stop - start
            start = stop
            if room == 0:
                yield step
                step, room = [], batch
            if start >= size:
                break
    if step:
        yield step


def plan_steps(sizes: Sequence[int], batch: int) -> list[list[Slice]]:
    """``cut_steps`` of a known list of sizes, all at once."""
    return list(cut_steps(sizes, batch))


class LoadOutcome(Protocol):
    """What a load found besides articles; complete once its articles have been iterated."""

    @property
    def problems(self) -> list[LoadProblem]: ...

    @property
    def unreadable_folders(self) -> list[str]: ...


@dataclass
class _Loaded:
    problems: list[LoadProblem] = field(default_factory=list)
    unreadable_folders: list[str] = field(default_factory=list)


def _resolved(path: str) -> Path | None:
    return Path(path).resolve() if path else None


def _under_any(path: Path | None, folders: Collection[Path]) -> bool:
    return path is not None and any(path == f or path.is_relative_to(f) for f in folders)


class Ingester:
    def __init__(
        self,
        config: RetrievalSettings,
        store: VectorStore,
        embeddings: LocalEmbeddings,
        keyword_index: PersistedKeywordIndex,
        chunker: Chunker | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.embeddings = embeddings
        self.keyword_index = keyword_index
        self.chunker = chunker or Chunker(config.chunk_size, config.chunk_overlap)

    def fingerprint(self) -> str:
        """What, besides an article's text, decides its chunks and vectors."""
        c = self.config
        return f"{c.embedding_model}|{c.chunk_size}|{c.chunk_overlap}"

    def ingest(
        self,
        source: Path,
        *,
        prune: bool | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Load ``source`` (a folder or a file), one article at a time, and ingest what it holds."""
        started = time.perf_counter()
        stream = iter_articles(
            Path(source), max_article_bytes=int(self.config.max_article_mb * 1_000_000)
        )
        report = self._run(stream, Path(source), stream, prune, on_progress)
        report.files_read = stream.files_read
        report.skipped_files = list(stream.skipped)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_articles(
        self,
        articles: Iterable[Article],
        *,
        root: Path,
        problems: Iterable[LoadProblem] = (),
        unreadable_paths: Iterable[str] = (),
        unreadable_folders: Iterable[str] = (),
        prune: bool | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Bring the store in line with ``articles``, all loaded from ``root``.

        ``unreadable_paths`` (files) and ``unreadable_folders`` could not be read this time:
        articles stored from them are kept, never pruned.
        """
        loaded = _Loaded(
            [*problems, *(LoadProblem(p, "unreadable") for p in unreadable_paths)],
            list(unreadable_folders),
        )
        report = self._run(articles, Path(root), loaded, prune, on_progress)
        report.problems = [p for p in report.problems if p.reason != "unreadable"]
        return report

    def _run(
        self,
        articles: Iterable[Article],
        root: Path,
        loaded: LoadOutcome,
        prune: bool | None,
        on_progress: ProgressCallback | None,
    ) -> IngestReport:
        started = time.perf_counter()
        prune = self.config.prune if prune is None else prune
        if self.config.ingest_low_memory:  # retrieval/memory.py: slower, less memory
            keep_large_blocks_out_of_the_heap()
        owner = f"ingest of {root}"
        # The lock first (taking a server's lock fails at once if it is unreachable), then the
        # store: an embedded store opened by a second process before the first one's writes
        # would write back its stale copy of the vector index.
        with self.store.ingest_lock(
            owner, self.config.ingest_lock_wait, self.config.ingest_lease_seconds
        ) as held:
            self.store.open()
            if self.store.exists() and self.store.count() > 0:
                check_vectors(
                    self.store.info(),
                    self.embeddings.vector_family,
                    self.embeddings.backend,
                    self.store.where,
                )
            run = _Run(self, str(root.resolve()), held, on_progress)
            run.owner = owner
            run.write(articles)
            report = run.report
            # Problems of the load first (the stream is complete now), then those of ingest.
            report.problems[:0] = loaded.problems
            if prune:
                run.prune(loaded)
            run.finish()
        if report.changed or self.keyword_index.is_stale():
            self.keyword_index.refresh(force=True)
        report.total_chunks = self.store.count()
        report.seconds = time.perf_counter() - started
        return report


class _Run:
    """One ingest, under the store's ingest lock."""

    def __init__(
        self,
        ingester: Ingester,
        root: str,
        held: Any,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.ing = ingester
        self.store = ingester.store
        self.root = root
        self.held = held
        self.on_progress = on_progress
        self.report = IngestReport()
        self.fingerprint = ingester.fingerprint()
        # What the store holds now: read under the lock, so no other ingest changes it meanwhile.
        self.known: dict[str, StoredArticle] = scan(self.store)
        self.seen: set[str] = set()
        self.info: dict[str, Any] | None = None
        self.progress = IngestProgress(0, 0, 0, 0)
        self.owner = "ingest"
        self._renewed = time.monotonic()

    # --- the store's version ----------------------------------------------------------------
    def _before_writing(self) -> None:
        """Before the first write: bump the version and mark the store as being written."""
        if self.info is not None:
            return
        self.info = self.store.info() if self.store.exists() else {}
        self.info.update(
            {
                SCHEMA_KEY: SCHEMA,
                VECTORS_KEY: self.ing.embeddings.vector_family,
                VERSION_KEY: store_version(self.info) + 1,
                INGEST_KEY: writer_description(self.owner),
            }
        )
        self.store.set_info(self.info)

    def finish(self) -> None:
        """After the last write: the index saved (``persist_index``), version bumped, mark gone."""
        if self.info is not None:
            getattr(self.store, "persist_index", lambda: None)()
            self.info.update({VERSION_KEY: store_version(self.info) + 1, INGEST_KEY: ""})
            self.store.set_info(self.info)

    # --- classifying ------------------------------------------------------------------------
    def _todo(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Chunk]]]:
        report = self.report
        for article in articles:
            self._renew(every=self.ing.config.ingest_lease_seconds / 3)
            report.articles_seen += 1
            self.seen.add(article.id)
            entry = self.known.get(article.id)
            if entry and _collides(entry, article, self.root):
                report.articles_skipped += 1
                report.problems.append(
                    LoadProblem(
                        article.path,
                        f"article id {article.id!r} is already in the store from "
                        f"{entry.path or '?'} (ingested from {entry.root}); skipped",
                    )
                )
            elif (
                entry
                and entry.complete
                and entry.content_hash == article.content_hash
                and entry.fingerprint == self.fingerprint
            ):
                report.articles_unchanged += 1
            else:
                if entry:
                    report.articles_updated += 1
                else:
                    report.articles_added += 1
                yield article, self.ing.chunker.split(article)

    # --- writing ----------------------------------------------------------------------------
    def write(self, articles: Iterable[Article]) -> None:
        planned: dict[int, tuple[Article, list[Chunk]]] = {}

        def sizes() -> Iterator[int]:
            for n, (article, chunks) in enumerate(self._todo(articles)):
                planned[n] = (article, chunks)
                self.progress = IngestProgress(
                    self.progress.articles_done,
                    self.progress.articles_total + 1,
                    self.progress.chunks_done,
                    self.progress.chunks_total + len(chunks),
                )
                yield len(chunks)

        for step in cut_steps(sizes(), self.ing.config.ingest_batch):
            if self.progress.chunks_done == 0 and self.progress.articles_done == 0:
                self._tell()
            self._write_step(step, planned)
            release_free_memory()  # what the step freed goes back (retrieval/memory.py)

    def _write_step(
        self, step: list[Slice], planned: dict[int, tuple[Article, list[Chunk]]]
    ) -> None:
        self._before_writing()
        report = self.report
        flat = [
            (planned[s.article][0], c, len(planned[s.article][1]))
            for s in step
            for c in planned[s.article][1][s.start : s.stop]
        ]
        t0 = time.perf_counter()
        vectors = self.ing.embeddings.encode_documents(
            [embedding_text(a.title, c.text) for a, c, _ in flat]
        )
        report.embed_seconds += time.perf_counter() - t0
        self.store.upsert(
            [c.id for _, c, _ in flat],
            vectors,
            [c.text for _, c, _ in flat],
            [
                chunk_metadata(a, c, root=self.root, fingerprint=self.fingerprint, chunks=n)
                for a, c, n in flat
            ],
        )
        report.chunks_written += len(flat)
        # Articles whose last chunks were in this step are complete: only now drop their
        # replaced chunks, so a crash before this point leaves the old version findable.
        finished = [planned.pop(s.article) for s in step if s.last]
        stale: list[str] = []
        for article, chunks in finished:
            new_ids = {c.id for c in chunks}
            old = self.known.get(article.id)
            if old is not None:
                stale.extend(cid for cid in old.chunk_ids if cid not in new_ids)
        if stale:
            self.store.delete(stale)
            report.chunks_deleted += len(stale)
        self._renew()
        self.progress = IngestProgress(
            self.progress.articles_done + len(finished),
            self.progress.articles_total,
            self.progress.chunks_done + len(flat),
            self.progress.chunks_total,
        )
        self._tell()

    def _renew(self, every: float = 0.0) -> None:
        """Renew the ingest lock's lease (after every step, and while reading a long stretch of
        unchanged articles, so that a long ingest never looks like a dead one)."""
        now = time.monotonic()
        if now - self._renewed >= every:
            self.held.renew()
            self._renewed = now

    def _tell(self) -> None:
        if self.on_progress:
            self.on_progress(self.progress)

    # --- pruning ----------------------------------------------------------------------------
    def prune(self, loaded: LoadOutcome) -> None:
        """Delete the articles stored from this root that it no longer holds.

        Only articles ingested from this same root are pruned: ingesting a second folder adds to
        the store rather than replacing the first. An article whose file (or a folder above it)
        failed to load this time keeps what it had: a malformed edit or a permission problem
        must not silently delete it.
        """
        bad_files = {p for p in map(_resolved, (x.path for x in loaded.problems)) if p}
        bad_folders = [p for p in map(_resolved, loaded.unreadable_folders) if p is not None]
        gone = []
        for aid, entry in self.known.items():
            if aid in self.seen or (entry.root or self.root) != self.root:
                continue
            path = _resolved(entry.path)
            if path in bad_files or _under_any(path, bad_folders):
                continue
            gone.append(aid)
        if not gone:
            return
        self._before_writing()
        stale = [cid for aid in gone for cid in self.known[aid].chunk_ids]
        self.store.delete(stale)
        self.report.chunks_deleted += len(stale)
        self.report.articles_deleted = len(gone)


def _collides(entry: StoredArticle, article: Article, root: str) -> bool:
    """Whether ``article`` would replace a different article stored from another folder.

    The same file reached from another root (a file ingested alone, then its folder) is the
    same article, not a collision. Chunks without a root predate roots: not collisions.
    """
    if (entry.root or root) == root:
        return False
    return _resolved(entry.path) != _resolved(article.path)


def chunk_metadata(
    article: Article, chunk: Chunk, *, root: str = "", fingerprint: str = "", chunks: int = 0
) -> dict[str, Any]:
    """What the store keeps beside a chunk's text: enough to cite it, to collapse copies, and
    for any host to ingest incrementally (folder, file, fingerprint, the article's chunk count)."""
    title_key, body_key = duplicate_keys(article)
    return {
        "root": root,
        "path": article.path,
        "fingerprint": fingerprint,
        "chunks": chunks,
        "article_id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": article.content_hash,
        "title_key": title_key,
        "body_key": body_key,
    }
