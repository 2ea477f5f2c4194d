"""Incremental, crash-safe ingest of articles into a vector store.

A manifest beside the store records, per article, the content hash and the chunk ids written for
it. Chunk ids are content-addressed, so writing the same article again overwrites rather than
duplicates. Before the store is touched for an article, the manifest marks it *pending* and lists
every chunk id that might exist for it (old and new); after the article's last chunk is written
it is marked *complete*. The manifest is replaced atomically, so an ingest killed at any point is
finished by running it again.

Work is done in steps of at most ``ingest_batch`` chunks (embed, then upsert), cutting through
articles where needed: one huge article does not make one huge step. Progress is reported after
every step through a callback; nothing here draws anything.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.chunking import Chunker, embedding_text
from retrieval.embeddings import LocalEmbeddings
from retrieval.keyword_index import PersistedKeywordIndex
from retrieval.loaders import load_articles
from retrieval.manifest import Manifest
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


def plan_steps(sizes: Sequence[int], batch: int) -> list[list[Slice]]:
    """Cut articles of ``sizes`` chunks into steps of at most ``batch`` chunks, in order.

    Small articles share a step; a large one is spread over several. An article without chunks
    rides along with the step it falls in, so it is still recorded complete.
    """
    batch = max(1, batch)
    steps: list[list[Slice]] = []
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
                steps.append(step)
                step, room = [], batch
            if start >= size:
                break
    if step:
        steps.append(step)
    return steps


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
        manifest: Manifest,
        keyword_index: PersistedKeywordIndex,
        chunker: Chunker | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.embeddings = embeddings
        self.manifest = manifest
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
        """Load ``source`` (a folder or a file) and ingest what it holds."""
        started = time.perf_counter()
        loaded = load_articles(
            Path(source), max_article_bytes=int(self.config.max_article_mb * 1_000_000)
        )
        report = self.ingest_articles(
            loaded.articles,
            root=source,
            problems=loaded.problems,
            unreadable_paths=[p.path for p in loaded.problems],
            unreadable_folders=loaded.unreadable_folders,
            prune=prune,
            on_progress=on_progress,
        )
        report.files_read = loaded.files_read
        report.skipped_files = list(loaded.skipped)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_articles(
        self,
        articles: Sequence[Article],
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
        started = time.perf_counter()
        report = IngestReport(articles_seen=len(articles), problems=list(problems))
        prune = self.config.prune if prune is None else prune
        fingerprint = self.fingerprint()
        known = self.manifest.articles
        root_key = str(Path(root).resolve())

        todo: list[Article] = []
        for article in articles:
            entry = known.get(article.id)
            if entry and self._collides(entry, article, root_key):
                report.articles_skipped += 1
                report.problems.append(
                    LoadProblem(
                        article.path,
                        f"article id {article.id!r} is already in the store from "
                        f"{entry.get('path', '?')} (ingested from {entry['root']}); skipped",
                    )
                )
            elif (
                entry
                and entry.get("complete")
                and entry["hash"] == article.content_hash
                and entry.get("fingerprint") == fingerprint
            ):
                report.articles_unchanged += 1
            else:
                todo.append(article)
                if entry:
                    report.articles_updated += 1
                else:
                    report.articles_added += 1

        if prune:
            gone = self._gone(articles, root_key, unreadable_paths, unreadable_folders)
            if gone:
                stale = [cid for aid in gone for cid in known[aid]["chunks"]]
                self.store.delete(stale)
                report.chunks_deleted += len(stale)
                for aid in gone:
                    del known[aid]
                report.articles_deleted = len(gone)
                self.manifest.save()

        if todo:
            # Open the store before the slow part, so that an unreachable server fails at once.
            self.store.open()
            self._write(todo, root_key, fingerprint, report, on_progress)

        if report.changed or self.keyword_index.is_stale():
            self.keyword_index.rebuild()
        report.total_chunks = self.manifest.chunk_count()
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def _collides(entry: dict[str, Any], article: Article, root: str) -> bool:
        """Whether ``article`` would replace a different article stored from another folder.

        The same file reached from another root (a file ingested alone, then its folder) is the
        same article, not a collision. Entries without a root predate roots: not collisions.
        """
        if entry.get("root", root) == root:
            return False
        return _resolved(entry.get("path", "")) != _resolved(article.path)

    def _gone(
        self,
        articles: Sequence[Article],
        root: str,
        unreadable_paths: Iterable[str],
        unreadable_folders: Iterable[str],
    ) -> list[str]:
        """Articles stored from ``root`` that it no longer holds, and that were not unreadable.

        Only articles ingested from this same root are pruned: ingesting a second folder adds to
        the store rather than replacing the first. An article whose file (or a folder above it)
        failed to load this time keeps what it had: a malformed edit or a permission problem
        must not silently delete it.
        """
        present = {a.id for a in articles}
        bad_files = {p for p in map(_resolved, unreadable_paths) if p is not None}
        bad_folders = [p for p in map(_resolved, unreadable_folders) if p is not None]
        gone = []
        for aid, entry in self.manifest.articles.items():
            if aid in present or entry.get("root", root) != root:
                continue
            path = _resolved(entry.get("path", ""))
            if path in bad_files or _under_any(path, bad_folders):
                continue
            gone.append(aid)
        return gone

    def _write(
        self,
        articles: Sequence[Article],
        root: str,
        fingerprint: str,
        report: IngestReport,
        on_progress: ProgressCallback | None,
    ) -> None:
        known = self.manifest.articles
        planned: list[tuple[Article, list[Chunk]]] = [(a, self.chunker.split(a)) for a in articles]
        steps = plan_steps([len(c) for _, c in planned], self.config.ingest_batch)
        progress = IngestProgress(0, len(planned), 0, sum(len(c) for _, c in planned))
        if on_progress:
            on_progress(progress)
        for step in steps:
            # 1. Record intent for the articles starting here: every id that may exist for them,
            # old and new; then drop their replaced chunks.
            starting = [planned[s.article] for s in step if s.first]
            stale: list[str] = []
            for article, chunks in starting:
                new_ids = [c.id for c in chunks]
                old_ids = known.get(article.id, {}).get("chunks", [])
                stale.extend(cid for cid in old_ids if cid not in set(new_ids))
                known[article.id] = {
                    "hash": article.content_hash,
                    "path": article.path,
                    "root": root,
                    "fingerprint": fingerprint,
                    "chunks": sorted(set(old_ids) | set(new_ids)),
                    "complete": False,
                }
            if starting:
                self.manifest.save()
            if stale:
                self.store.delete(stale)
                report.chunks_deleted += len(stale)
            # 2. Embed and write this step's chunks.
            flat = [
                (planned[s.article][0], c)
                for s in step
                for c in planned[s.article][1][s.start : s.stop]
            ]
            t0 = time.perf_counter()
            vectors = self.embeddings.encode([embedding_text(a.title, c.text) for a, c in flat])
            report.embed_seconds += time.perf_counter() - t0
            self.store.upsert(
                [c.id for _, c in flat],
                vectors,
                [c.text for _, c in flat],
                [chunk_metadata(a, c) for a, c in flat],
            )
            report.chunks_written += len(flat)
            # 3. Record completion of the articles whose last chunks were in this step.
            finished = [planned[s.article] for s in step if s.last]
            for article, chunks in finished:
                known[article.id]["chunks"] = [c.id for c in chunks]
                known[article.id]["complete"] = True
            if finished:
                self.manifest.save()
            progress = IngestProgress(
                progress.articles_done + len(finished),
                progress.articles_total,
                progress.chunks_done + len(flat),
                progress.chunks_total,
            )
            if on_progress:
                on_progress(progress)


def chunk_metadata(article: Article, chunk: Chunk) -> dict[str, Any]:
    """What the store keeps beside a chunk's text: enough to cite it and to collapse copies."""
    title_key, body_key = duplicate_keys(article)
    return {
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
