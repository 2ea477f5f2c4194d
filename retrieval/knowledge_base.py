"""Ingest a folder of articles into the store, and search it (dense + BM25, fused).

Incremental and crash-safe: a manifest beside the store records, per article, the content hash
and the chunk ids written for it. Chunk ids are content-addressed, so writing the same article
again overwrites rather than duplicates. The manifest marks an article *pending* (listing every
chunk id that might exist for it) before the store is touched and *complete* after, and is
replaced atomically; an ingest killed at any point is finished by running it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from retrieval.chunking import Chunker, embedding_text
from retrieval.embeddings import LocalEmbeddings
from retrieval.keyword import KeywordIndex
from retrieval.loaders import load_articles
from retrieval.settings import RetrievalSettings
from retrieval.store import StoredChunk, VectorStore
from retrieval.types import Article, Chunk, Hit, LoadProblem

SearchMode = Literal["hybrid", "dense", "keyword"]
MANIFEST_VERSION = 1


@dataclass
class IngestReport:
    articles_seen: int = 0
    articles_added: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_deleted: int = 0
    chunks_written: int = 0
    chunks_deleted: int = 0
    total_chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    problems: list[LoadProblem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.articles_added
            or self.articles_updated
            or self.articles_deleted
            or self.chunks_deleted
        )


ProgressCallback = Callable[[int, int], None]  # (articles done, chunks done) increments


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^\w]+", " ", text).strip()


def duplicate_keys(article: Article) -> tuple[str, str]:
    """Keys under which two copies of the same story collide: normalised title, body opening."""
    title = _normalise(article.title)
    # A short title ("Market report", "Letters") is shared by different stories; only a title
    # of several words identifies one.
    title_key = hashlib.sha1(title.encode()).hexdigest()[:16] if len(title.split()) >= 5 else ""
    body_key = hashlib.sha1(_normalise(article.body)[:400].encode()).hexdigest()[:16]
    return title_key, body_key


class KnowledgeBase:
    def __init__(
        self, config: RetrievalSettings, embeddings: LocalEmbeddings | None = None
    ) -> None:
        self.config = config
        self.embeddings = embeddings or LocalEmbeddings(
            config.embedding_model,
            batch_size=config.embedding_batch_size,
            threads=config.torch_threads,
        )
        self.chunker = Chunker(config.chunk_size, config.chunk_overlap)
        self.store = VectorStore(config, self.embeddings)
        self._keyword: KeywordIndex | None = None
        self._manifest: dict[str, Any] | None = None
        self._version: str | None = None

    # --- manifest ---------------------------------------------------------------------------
    @property
    def _state_dir(self) -> Path:
        # With a Chroma server the manifest and keyword index still live locally, per collection.
        return self.config.store_path / "state" / self.config.collection

    @property
    def _manifest_path(self) -> Path:
        return self._state_dir / "manifest.json"

    @property
    def _keyword_dir(self) -> Path:
        return self._state_dir / "keyword"

    def _fingerprint(self) -> str:
        """What, besides an article's text, decides its chunks and vectors."""
        return f"{self.config.embedding_model}|{self.config.chunk_size}|{self.config.chunk_overlap}"

    @property
    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            try:
                data = json.loads(self._manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if data.get("version") != MANIFEST_VERSION:
                data = {"version": MANIFEST_VERSION, "articles": {}}
            self._manifest = data
        return self._manifest

    def _save_manifest(self) -> None:
        self._version = None
        self._state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._manifest_path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(self.manifest, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._manifest_path)

    def _chunk_ids_version(self) -> str:
        """Identifies the set of chunks in the store; the keyword index must carry the same."""
        if self._version is None:
            self._version = self._compute_version()
        return self._version

    def _compute_version(self) -> str:
        articles = self.manifest["articles"]
        h = hashlib.sha256()
        for aid in sorted(articles):
            h.update(aid.encode())
            # The chunk ids, not just the article hash: a new chunk size or model replaces every
            # chunk while the articles' hashes stay the same.
            for cid in articles[aid]["chunks"]:
                h.update(cid.encode())
        return h.hexdigest()[:24]

    # --- ingest -----------------------------------------------------------------------------
    def ingest(
        self,
        source: Path,
        *,
        progress: bool = False,
        prune: bool | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        loaded = load_articles(Path(source))
        report = IngestReport(articles_seen=len(loaded.articles), problems=list(loaded.problems))
        prune = self.config.prune if prune is None else prune
        fingerprint = self._fingerprint()
        known: dict[str, Any] = self.manifest["articles"]

        todo: list[Article] = []
        for article in loaded.articles:
            entry = known.get(article.id)
            if (
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

        present = {a.id for a in loaded.articles}
        root = str(Path(source).resolve())
        # A file that fails to load this time keeps what it had in the store: a malformed edit
        # must not silently delete the article it used to hold.
        unreadable = {_resolved(p.path) for p in loaded.problems}
        # Only articles ingested from this same folder are pruned: ingesting a second folder
        # adds to the store rather than replacing the first.
        gone = (
            [
                aid
                for aid, e in known.items()
                if aid not in present
                and e.get("root", root) == root
                and _resolved(e.get("path", "")) not in unreadable
            ]
            if prune
            else []
        )

        if gone:
            stale = [cid for aid in gone for cid in known[aid]["chunks"]]
            self.store.delete(stale)
            report.chunks_deleted += len(stale)
            for aid in gone:
                del known[aid]
            report.articles_deleted = len(gone)
            self._save_manifest()

        if todo:
            # Open the store before the slow part, so that an unreachable server fails at once.
            _ = self.store.vectorstore
            self._write_articles(todo, root, fingerprint, report, progress, on_progress)

        if report.changed or self._keyword_stale():
            self._rebuild_keyword_index()
        report.total_chunks = sum(len(e["chunks"]) for e in known.values())
        report.seconds = time.perf_counter() - started
        return report

    def _write_articles(
        self,
        articles: Sequence[Article],
        root: str,
        fingerprint: str,
        report: IngestReport,
        progress: bool,
        on_progress: ProgressCallback | None,
    ) -> None:
        known: dict[str, Any] = self.manifest["articles"]
        planned: list[tuple[Article, list[Chunk]]] = [(a, self.chunker.split(a)) for a in articles]
        total_chunks = sum(len(c) for _, c in planned)

        bar = _ProgressBar(len(planned), total_chunks) if progress else None
        try:
            for batch in _batches(planned, max(1, self.config.ingest_batch)):
                # 1. Record intent: every id that may exist for these articles, old and new.
                stale: list[str] = []
                for article, chunks in batch:
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
                self._save_manifest()
                # 2. Write the store: drop replaced chunks, upsert the new ones.
                if stale:
                    self.store.delete(stale)
                    report.chunks_deleted += len(stale)
                flat = [(a, c) for a, cs in batch for c in cs]
                t0 = time.perf_counter()
                vectors = self.embeddings.encode([embedding_text(a.title, c.text) for a, c in flat])
                report.embed_seconds += time.perf_counter() - t0
                self.store.upsert(
                    [c.id for _, c in flat],
                    vectors,
                    [c.text for _, c in flat],
                    [_metadata(a, c) for a, c in flat],
                )
                # 3. Record completion.
                for article, chunks in batch:
                    known[article.id]["chunks"] = [c.id for c in chunks]
                    known[article.id]["complete"] = True
                self._save_manifest()
                report.chunks_written += len(flat)
                if bar:
                    bar.advance(len(batch), len(flat))
                if on_progress:
                    on_progress(len(batch), len(flat))
        finally:
            if bar:
                bar.close()

    # --- keyword index ----------------------------------------------------------------------
    def _keyword_stale(self) -> bool:
        index = self.keyword_index
        return index is None or index.version != self._chunk_ids_version()

    @property
    def keyword_index(self) -> KeywordIndex | None:
        if self._keyword is None:
            self._keyword = KeywordIndex.load(self._keyword_dir)
        return self._keyword

    def _rebuild_keyword_index(self) -> None:
        ids: list[str] = []
        texts: list[str] = []
        records: list[dict[str, Any]] = []
        for chunk in self.store.iter_all():
            ids.append(chunk.id)
            texts.append(embedding_text(str(chunk.metadata.get("title", "")), chunk.text))
            records.append({"text": chunk.text, "metadata": chunk.metadata})
        index = KeywordIndex.build(ids, texts, self._chunk_ids_version(), records)
        index.save(self._keyword_dir)
        self._keyword = index

    # --- search -----------------------------------------------------------------------------
    def count(self) -> int:
        return sum(len(e["chunks"]) for e in self.manifest["articles"].values())

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: SearchMode = "hybrid",
        candidates: int | None = None,
    ) -> list[Hit]:
        k = k or self.config.k
        n = max(candidates or self.config.candidates, k)
        if not query.strip() or not self.manifest["articles"]:
            return []
        dense: list[tuple[StoredChunk, float]] = []
        keyword: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            dense = self.store.query(self.embeddings.embed_query(query), n)
        if mode in ("hybrid", "keyword"):
            index = self.keyword_index
            if index is None or index.version != self._chunk_ids_version():
                self._rebuild_keyword_index()
                index = self._keyword
            assert index is not None
            keyword = index.search(query, n)

        chunks: dict[str, StoredChunk] = {c.id: c for c, _ in dense}
        missing = []
        records = self._keyword.records if self._keyword is not None else {}
        for cid, _ in keyword:
            if cid in chunks:
                continue
            record = records.get(cid)
            if record is None:
                missing.append(cid)
            else:
                chunks[cid] = StoredChunk(cid, record["text"], record["metadata"])
        chunks.update(self.store.get(missing))
        dense_scores = {c.id: s for c, s in dense}
        keyword_scores = dict(keyword)

        if mode == "dense":
            ranked = [(c.id, s) for c, s in dense]
        elif mode == "keyword":
            ranked = list(keyword)
        else:
            ranked = reciprocal_rank_fusion(
                [[c.id for c, _ in dense], [cid for cid, _ in keyword]], self.config.rrf_k
            )

        hits: list[Hit] = []
        kept_keys: dict[str, str] = {}  # duplicate key -> the article kept for it
        for cid, score in ranked:
            chunk = chunks.get(cid)
            if chunk is None:  # the keyword index may briefly know a chunk the store dropped
                continue
            meta = chunk.metadata
            article_id = str(meta.get("article_id", ""))
            keys = [str(meta.get("title_key", "")), str(meta.get("body_key", ""))]
            owner = next((kept_keys[key] for key in keys if key and key in kept_keys), None)
            if owner is not None and owner != article_id:
                continue  # the same story stored twice: the better-ranked copy stands for both
            for key in keys:
                if key:
                    kept_keys.setdefault(key, article_id)
            hits.append(_hit(chunk, score, dense_scores.get(cid), keyword_scores.get(cid)))
            if len(hits) >= k:
                break
        return hits


def reciprocal_rank_fusion(
    rankings: Iterable[Sequence[str]], rrf_k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (rrf_k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        weight = weights[i] if weights else 1.0
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _resolved(path: str) -> str:
    return str(Path(path).resolve()) if path else ""


def _metadata(article: Article, chunk: Chunk) -> dict[str, Any]:
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


def _hit(chunk: StoredChunk, score: float, dense: float | None, keyword: float | None) -> Hit:
    meta = chunk.metadata
    return Hit(
        chunk_id=chunk.id,
        article_id=str(meta.get("article_id", "")),
        title=str(meta.get("title", "")),
        text=chunk.text,
        score=float(score),
        source=str(meta.get("source", "")),
        url=str(meta.get("url", "")),
        published_at=str(meta.get("published_at", "")),
        index=int(meta.get("index", 0)),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        dense_score=dense,
        keyword_score=keyword,
        content_hash=str(meta.get("content_hash", "")),
    )


def _batches(
    planned: Sequence[tuple[Article, list[Chunk]]], size: int
) -> Iterable[list[tuple[Article, list[Chunk]]]]:
    batch: list[tuple[Article, list[Chunk]]] = []
    count = 0
    for item in planned:
        batch.append(item)
        count += len(item[1])
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


class _ProgressBar:
    """A rich progress bar showing articles and chunks, each with its rate per second."""

    def __init__(self, articles: int, chunks: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:7.1f}/s" if speed else "      -/s", style="cyan")

        self._progress = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            RateColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self._articles = self._progress.add_task("articles", total=articles)
        self._chunks = self._progress.add_task("chunks", total=chunks)
        self._progress.start()

    def advance(self, articles: int, chunks: int) -> None:
        self._progress.advance(self._articles, articles)
        self._progress.advance(self._chunks, chunks)

    def close(self) -> None:
        self._progress.stop()
