"""What every format loader shares: the file it is given, decoding, metadata and articles.

A loader never opens files itself: ``SourceFile.read_bytes`` does, after the walk has checked the
file's type and size, so that every format gets the same protection against FIFOs, devices and
huge files.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import html
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from retrieval.text import http_url
from retrieval.types import Article, LoadProblem

# Far above any news article (the longest body in the BBC evaluation corpus, 2,225 articles, is
# about 25 KB), so only things that are not one article reach it: dumps, books, image-heavy
# exports. Every byte of an article is chunked and embedded, so such a file would cost minutes of
# ingest for text nobody asks about.
DEFAULT_MAX_ARTICLE_BYTES = 5_000_000

# How a person raises the limit; named in the message that refuses a file.
LIMIT_HINT = "raise the limit with NEWSDESK_MAX_ARTICLE_MB"

# A file with thousands of bad JSONL lines is one mistake, not thousands: report the first few.
MAX_PROBLEMS_PER_FILE = 20


class BadFile(Exception):
    """The whole file is unusable; the message is the reason shown to the user."""


class BadRecord(Exception):
    """One record of a multi-article file is unusable; the rest of the file still loads."""


# --------------------------------------------------------------------------- safe strings

# Lone surrogates: what os.fsdecode makes of bytes that are not UTF-8 in a file name, and what a
# JSON "\ud83d" escape decodes to. Neither can be encoded as UTF-8, so they would crash whatever
# hashes, stores or prints the string later.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


# A complete HTML character reference: named, decimal or hexadecimal, with its semicolon.
_REFERENCE_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_references(text: str) -> str:
    """``text`` with its HTML character references decoded ("Jos&#233;" -> "José", "&amp;" ->
    "&"). Scraped and exported articles carry them in plain text (25 of the BBC corpus's
    bodies), where an answer quoting them would show noise. Only a complete reference is
    decoded: ``html.unescape`` alone would read "&notice" as "¬ice"; an unknown name stays."""
    if "&" not in text:
        return text
    return _REFERENCE_RE.sub(lambda m: html.unescape(m.group(0)), text)


# Control characters but tab and line ends, and the bidirectional embeddings, overrides and
# isolates: an article's text and metadata reach terminals and Slack, where an ESC sequence would
# act on the reader's terminal and a right-to-left override would disguise what is shown.
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """``text`` without terminal control characters or bidirectional overrides."""
    return _CONTROLS_RE.sub("", text)


def utf8_safe(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so that it encodes as UTF-8."""
    if text.isascii():
        return text
    return _SURROGATE_RE.sub("\ufffd", text)


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text a person can read and any UTF-8 output can print (bad bytes as U+FFFD)."""
    return utf8_safe(os.fspath(path))


def problem(path: str | os.PathLike[str], reason: str) -> LoadProblem:
    return LoadProblem(display_path(path), utf8_safe(reason))


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} KB"
    return f"{size} bytes"


def too_large(size: int, limit: int, what: str = "file") -> str:
    return (
        f"{what} too large: {human_size(size)} ({size} bytes), over the limit of "
        f"{human_size(limit)} for one article; {LIMIT_HINT}"
    )


# --------------------------------------------------------------------------- the file


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file handed to a loader.

    ``path`` is the real path (it may hold undecodable bytes as surrogates: it is only used to open
    the file); ``id_base`` is the id of a single-article file and the prefix of its records' ids.
    """

    path: Path
    id_base: str
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    # Set by single-article formats: the whole file is refused when it is over the limit.
    whole_file_limit: bool = True
    # Problems with single records, collected by ``report``.
    problems: list[LoadProblem] = field(default_factory=list, repr=False)

    @property
    def shown_path(self) -> str:
        return display_path(self.path)

    def report(self, reason: str) -> None:
        """A problem with part of the file (one record); the rest still loads."""
        self.problems.append(problem(self.path, reason))

    def read_bytes(self) -> bytes:
        """The file's bytes; ``BadFile`` if it is not a regular file or is over the size limit.

        Opened non-blocking, then checked with fstat: a file swapped for a FIFO after the walk
        looked at it can then neither hang the load nor be read. (On a regular file the
        non-blocking flag changes nothing.)
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as err:
            raise BadFile(f"cannot read file: {err.strerror or err}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise BadFile("not a regular file")
            if self.whole_file_limit and info.st_size > self.max_article_bytes:
                raise BadFile(too_large(info.st_size, self.max_article_bytes))
            with os.fdopen(fd, "rb", closefd=False) as fh:
                return fh.read()
        except OSError as err:
            raise BadFile(f"cannot read file: {err.strerror or err}") from None
        finally:
            os.close(fd)

    def open_binary(self) -> BinaryIO:
        """The file opened for reading in binary, after the same checks as ``read_bytes``
        (regular file; no size limit: for formats that stream records)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as err:
            raise BadFile(f"cannot read file: {err.strerror or err}") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise BadFile("not a regular file")
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def read_text(self, *, is_html: bool = False) -> str:
        return decode(self.read_bytes(), is_html=is_html)


