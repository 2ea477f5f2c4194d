"""spaCy parses of passage sentences kept on disk, so that a sentence is parsed once per machine.

Parsing the retrieved sentences is most of an answer's time (the decide stage: tok2vec, tagger,
parser, lemmatizer and NER over 40-90 sentences; ``bench/answers.py``), and a parse is a
function of the sentence's text and the pipeline only. :class:`ParseStore` keeps each parse as
spaCy's own serialisation (a one-Doc ``DocBin``: tokens, tags, lemmas, dependencies, entities,
sentence starts; not the tok2vec tensor, which nothing reads) in a SQLite file:

* keyed by a digest of the sentence's text, in a file named after the pipeline (model name and
  version, spaCy's version): another pipeline never reads these parses;
* filled as questions are answered (the core writes what it parsed) and all at once by
  ``newsdesk prepare``, which parses every passage of a store ahead of the questions;
* safe for several processes on one machine (WAL mode, a busy timeout; an insert of a key
  already there is ignored, as the parse is the same whoever made it);
* never in the way: a damaged or unreadable file, or a row that does not deserialise, is logged
  once and the sentence is parsed as if the store were not there.

Reading a parse back costs about a tenth of making it (``python bench/parse_store.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger("newsdesk.parses")

# Rows read per SELECT (SQLite's default limit on host parameters is 32,766).
READ_BATCH = 500
BUSY_TIMEOUT_MS = 10_000


def pipeline_name(nlp: Language) -> str:
    """A file-name-safe name of the pipeline and the spaCy that runs it."""
    import spacy

    meta = nlp.meta
    raw = f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"
    raw += f"-spacy{spacy.__version__}"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in raw)


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class ParseStore:
    """Parses by sentence text in ``folder/<pipeline>.sqlite3`` (see the module docstring)."""

    def __init__(self, folder: Path, nlp: Language) -> None:
        self.nlp = nlp
        self.path = Path(folder) / f"{pipeline_name(nlp)}.sqlite3"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    # --- the file ---------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
                )
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS parses (key BLOB PRIMARY KEY, doc BLOB NOT NULL)"
                )
                conn.commit()
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
                return None
            self._conn = conn
        return self._conn

    def _give_up(self, exc: BaseException) -> None:
        """Parse without the store from now on (one warning, not one per sentence)."""
        if not self._broken:
            log.warning(
                "The parse store %s cannot be used (%s: %s): sentences are parsed afresh. "
                "Delete the file to start it again.",
                self.path,
                type(exc).__name__,
                exc,
            )
        self._broken = True
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # --- reading and writing -----------------------------------------------------------------

    def get_many(self, texts: Iterable[str]) -> dict[str, Doc]:
        """The stored parse of each of ``texts`` that has one."""
        wanted = {text_key(t): t for t in dict.fromkeys(texts)}
        if not wanted:
            return {}
        rows: list[tuple[bytes, bytes]] = []
        with self._lock:
            conn = self._connection()
            if conn is None:
                return {}
            keys = list(wanted)
            try:
                for i in range(0, len(keys), READ_BATCH):
                    batch = keys[i : i + READ_BATCH]
                    marks = ",".join("?" * len(batch))
                    rows += conn.execute(
                        f"SELECT key, doc FROM parses WHERE key IN ({marks})", batch
                    ).fetchall()
            except sqlite3.Error as exc:
                self._give_up(exc)
                return {}
        found: dict[str, Doc] = {}
        for key, blob in rows:
            text = wanted.get(bytes(key))
            doc = self._load(blob, text) if text is not None else None
            if doc is not None:
                found[text] = doc  # type: ignore[index]
        return found

    def _load(self, blob: bytes, text: str) -> Doc | None:
        from spacy.tokens import DocBin

        try:
            docs = list(DocBin().from_bytes(blob).get_docs(self.nlp.vocab))
        except Exception as exc:  # a damaged row: parsed afresh (and rewritten)
            log.warning("A stored parse could not be read (%s); parsing the sentence again", exc)
            return None
        # A digest collision or a row written for other text: never trust it.
        if len(docs) != 1 or docs[0].text != text:
            return None
        return docs[0]

    def put_many(self, docs: Sequence[Doc]) -> int:
        """Store these parses (a sentence already stored is left as it is); how many were new."""
        from spacy.tokens import DocBin

        rows = []
        for doc in docs:
            binned = DocBin(store_user_data=False)
            binned.add(doc)
            rows.append((text_key(doc.text), binned.to_bytes()))
        if not rows:
            return 0
        with self._lock:
            conn = self._connection()
            if conn is None:
                return 0
            try:
                before = conn.total_changes
                conn.executemany("INSERT OR IGNORE INTO parses (key, doc) VALUES (?, ?)", rows)
                conn.commit()
                return conn.total_changes - before
            except sqlite3.Error as exc:
                self._give_up(exc)
                return 0

    def known(self, texts: Iterable[str]) -> set[str]:
        """Which of ``texts`` have a stored parse (without reading the parses)."""
        wanted = {text_key(t): t for t in dict.fromkeys(texts)}
        found: set[str] = set()
        with self._lock:
            conn = self._connection()
            if conn is None:
                return found
            keys = list(wanted)
            try:
                for i in range(0, len(keys), READ_BATCH):
                    batch = keys[i : i + READ_BATCH]
                    marks = ",".join("?" * len(batch))
                    for (key,) in conn.execute(
                        f"SELECT key FROM parses WHERE key IN ({marks})", batch
                    ):
                        found.add(wanted[bytes(key)])
            except sqlite3.Error as exc:
                self._give_up(exc)
        return found

    def __len__(self) -> int:
        with self._lock:
            conn = self._connection()
            if conn is None:
                return 0
            try:
                return int(conn.execute("SELECT COUNT(*) FROM parses").fetchone()[0])
            except sqlite3.Error as exc:
                self._give_up(exc)
                return 0
