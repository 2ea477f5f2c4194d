"""Sentence vectors, cached: the extractive generator and the citation check embed the same
sentences, so one cache per embedding model serves both.

The cache is state of the object that owns it (the ``Answerer`` builds one ``CachedEncoder`` and
passes it to its generators and to the check), never module-global.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class CachedEncoder:
    """Memoises sentence vectors: the extractive generator and the check embed the same sentences.

    Bounded LRU; thread-safe (Slack handlers may answer concurrently).
    """

    def __init__(self, embeddings: Encoder, max_items: int = 50_000) -> None:
        self._embeddings = embeddings
        self._max = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors already known for ``texts`` (nothing is computed)."""
        with self._lock:
            return {t: self._cache[t] for t in texts if t in self._cache}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._embeddings.encode(missing)
            with self._lock:
                for text, vec in zip(missing, vectors, strict=True):
                    self._cache[text] = vec
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = []
            for t in texts:
                vec = self._cache.get(t)
                if vec is None:  # evicted between the two locks: rare, recompute
                    vec = self._embeddings.encode([t])[0]
                else:
                    self._cache.move_to_end(t)
                rows.append(vec)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack(rows)


def cached_encoder(embeddings: Encoder) -> CachedEncoder:
    """``embeddings`` itself when it is already a ``CachedEncoder``, else a new cache around it.

    Callers that answer many questions (the core) build the cache once and pass it in; a one-off
    call (a test, a script) gets a cache of its own.
    """
    if isinstance(embeddings, CachedEncoder):
        return embeddings
    return CachedEncoder(embeddings)
