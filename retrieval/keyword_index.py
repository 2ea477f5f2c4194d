"""BM25 keyword index (bm25s): a per-host cache derived from the store, refreshed when it moves.

``KeywordIndex`` is the index itself; ``PersistedKeywordIndex`` is its life cycle. The index is
built from the store's chunks and tagged with the store's identity (the collection's id) and
version (bumped by every ingest). It is saved under ``<store_path>/state/<collection>/keyword`` and
loaded memory-mapped, holding no chunk texts: a keyword hit's text comes from the store by id, in
the one fetch a search makes. Deleting the folder loses nothing; the next search rebuilds it.

A long-running process asks the store for its version at most once every ``store_check_seconds``
(one small call), and rebuilds when it moved: a new article is searchable by keyword at the first
question asked that long after its ingest ended, with no restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

from retrieval.catalog import store_version
from retrieval.chunking import embedding_text
from retrieval.memory import release_free_memory
from retrieval.stores import VectorStore

_STEMMER_LANGUAGE = "english"
log = logging.getLogger(__name__)

# bm25s sets its own logger to DEBUG on import, which floods any root handler with index chatter.
logging.getLogger("bm25s").setLevel(logging.WARNING)

_META = "newsdesk_ids.json"


class KeywordIndex:
    """BM25 over chunk texts. ``ids`` maps bm25s document positions back to chunk ids.

    ``stamp`` is the store identity and version it was built from; ``roots`` the folders the store
    held then (so that a lost store can be named with what to ingest again).
    """

    def __init__(
        self,
        retriever: Any,
        ids: list[str],
        stamp: str,
        roots: Sequence[str] = (),
    ) -> None:
        self._retriever = retriever
        self.ids = ids
        self.stamp = stamp
        self.roots = list(roots)
        self._stemmer = Stemmer.Stemmer(_STEMMER_LANGUAGE)

    @property
    def version(self) -> str:
        return self.stamp

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        stamp: str,
        roots: Sequence[str] = (),
    ) -> KeywordIndex:
        return cls.build_streamed(zip(ids, texts, strict=True), stamp, roots)

    @classmethod
    def build_streamed(
        cls,
        documents: Iterable[tuple[str, str]],
        stamp: str,
        roots: Sequence[str] = (),
    ) -> KeywordIndex:
        """The index of ``documents`` (chunk id, text), read one at a time.

        Each text is tokenised as it arrives and let go: what is held until the end is the
        token ids, not the texts (a store read in pages never has all its texts in memory).
        The tokens are those of ``bm25s.tokenize``, which ``search`` uses on queries: the same
        pattern, lower case, stop words and stemmer, and an empty text gives no tokens
        (``allow_empty=False`` keeps bm25s's tokenizer from giving it a token of its own).
        """
        tokenizer = bm25s.tokenization.Tokenizer(
            stopwords="en", stemmer=Stemmer.Stemmer(_STEMMER_LANGUAGE)
        )
        ids: list[str] = []

        def texts() -> Iterator[str]:
            for chunk_id, text in documents:
                ids.append(chunk_id)
                yield text

        token_ids = list(tokenizer.streaming_tokenize(texts(), allow_empty=False))
        retriever = bm25s.BM25()
        if ids:
            retriever.index(tokenizer.to_tokenized_tuple(token_ids), show_progress=False)
        return cls(retriever, ids, stamp, roots)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        tokens = bm25s.tokenize(
            [query],
            stopwords="en",
            stemmer=self._stemmer,
            show_progress=False,
            return_ids=False,
        )
        # Words the corpus never saw carry no evidence; bm25s wants in-vocabulary tokens only.
        vocab = self._retriever.vocab_dict
        known = [[t for t in tokens[0] if t in vocab]]
        if not known[0]:
            return []
        k = min(k, len(self.ids))
        # n_threads=0: bm25s scores the one query on this thread (with 1 it starts and stops a
        # thread pool for every call).
        docs, scores = self._retriever.retrieve(known, k=k, show_progress=False, n_threads=0)
        results = []
        for doc, score in zip(np.asarray(docs)[0], np.asarray(scores)[0], strict=True):
            if score <= 0:
                break
            results.append((self.ids[int(doc)], float(score)))
        return results

    # --- persistence ------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        # Unique names: two processes on one host may rebuild the same cache at once.
        tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp = folder.with_name(f"{folder.name}.tmp-{tag}")
        tmp.mkdir(parents=True)
        if self.ids:
            self._retriever.save(str(tmp))
        (tmp / _META).write_text(
            json.dumps({"stamp": self.stamp, "roots": self.roots, "ids": self.ids}),
            encoding="utf-8",
        )
        # Swap in the new folder by renames, so a crash never leaves a half-written index and a
        # process that has the old one memory-mapped keeps reading it.
        old = folder.with_name(f"{folder.name}.old-{tag}")
        with contextlib.suppress(FileNotFoundError):
            os.replace(folder, old)
        try:
            os.replace(tmp, folder)
        except OSError:  # another process installed its copy first: the same index
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        """The saved index, or ``None`` if there is none; ``ValueError`` if it is unreadable."""
        meta_path = folder / _META
        if not meta_path.exists():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or not isinstance(meta.get("ids"), list):
                raise ValueError("not a keyword index record")
            ids = [str(i) for i in meta["ids"]]
            retriever = bm25s.BM25.load(str(folder), mmap=True) if ids else bm25s.BM25()
            roots = [str(r) for r in meta.get("roots") or []]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{type(exc).__name__}: {exc}") from exc
        return cls(retriever, ids, str(meta.get("stamp", "")), roots)


class PersistedKeywordIndex:
    """The keyword index in ``folder``, kept in step with ``store``.

    ``check_seconds``: how long a checked index is trusted before the store's version is read
    again (0: every time).
    """

    def __init__(self, folder: Path, store: VectorStore, check_seconds: float = 0.0) -> None:
        self.folder = folder
        self.store = store
        self.check_seconds = check_seconds
        self._index: KeywordIndex | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        # What was wrong with the cache when it was last read (for messages and ``doctor``).
        self.problem = ""

    @property
    def loaded(self) -> KeywordIndex | None:
        """The index as persisted (possibly stale), or ``None`` if there is none."""
        if self._index is None:
            try:
                self._index = KeywordIndex.load(self.folder)
            except ValueError as exc:
                self.problem = f"the keyword index cache at {self.folder} is unreadable ({exc})"
                log.warning("%s; rebuilding it from the store", self.problem)
                self._index = None
        return self._index

    def stamp(self) -> str:
        """The store's identity and version, as an index built now would carry."""
        if not self.store.exists():
            return "empty:0"
        return f"{self.store.identity()}:{store_version(self.store.info())}"

    def is_stale(self) -> bool:
        index = self.loaded
        return index is None or index.stamp != self.stamp()

    def current(self) -> KeywordIndex:
        """The index of the store as it is now (checked at most every ``check_seconds``)."""
        self.refresh()
        assert self._index is not None
        return self._index

    def due(self) -> bool:
        """Whether the next ``current()`` will ask the store for its version."""
        return self._index is None or time.monotonic() - self._checked >= self.check_seconds

    def refresh(self, *, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if not force and self._index is not None and now - self._checked < self.check_seconds:
                return
            if self.is_stale():
                if self._index is not None:
                    self.store.reload()
                self.rebuild()
            self._checked = now

    def rebuild(self) -> None:
        stamp = self.stamp()
        roots: set[str] = set()

        def documents() -> Iterator[tuple[str, str]]:
            if not self.store.exists():
                return
            for chunk in self.store.iter_all():
                if chunk.metadata.get("root"):
                    roots.add(str(chunk.metadata["root"]))
                yield chunk.id, embedding_text(str(chunk.metadata.get("title", "")), chunk.text)

        index = KeywordIndex.build_streamed(documents(), stamp)
        index.roots = sorted(roots)
        index.save(self.folder)
        # Read back memory-mapped: the in-memory copy with its token matrices is let go, and
        # what building it freed goes back to the system (retrieval/memory.py).
        self._index = KeywordIndex.load(self.folder) or index
        del index
        release_free_memory()
        self.problem = ""


KeywordSource = Callable[[], KeywordIndex]
