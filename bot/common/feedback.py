"""Helpful / not-helpful clicks, kept in a database that the evaluation can read.

A SQLite file by default (``NEWSDESK_FEEDBACK_PATH``, ``data/feedback.db``), or any database
SQLAlchemy can reach (``NEWSDESK_DATABASE_URL``), so that several replicas on several hosts
record into one place. The schema is created when missing (``create_all``): one table,
``feedback``, one row a click, with the fields of :class:`FeedbackRecord`::

    {"time": "2025-01-01T12:00:00+00:00", "verdict": "helpful", "user": "U123",
     "question": "...", "answer": "...", "prompt_id": "3f2a...", "generator": "extractive",
     "status": "answered", "answer_id": "...", "channel": "C123", "message_ts": "..."}

Several writers at once lose nothing: each click is one short transaction; SQLite runs in WAL
mode with a busy timeout, so concurrent writers (threads or processes) wait their turn instead of
failing. ``newsdesk feedback export`` writes every row as JSON Lines or CSV.

Earlier versions appended JSON Lines to ``data/feedback.jsonl``: a ``.jsonl`` file beside the
database (the feedback path with the suffix ``.jsonl``, or the path itself when it still names a
``.jsonl`` file) is imported once, its path noted in the table ``feedback_imports`` so that no
replica imports it twice. The file is left where it is.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sqlalchemy import Engine, Table

    from bot.settings import Settings

log = logging.getLogger("newsdesk.feedback")

Verdict = Literal["helpful", "not_helpful"]
# Seconds a writer waits for another one's transaction before giving up (SQLite).
BUSY_TIMEOUT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    verdict: Verdict
    user: str
    question: str
    answer: str
    prompt_id: str = ""
    generator: str = ""
    status: str = ""
    answer_id: str = ""
    channel: str = ""
    message_ts: str = ""
    time: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["time"] = self.time or datetime.now(UTC).isoformat(timespec="seconds")
        return data


FIELDS = tuple(f.name for f in fields(FeedbackRecord))


class FeedbackError(OSError):
    """The feedback database cannot be opened or written (the message says which and why)."""


def database_url(settings: Settings) -> str:
    """``NEWSDESK_DATABASE_URL``, else the SQLite file at ``NEWSDESK_FEEDBACK_PATH``."""
    url = settings.slack.database_url
    if url is not None and url.get_secret_value().strip():
        return url.get_secret_value().strip()
    return str(settings.slack.feedback_path)


def open_feedback(settings: Settings) -> FeedbackStore:
    return FeedbackStore(database_url(settings), legacy=settings.slack.feedback_path)


def _sqlite_path(target: str | Path) -> Path | None:
    """The file of a plain path or a ``sqlite:///`` URL; None for another database."""
    text = str(target)
    if "://" not in text:
        return Path(text)
    if text.startswith("sqlite:///") and text != "sqlite:///:memory:":
        return Path(text.removeprefix("sqlite:///"))
    return None


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


