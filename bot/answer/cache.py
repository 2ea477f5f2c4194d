"""What the evidence stage computes per passage, kept between questions: bounded, keyed by content.

Retrieval returns the same chunks again and again (overlapping chunks, a story asked about twice,
a question's parts), and each time the evidence stage split them into sentences, dropped the
instructions and parsed every sentence with spaCy. :class:`PassageCache` keeps

* per chunk, its sentence spans and which of them read as instructions, keyed by the chunk id and
  a hash of its text: a chunk re-ingested with other words is split again, never served stale;
* per sentence, its spaCy ``Doc``, keyed by the sentence's text itself (the parse is a function of
  the text only); the sentences not yet known are parsed together in one ``nlp.pipe`` batch.

With a ``store_folder``, parses not in memory are looked for on disk
(:class:`bot.answer.parse_store.ParseStore`, shared by the processes of a machine and filled by
``newsdesk prepare``) before they are made, and what is made is written there.

Sentence vectors are cached by :class:`bot.encoder.CachedEncoder`, also keyed by text. Both
caches are least-recently-used and bounded by entry count; they are state of the object that
owns them (the core's ``Answerer``), never module-global. Thread-safe: Slack handlers answer
concurrently, and a ``Doc`` is only read once made.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.answer.sentences import sentence_spans
from bot.answer.untrusted import is_instruction

if TYPE_CHECKING:
    import numpy as np
    from spacy.language import Language
    from spacy.tokens import Doc

    from bot.answer.parse_store import ParseStore
    from bot.settings import Settings
    from retrieval.types import Hit

K = TypeVar("K")
V = TypeVar("V")

# A BBC answer reads about 40-90 sentences from 6-9 chunks; these keep a few hundred questions'
# passages. A parsed sentence holds its tokens and the tok2vec tensor: the largest cache stays
# in the tens of megabytes.
MAX_DOCS = 20_000
MAX_CHUNKS = 5_000

# (start, end, is_instruction) of each sentence of a chunk, offsets into the chunk's text.
ChunkSentences = tuple[tuple[int, int, bool], ...]


class LRU(Generic[K, V]):
    """A bounded least-recently-used map (thread-safe)."""

    def __init__(self, max_items: int) -> None:
        if max_items < 1:
            raise ValueError(f"max_items must be at least 1 (got {max_items})")
        self.max_items = max_items
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items


def parse_store_folder(settings: Settings) -> Path | None:
    """Where the parse store is (``NEWSDESK_PARSE_STORE``, else this machine's cache folder);
    None when ``NEWSDESK_PARSE_STORE_ENABLED`` is off."""
    if not settings.answer.parse_store_enabled:
        return None
    if settings.answer.parse_store is not None:
        return settings.answer.parse_store
    from retrieval.settings import default_model_cache

    return default_model_cache().parent / "parses"


def content_key(chunk_id: str, text: str) -> tuple[str, str]:
    """The cache key of a chunk: its id and a digest of its exact text."""
    return chunk_id, hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def split_chunk(text: str) -> ChunkSentences:
    """The chunk's sentences (:func:`bot.answer.sentences.sentence_spans`), each flagged when it
    instructs an assistant (:func:`bot.answer.untrusted.is_instruction`)."""
    return tuple((s, e, is_instruction(text[s:e])) for s, e in sentence_spans(text))


class PassageCache:
    """Sentence splits per chunk and spaCy parses per sentence (see the module docstring)."""

    def __init__(
        self,
        max_docs: int = MAX_DOCS,
        max_chunks: int = MAX_CHUNKS,
        store_folder: Path | None = None,
    ) -> None:
        self.chunks: LRU[tuple[str, str], ChunkSentences] = LRU(max_chunks)
        self.docs: LRU[str, Doc] = LRU(max_docs)
        self.store_folder = store_folder
        self._store: ParseStore | None = None
        self._store_lock = threading.Lock()

    def store(self, nlp: Language) -> ParseStore | None:
        """The on-disk parses for ``nlp`` (None without a ``store_folder``), opened once."""
        if self.store_folder is None:
            return None
        with self._store_lock:
            if self._store is None or self._store.nlp is not nlp:
                from bot.answer.parse_store import ParseStore

                self._store = ParseStore(self.store_folder, nlp)
            return self._store

    def sentences(self, hit: Hit) -> ChunkSentences:
        """:func:`split_chunk` of the hit's text, computed once per (chunk id, content)."""
        key = content_key(hit.chunk_id, hit.text)
        found = self.chunks.get(key)
        if found is None:
            found = split_chunk(hit.text)
            self.chunks.put(key, found)
        return found

    def parse(self, texts: Sequence[str], nlp: Language, batch_size: int = 64) -> list[Doc]:
        """A Doc for each of ``texts`` (in order): the cached ones, and the others parsed in one
        ``nlp.pipe`` batch and cached."""
        docs: dict[str, Doc] = {}
        missing: list[str] = []
        for text in dict.fromkeys(texts):
            doc = self.docs.get(text)
            if doc is None:
                missing.append(text)
            else:
                docs[text] = doc
        store = self.store(nlp) if missing else None
        if store is not None:
            for text, doc in store.get_many(missing).items():
                self.docs.put(text, doc)
                docs[text] = doc
            missing = [text for text in missing if text not in docs]
        if missing:
            parsed = list(nlp.pipe(missing, batch_size=batch_size))
            for text, doc in zip(missing, parsed, strict=True):
                self.docs.put(text, doc)
                docs[text] = doc
            if store is not None:
                store.put_many(parsed)
        return [docs[text] for text in texts]

    def parse_and_encode(
        self,
        texts: Sequence[str],
        nlp: Language,
        encode: Callable[[Sequence[str]], np.ndarray],
        batch_size: int = 64,
    ) -> tuple[list[Doc], np.ndarray]:
        """:meth:`parse` of ``texts`` and ``encode(texts)``, made at the same time.

        ``encode`` runs on a thread of its own while this one parses: ONNX Runtime and torch
        release the GIL while a batch runs, so the parse need not wait for the embedding.
        Both are pure functions of the texts, so the results are those made one after the
        other (tests/integration/test_evidence_concurrency.py checks it, and that the two
        overlap, on the real pipeline and encoder)."""
        with ThreadPoolExecutor(1, thread_name_prefix="evidence-encode") as pool:
            vectors = pool.submit(encode, texts)
            docs = self.parse(texts, nlp, batch_size)
            return docs, vectors.result()
