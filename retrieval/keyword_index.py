"""BM25 keyword index (bm25s), persisted beside the vector store, rebuilt when ingest changes it.

``KeywordIndex`` is the index itself; ``PersistedKeywordIndex`` is its life cycle: loaded from its
folder on first use, rebuilt from the store whenever it does not describe the store's current set
of chunks (its ``version`` differs from the manifest's).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

from retrieval.chunking import embedding_text
from retrieval.stores import StoredChunk

_STEMMER_LANGUAGE = "english"

# bm25s sets its own logger to DEBUG on import, which floods any root handler with index chatter.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class KeywordIndex:
    """BM25 over chunk texts. ``ids`` maps bm25s document positions back to chunk ids.

    ``records`` (optional, aligned with ``ids``) carry each chunk's text and metadata, so that a
    chunk found only by keyword needs no round trip to the vector store (~8 ms a search).
    """

    def __init__(
        self,
        retriever: Any,
        ids: list[str],
        version: str,
        records: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        self._retriever = retriever
        self.ids = ids
        self.version = version
        self.records: dict[str, dict[str, Any]] = (
            dict(zip(ids, records, strict=True)) if records is not None else {}
        )
        self._stemmer = Stemmer.Stemmer(_STEMMER_LANGUAGE)

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        version: str,
        records: Sequence[dict[str, Any]] | None = None,
    ) -> KeywordIndex:
        stemmer = Stemmer.Stemmer(_STEMMER_LANGUAGE)
        retriever = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(
                list(texts), stopwords="en", stemmer=stemmer, show_progress=False
            )
            retriever.index(tokens, show_progress=False)
        return cls(retriever, list(ids), version, records)

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
        docs, scores = self._retriever.retrieve(known, k=k, show_progress=False, n_threads=1)
        results = []
        for doc, score in zip(np.asarray(docs)[0], np.asarray(scores)[0], strict=True):
            if score <= 0:
                break
            results.append((self.ids[int(doc)], float(score)))
        return results

    # --- persistence ------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        if self.ids:
            self._retriever.save(str(tmp))
        (tmp / "newsdesk_ids.json").write_text(
            json.dumps(
                {
                    "version": self.version,
                    "ids": self.ids,
                    "records": [self.records[i] for i in self.ids] if self.records else None,
                }
            ),
            encoding="utf-8",
        )
        # Swap in the new folder in one step so a crash never leaves a half-written index.
        old = folder.with_name(folder.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old.exists():
            shutil.rmtree(old)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        meta_path = folder / "newsdesk_ids.json"
        if not meta_path.exists():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            ids = list(meta["ids"])
            retriever = bm25s.BM25.load(str(folder)) if ids else bm25s.BM25()
        except (OSError, ValueError, KeyError):
            return None
        return cls(retriever, ids, str(meta.get("version", "")), meta.get("records"))


class PersistedKeywordIndex:
    """The keyword index in ``folder``, kept in step with the chunks the manifest lists.

    ``version`` returns the identity of the current chunk set; ``chunks`` pages through the store
    when the index has to be rebuilt.
    """

    def __init__(
        self,
        folder: Path,
        version: Callable[[], str],
        chunks: Callable[[], Iterable[StoredChunk]],
    ) -> None:
        self.folder = folder
        self._version = version
        self._chunks = chunks
        self._index: KeywordIndex | None = None

    @property
    def loaded(self) -> KeywordIndex | None:
        """The index as persisted (possibly stale), or ``None`` if there is none."""
        if self._index is None:
            self._index = KeywordIndex.load(self.folder)
        return self._index

    def is_stale(self) -> bool:
        index = self.loaded
        return index is None or index.version != self._version()

    def current(self) -> KeywordIndex:
        """The index of the current chunk set, rebuilt first if the persisted one is stale."""
        if self.is_stale():
            self.rebuild()
        assert self._index is not None
        return self._index

    def rebuild(self) -> None:
        ids: list[str] = []
        texts: list[str] = []
        records: list[dict[str, Any]] = []
        for chunk in self._chunks():
            ids.append(chunk.id)
            texts.append(embedding_text(str(chunk.metadata.get("title", "")), chunk.text))
            records.append({"text": chunk.text, "metadata": chunk.metadata})
        index = KeywordIndex.build(ids, texts, self._version(), records)
        index.save(self.folder)
        self._index = index
