"""Duplicate-story collapsing: the same story stored twice is shown once.

Two articles are copies when they share a title key or a body key (``duplicate_keys``, stored in
each chunk's metadata at ingest). Going down the ranking, a chunk whose key already belongs to
another article is dropped: the better-ranked copy stands for both.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator

from retrieval.search.base import Candidate
from retrieval.types import Article


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


def collapse_duplicates(candidates: Iterable[Candidate]) -> Iterator[Candidate]:
    """The candidates in order, without chunks of a copy of a better-ranked article.

    Candidates must carry their chunk (its metadata holds the keys); those without pass through.
    """
    kept_keys: dict[str, str] = {}  # duplicate key -> the article kept for it
    for candidate in candidates:
        if candidate.chunk is None:
            yield candidate
            continue
        meta = candidate.chunk.metadata
        article_id = str(meta.get("article_id", ""))
        keys = [str(meta.get("title_key", "")), str(meta.get("body_key", ""))]
        owner = next((kept_keys[key] for key in keys if key and key in kept_keys), None)
        if owner is not None and owner != article_id:
            continue
        for key in keys:
            if key:
                kept_keys.setdefault(key, article_id)
        yield candidate