class FeedbackStore:
    """Feedback rows in a database. ``target``: a file path (SQLite) or a SQLAlchemy URL.

    Nothing is opened until the first use; ``legacy`` is a feedback path of an earlier version,
    whose ``.jsonl`` file is imported once (see the module doc).
    """

    def __init__(self, target: str | Path, *, legacy: Path | None = None) -> None:
        path = _sqlite_path(target)
        if path is not None and path.suffix == ".jsonl":
            # The old setting's value: the JSONL file is imported into a database beside it.
            legacy = legacy or path
            path = path.with_suffix(".db")
        self.path: Path | None = path
        self.url = f"sqlite:///{path}" if path is not None else str(target)
        self.where = str(path) if path is not None else _redacted(self.url)
        self._legacy = legacy
        self._engine: Engine | None = None
        self._table: Table | None = None
        self._lock = threading.Lock()

    # --- opening ------------------------------------------------------------------------------

    def open(self) -> None:
        """Connect, create the table when missing and import a legacy file; raises
        :class:`FeedbackError` with the reason."""
        with self._lock:
            if self._engine is not None:
                return
            from sqlalchemy.exc import SQLAlchemyError

            try:
                engine, table = self._connect()
                self._import_legacy(engine, table)
            except SQLAlchemyError as exc:
                raise FeedbackError(
                    f"Cannot use the feedback database {self.where}: {exc.__class__.__name__}: "
                    f"{getattr(exc, 'orig', None) or exc}"
                ) from exc
            except ImportError as exc:
                raise FeedbackError(
                    f"Cannot use the feedback database {self.where}: its driver is not "
                    f"installed ({exc}); install it, or unset NEWSDESK_DATABASE_URL"
                ) from exc
            self._engine, self._table = engine, table

    def _connect(self) -> tuple[Engine, Table]:
        from sqlalchemy import (
            Column,
            Integer,
            MetaData,
            String,
            Table,
            Text,
            create_engine,
            event,
        )

        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FeedbackError(f"Cannot create the folder of {self.path}: {exc}") from exc
            engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(connection: Any, _record: Any) -> None:
                cursor = connection.cursor()
                # WAL: readers never block the writer; busy_timeout: writers wait their turn.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
                cursor.close()

        else:
            engine = create_engine(self.url, pool_pre_ping=True)
        metadata = MetaData()
        table = Table(
            "feedback",
            metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            *(
                Column(name, String(64) if name == "time" else Text, nullable=False)
                for name in FIELDS
            ),
        )
        Table(
            "feedback_imports",
            metadata,
            Column("source", String(512), primary_key=True),
            Column("rows", Integer, nullable=False),
            Column("time", String(64), nullable=False),
        )
        from sqlalchemy.exc import OperationalError, ProgrammingError

        # Another replica may create a table between create_all's check and its CREATE. Each
        # retry finds at least one more table made, so one attempt per table (and one more)
        # always ends; a second race on the second table failed test_feedback_db once.
        attempts = len(metadata.tables) + 1
        for attempt in range(attempts):
            try:
                metadata.create_all(engine)
                break
            except (OperationalError, ProgrammingError):
                if attempt == attempts - 1:
                    raise
        return engine, table

    def _import_legacy(self, engine: Engine, table: Table) -> None:
        legacy = self._legacy
        if legacy is None:
            return
        jsonl = legacy if legacy.suffix == ".jsonl" else legacy.with_suffix(".jsonl")
        if not jsonl.is_file():
            return
        from sqlalchemy import insert
        from sqlalchemy.exc import IntegrityError

        imports = table.metadata.tables["feedback_imports"]
        rows = [row for row in _read_jsonl(jsonl)]
        source = str(jsonl.resolve())
        try:
            with engine.begin() as connection:
                # The marker first: a second importer fails here and changes nothing.
                connection.execute(
                    insert(imports).values(source=source, rows=len(rows), time=_now())
                )
                if rows:
                    connection.execute(insert(table), rows)
        except IntegrityError:
            return
        log.warning("Imported %d feedback records from %s into %s", len(rows), jsonl, self.where)

    # --- use ----------------------------------------------------------------------------------

    def _ready(self) -> tuple[Engine, Table]:
        if self._engine is None:
            self.open()
        assert self._engine is not None and self._table is not None
        return self._engine, self._table

    def record(self, record: FeedbackRecord) -> dict[str, Any]:
        """Store one click (raises :class:`FeedbackError`); returns the row as stored."""
        from sqlalchemy import insert
        from sqlalchemy.exc import SQLAlchemyError

        data = record.to_json()
        engine, table = self._ready()
        try:
            with engine.begin() as connection:
                connection.execute(insert(table).values(**data))
        except SQLAlchemyError as exc:
            raise FeedbackError(
                f"Cannot write to the feedback database {self.where}: {exc}"
            ) from exc
        return data

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every record so far, oldest first (rows are read in pages: any size is fine)."""
        from sqlalchemy import select

        engine, table = self._ready()
        last = 0
        while True:
            with engine.connect() as connection:
                page = connection.execute(
                    select(table).where(table.c.id > last).order_by(table.c.id).limit(1000)
                ).all()
            if not page:
                return
            for row in page:
                yield {name: row._mapping[name] for name in FIELDS}
            last = page[-1]._mapping["id"]

    def count(self) -> int:
        from sqlalchemy import func, select

        engine, table = self._ready()
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._table = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of an old JSONL file; torn or foreign lines are skipped."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if not isinstance(data, dict) or data.get("verdict") not in ("helpful", "not_helpful"):
                continue
            yield {name: str(data.get(name) or "") for name in FIELDS}


ExportFormat = Literal["jsonl", "csv"]


def export(store: FeedbackStore, fmt: ExportFormat, out: IO[str]) -> int:
    """Every record of ``store`` to ``out``, oldest first, as JSON Lines or CSV (with a header
    row of the field names); returns how many were written."""
    count = 0
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(out, fieldnames=list(FIELDS), lineterminator="\n")
        writer.writeheader()
        for row in store:
            writer.writerow(row)
            count += 1
    else:
        for row in store:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
