"""Plain value types shared by every retrieval stage.

Dataclasses, frozen: they are created once by a loader / chunker / searcher and never mutated.
Pydantic is used only where data crosses a trust boundary (files, settings, HTTP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retrieval.text import http_url, url_domain


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as loaded from disk.

    ``id`` is stable across runs (``<label>/<path relative to the corpus root>``, the label being
    the corpus folder's name, or the record's own ``id`` for JSON/JSONL); ``content_hash`` changes
    whenever title, body or metadata change, which is what incremental ingest compares. Every
    string in it encodes as UTF-8; ``path`` is the file's path for display (bytes of a file name
    that are not UTF-8 show as U+FFFD).
    """

    id: str
    title: str
    body: str
    source: str = ""
    url: str = ""
    published_at: str = ""
    author: str = ""
    path: str = ""
    content_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of an article's body. ``body[start:end] == text`` always holds."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with the article metadata needed to cite it, and its scores.

    ``score`` is the fused score (reciprocal rank fusion) in hybrid mode, otherwise the single
    retriever's score. ``dense_score`` is cosine similarity (higher is better); ``keyword_score``
    is the BM25 score. Either is ``None`` when that retriever did not return the chunk.
    """

    chunk_id: str
    article_id: str
    title: str
    text: str
    score: float
    source: str = ""
    url: str = ""
    published_at: str = ""
    index: int = 0
    start: int = 0
    end: int = 0
    dense_score: float | None = None
    keyword_score: float | None = None
    content_hash: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "source": self.source,
            "url": http_url(self.url),
            "domain": url_domain(self.url),
            "published_at": self.published_at,
            "text": self.text,
            "score": self.score,
            "dense_score": self.dense_score,
            "keyword_score": self.keyword_score,
        }


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A file that could not be loaded: reported with its path and the reason, then skipped."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file a load passed over on purpose (no loader for its type, a FIFO or device, a link to a
    folder), named so that a summary can say what was left out and why."""

    path: str
    reason: str