class Loader(Protocol):
    """A format: the articles in one file, or ``BadFile`` when the whole file is unusable.

    Problems with single records go through ``source.report`` and do not stop the file. A
    loader may return a list or yield articles one by one (``.jsonl`` does, so that a file of
    any size streams through ingest).
    """

    def __call__(self, source: SourceFile, /) -> Iterable[Article]: ...


# --------------------------------------------------------------------------- decoding

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode(data: bytes, *, is_html: bool) -> str:
    """Bytes -> text with LF line ends, or ``BadFile`` saying why not."""
    if not data.strip():
        raise BadFile("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BadFile("UTF-16 text is not supported; save the file as UTF-8")
    if b"\x00" in data:
        raise BadFile("binary file (contains NUL bytes), not text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        reason = (
            f"not valid UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "save the file as UTF-8"
        )
        # Saved web pages often declare another charset; that declaration is authoritative, so
        # honour it instead of guessing. Plain text carries no such declaration: report it.
        declared = _CHARSET_RE.search(data[:4096]) if is_html else None
        if declared is None:
            raise BadFile(reason) from None
        charset = declared.group(1).decode("ascii")
        try:
            text = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise BadFile(f"{reason}; declared charset {charset!r} does not decode it") from None
    if not text.strip():
        raise BadFile("empty file")
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    # One line-end convention, so spans and hashes do not depend on the editor that saved the file.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- metadata helpers

# Field names accepted in JSON records and Markdown front matter, first match wins. The aliases
# cover the common exports (NewsAPI's publishedAt / description-less content, RSS-style link/date).
TITLE_KEYS = ("title", "headline")
BODY_KEYS = ("body", "text", "content")
META_KEYS: dict[str, tuple[str, ...]] = {
    "source": ("source", "publisher", "site_name"),
    "url": ("url", "link"),
    "published_at": ("published_at", "publishedAt", "published", "date"),
    "author": ("author", "authors", "byline"),
}
KNOWN_KEYS = frozenset(
    {"id", *TITLE_KEYS, *BODY_KEYS, *(k for keys in META_KEYS.values() for k in keys)}
)


def as_text(value: Any) -> str:
    """A metadata value as a plain string ("" when absent)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        # NewsAPI-style {"id": ..., "name": "BBC News"}.
        for key in ("name", "title", "id"):
            if value.get(key):
                return as_text(value[key])
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, list | tuple):
        return ", ".join(t for t in (as_text(v) for v in value) if t)
    return str(value)


def extra_value(value: Any) -> str | int | float | bool:
    """Extra metadata kept as scalars, so that every store (Chroma included) can hold it."""
    if isinstance(value, str):
        return utf8_safe(value)
    if isinstance(value, int | float | bool):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(v, str | int | float | bool | dt.date | dt.time) for v in value
    ):
        return utf8_safe(as_text(value))
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return utf8_safe(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def first(record: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None


def metadata(record: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    meta = {name: as_text(first(record, keys)) for name, keys in META_KEYS.items()}
    extra = {
        utf8_safe(str(k)): extra_value(v)
        for k, v in record.items()
        if k not in KNOWN_KEYS and v is not None
    }
    return meta, extra


def clean_title(title: str) -> str:
    # Titles are shown on one line in citations; the body is left exactly as it is.
    return " ".join(title.split())


def split_first_line(text: str) -> tuple[str, str]:
    """(first non-empty line stripped, everything after it stripped)."""
    stripped = text.lstrip()
    head, _, rest = stripped.partition("\n")
    return head.strip(), rest.strip()


def require_body(title: str, body: str) -> None:
    if not title:
        raise BadFile("article has no title")
    if not body:
        raise BadFile("article has no body text (only a title)")


def date_text(value: Any) -> str:
    """A document's date as ISO text (the day only: the time a file was saved is not news)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return as_text(value)


# --------------------------------------------------------------------------- articles


def content_hash(
    title: str, body: str, source: str = "", url: str = "", published_at: str = "", author: str = ""
) -> str:
    """sha256 (hex) of a canonical JSON of the fields a chunk's embedding or citation shows."""
    canonical = json.dumps(
        {
            "title": title,
            "body": body,
            "source": source,
            "url": url,
            "published_at": published_at,
            "author": author,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def make_article(
    *,
    article_id: str,
    title: str,
    body: str,
    source: SourceFile,
    meta: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Article:
    """An article whose every string encodes as UTF-8 (see ``utf8_safe``) and holds no terminal
    control or bidirectional override (``strip_controls``)."""
    meta = meta or {}
    fields = {name: strip_controls(utf8_safe(meta.get(name, ""))) for name in META_KEYS}
    # Only a link a reader may follow is kept: javascript:, file: or a host hidden behind
    # credentials never reaches the store, so no front end can link it.
    fields["url"] = http_url(fields.get("url", ""))
    title, body = strip_controls(utf8_safe(title)), strip_controls(utf8_safe(body))
    return Article(
        id=utf8_safe(article_id),
        title=title,
        body=body,
        path=source.shown_path,
        content_hash=content_hash(title, body, **fields),
        extra=extra or {},
        **fields,
    )
