"""A SQLite file of values keyed by text, shared by the processes of one machine.

The parse store (:mod:`bot.answer.parse_store`) and the sentence vector store
(:class:`bot.encoder.SentenceVectors`) keep what is a pure function of a sentence's text (its
spaCy parse, its vector) so that it is computed once per machine:

* keyed by a digest of the text (BLAKE2b, 16 bytes), one file per producer (pipeline or encoder
  named in the file name): another producer never reads these values;
* safe for several processes (WAL mode, a busy timeout; an insert of a key already there is
  ignored, as the value is the same whoever computed it);
* never in the way: a file that cannot be opened or read (damaged, a folder not writable, a
  disk full) is logged once, and from then on this process computes everything as if there were
  no file.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger("newsdesk.parses")

# Rows read per SELECT (SQLite's default limit on host parameters is 32,766).
READ_BATCH = 500
BUSY_TIMEOUT_MS = 10_000


# Opening the file and writing to it are tried this many times when another process holds it
# ("database is locked"): the busy timeout does not cover every lock (switching a new file to
# WAL, upgrading a read to a write after another process wrote), and three processes filling
# one new store at once gave up on it once in CI (test_several_processes_write_one_store).
ATTEMPTS = 5


def _contended(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


_retry_contended = retry(
    retry=retry_if_exception(_contended),
    stop=stop_after_attempt(ATTEMPTS),
    wait=wait_exponential(multiplier=0.05, max=1.0),
    reraise=True,
)


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def safe_name(raw: str) -> str:
    """``raw`` with every character a file name may not hold replaced by ``_``."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in raw)


class TextBlobs:
    """``path``: a SQLite file of bytes by text; ``what`` names its values in messages."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = Path(path)
        self.what = what
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def _connection(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = _open(self.path)
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
                return None
            self._conn = conn
        return self._conn

    def _give_up(self, exc: BaseException) -> None:
        """Compute without the file from now on (one warning, not one per sentence)."""
        if not self._broken:
            log.warning(
                "The %s file %s cannot be used (%s: %s): they are computed afresh. "
                "Delete the file to start it again.",
                self.what,
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

    def _select(self, texts: Iterable[str], columns: str) -> list[tuple[str, bytes | None]]:
        wanted = {text_key(t): t for t in dict.fromkeys(texts)}
        found: list[tuple[str, bytes | None]] = []
        if not wanted:
            return found
        with self._lock:
            conn = self._connection()
            if conn is None:
                return found
            keys = list(wanted)
            try:
                for i in range(0, len(keys), READ_BATCH):
                    batch = keys[i : i + READ_BATCH]
                    marks = ",".join("?" * len(batch))
                    for row in conn.execute(
                        f"SELECT {columns} FROM blobs WHERE key IN ({marks})", batch
                    ):
                        found.append((wanted[bytes(row[0])], row[1] if len(row) > 1 else None))
            except sqlite3.Error as exc:
                self._give_up(exc)
                return []
        return found

    def get_many(self, texts: Iterable[str]) -> dict[str, bytes]:
        """The stored value of each of ``texts`` that has one."""
        return {text: bytes(value) for text, value in self._select(texts, "key, value") if value}

    def known(self, texts: Iterable[str]) -> set[str]:
        """Which of ``texts`` have a stored value (without reading the values)."""
        return {text for text, _ in self._select(texts, "key")}

    def put_many(self, items: Sequence[tuple[str, bytes]]) -> int:
        """Store these values (a text already stored is left as it is); how many were new."""
        rows = [(text_key(text), value) for text, value in items]
        if not rows:
            return 0
        with self._lock:
            conn = self._connection()
            if conn is None:
                return 0
            try:
                return _insert(conn, rows)
            except sqlite3.Error as exc:
                self._give_up(exc)
                return 0

    def __len__(self) -> int:
        with self._lock:
            conn = self._connection()
            if conn is None:
                return 0
            try:
                return int(conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0])
            except sqlite3.Error as exc:
                self._give_up(exc)
                return 0


@_retry_contended
def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS blobs (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
        conn.commit()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


@_retry_contended
def _insert(conn: sqlite3.Connection, rows: list[tuple[bytes, bytes]]) -> int:
    """Insert ``rows`` (a key already there keeps its value); how many were new. A write that
    found the file locked is rolled back before it is tried again."""
    before = conn.total_changes
    try:
        conn.executemany("INSERT OR IGNORE INTO blobs (key, value) VALUES (?, ?)", rows)
        conn.commit()
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            conn.rollback()
        raise
    return conn.total_changes - before
