"""Sentence vectors, cached: the extractive generator and the citation check embed the same
sentences, so one cache per embedding model serves both.

The cache is state of the object that owns it (the ``Answerer`` builds one ``CachedEncoder`` and
passes it to its generators and to the check), never module-global. With a ``store_folder``, the
vectors not in memory are looked for on disk (:class:`SentenceVectors`, shared by the processes
of a machine and filled by ``newsdesk prepare``) before they are computed, and what is computed
is written there: embedding the retrieved sentences is, with their parses, most of an answer's
time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.answer.text_blobs import TextBlobs, safe_name


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceVectors:
    """Sentence vectors by text in ``folder/vectors-<encoder>.sqlite3`` (a
    :class:`bot.answer.text_blobs.TextBlobs` file): float32 rows; a row that is not whole floats,
    or not finite, is ignored (:class:`CachedEncoder` also embeds again a row of another width)."""

    def __init__(self, folder: Path, encoder_id: str, width: int) -> None:
        self.width = width
        name = f"vectors-{safe_name(encoder_id)}.sqlite3"
        self.blobs = TextBlobs(Path(folder) / name, "sentence vector store")
        self.path = self.blobs.path

    def get_many(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        found = {}
        for text, blob in self.blobs.get_many(texts).items():
            if len(blob) % 4:
                continue
            vector = np.frombuffer(blob, dtype=np.float32).copy()  # writable, as computed ones
            if vector.size and np.isfinite(vector).all():
                found[text] = vector
        return found

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> int:
        rows = np.asarray(vectors, dtype=np.float32)
        return self.blobs.put_many([(t, rows[i].tobytes()) for i, t in enumerate(texts)])

    def known(self, texts: Iterable[str]) -> set[str]:
        return self.blobs.known(texts)

    def __len__(self) -> int:
        return len(self.blobs)


def encoder_id(embeddings: object) -> tuple[str, int] | None:
    """What names an encoder's vectors for :class:`SentenceVectors`, and their width (None: the
    encoder cannot say; ``sentence_vector_id`` and ``sentence_vector_width``)."""
    name = getattr(embeddings, "sentence_vector_id", None)
    width = getattr(embeddings, "sentence_vector_width", None)
    if isinstance(name, str) and name and isinstance(width, int) and width > 0:
        return name, width
    return None


class CachedEncoder:
    """Memoises sentence vectors: the extractive generator and the check embed the same sentences.

    Bounded LRU; thread-safe (Slack handlers may answer concurrently). ``store_folder``: vectors
    are also kept on disk (:class:`SentenceVectors`) when the encoder names its vectors
    (``sentence_vector_id``).
    """

    def __init__(
        self, embeddings: Encoder, max_items: int = 50_000, store_folder: Path | None = None
    ) -> None:
        self._embeddings = embeddings
        self._max = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.store_folder = store_folder
        self._disk: SentenceVectors | None = None
        self._disk_opened = False

    def disk(self) -> SentenceVectors | None:
        """The vectors on disk (None without a ``store_folder`` or an encoder id), opened once."""
        with self._lock:
            if not self._disk_opened:
                self._disk_opened = True
                named = encoder_id(self._embeddings) if self.store_folder is not None else None
                if self.store_folder is not None and named is not None:
                    self._disk = SentenceVectors(self.store_folder, *named)
            return self._disk

    def _compute(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts`` (in order): from disk when there, the rest encoded (and kept)."""
        disk = self.disk()
        if disk is None:
            return np.asarray(self._embeddings.encode(texts))
        stored = disk.get_many(texts)
        todo = [t for t in texts if t not in stored]
        if todo:
            made = self._encode32(todo)
            disk.put_many(todo, made)
            stored.update(zip(todo, made, strict=True))
        # A damaged row of another width is embedded again, never stacked with the others.
        wrong = [t for t, v in stored.items() if v.shape[0] != disk.width]
        if wrong:
            stored.update(zip(wrong, self._encode32(wrong), strict=True))
        return np.vstack([stored[t] for t in texts])

    def _encode32(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._embeddings.encode(texts), dtype=np.float32)

    def cached(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors already known for ``texts`` (nothing is computed)."""
        with self._lock:
            return {t: self._cache[t] for t in texts if t in self._cache}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._compute(missing)
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
