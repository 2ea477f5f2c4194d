"""``.json`` and ``.jsonl``: article records.

``.json`` holds one article object, a list of them, or ``{"articles": [...]}``; ``.jsonl`` one
object per line (``../shared/eval/bbc/corpus.jsonl`` loads as it is). A record keeps its own
``id`` as it is (publisher ids are global); a record without one is ``<id base>#<n>``. A bad
record is reported and the rest of the file still loads.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import Any

from retrieval.loaders.base import (
    BODY_KEYS,
    LIMIT_HINT,
    MAX_PROBLEMS_PER_FILE,
    TITLE_KEYS,
    BadFile,
    BadRecord,
    SourceFile,
    clean_title,
    decode_references,
    first,
    make_article,
    metadata,
    normalise_newlines,
    too_large,
)
from retrieval.types import Article


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _body_size(body: str) -> int:
    # UTF-8 takes at most 4 bytes a character: most bodies are settled without encoding them.
    return len(body) if body.isascii() else len(body.encode("utf-8", "surrogatepass"))


def _record_article(record: Any, *, default_id: str, source: SourceFile) -> Article:
    if not isinstance(record, dict):
        raise BadRecord(f"expected a JSON object, found {_json_type(record)}")
    raw_title = first(record, TITLE_KEYS)
    if raw_title is None:
        raise BadRecord("record has no 'title'")
    if not isinstance(raw_title, str | int | float) or isinstance(raw_title, bool):
        raise BadRecord(f"'title' is {_json_type(raw_title)}, expected a string")
    title = clean_title(decode_references(str(raw_title)))
    raw_body = first(record, BODY_KEYS)
    if raw_body is None:
        raise BadRecord("record has no 'body', 'text' or 'content'")
    if not isinstance(raw_body, str):
        raise BadRecord(f"the body is {_json_type(raw_body)}, expected a string")
    limit = source.max_article_bytes
    if len(raw_body) > limit // 4 and (size := _body_size(raw_body)) > limit:
        raise BadRecord(too_large(size, limit, what="body"))
    body = decode_references(normalise_newlines(raw_body)).strip()
    if not title:
        raise BadRecord("record has an empty title")
    if not body:
        raise BadRecord("record has an empty body")
    raw_id = record.get("id")
    if isinstance(raw_id, str) and raw_id.strip():
        article_id = raw_id.strip()
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        article_id = str(raw_id)
    else:
        article_id = default_id
    meta, extra = metadata(record)
    return make_article(
        article_id=article_id, title=title, body=body, source=source, meta=meta, extra=extra
    )


class _Reporter:
    """Reports the first few bad records of a file, then how many more there were."""

    def __init__(self, source: SourceFile, what: str) -> None:
        self.source, self.what, self.bad = source, what, 0

    def __call__(self, where: str, err: BadRecord) -> None:
        self.bad += 1
        if self.bad <= MAX_PROBLEMS_PER_FILE:
            self.source.report(f"{where}: {err}; skipped")

    def finish(self) -> None:
        if self.bad > MAX_PROBLEMS_PER_FILE:
            more = self.bad - MAX_PROBLEMS_PER_FILE
            self.source.report(f"... and {more} more bad {self.what}; skipped")


def load_json(source: SourceFile) -> list[Article]:
    text = source.read_text()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadFile(
            f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    if (
        isinstance(data, dict)
        and isinstance(data.get("articles"), list)
        and not first(data, BODY_KEYS)
    ):
        data = data["articles"]  # a wrapper such as NewsAPI's {"status": ..., "articles": [...]}
    if isinstance(data, dict):
        try:
            return [_record_article(data, default_id=source.id_base, source=source)]
        except BadRecord as err:
            raise BadFile(str(err)) from None
    if not isinstance(data, list):
        raise BadFile(
            f"JSON holds {_json_type(data)}; expected an article object or a list of them"
        )
    if not data:
        raise BadFile("JSON list holds no articles")
    articles: list[Article] = []
    report = _Reporter(source, "records")
    for n, record in enumerate(data, start=1):
        try:
            articles.append(
                _record_article(record, default_id=f"{source.id_base}#{n}", source=source)
            )
        except BadRecord as err:
            report(f"record {n}", err)
    report.finish()
    return articles


# A line longer than this cannot hold a record within the body limit (JSON escapes at most
# double a character's bytes... except \uXXXX, six for one: hence the factor) and is skipped
# unread, so that a file without line breaks cannot make the load hold gigabytes.
def _line_limit(source: SourceFile) -> int:
    return 6 * source.max_article_bytes + 65_536


def _lines(source: SourceFile) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; ``None`` for a line over the limit (not kept)."""
    limit = _line_limit(source)
    with source.open_binary() as fh:
        n = 0
        while True:
            line = fh.readline(limit)
            if not line:
                return
            too_long = len(line) >= limit and not line.endswith(b"\n")
            if too_long:
                while True:  # skip the rest of the line without keeping it
                    rest = fh.readline(limit)
                    if not rest or rest.endswith(b"\n"):
                        break
                n += 1
                yield n, None
                continue
            # Old Mac line ends (CR alone) separate lines too, as for every other format.
            for part in line.rstrip(b"\n").rstrip(b"\r").split(b"\r"):
                n += 1
                yield n, part


def _decode_line(line: bytes, n: int) -> str:
    if n == 1:
        if line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise BadFile("UTF-16 text is not supported; save the file as UTF-8")
        if line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
    if b"\x00" in line:
        raise BadRecord("binary data (contains NUL bytes), not text")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRecord(
            f"not valid UTF-8 text (byte 0x{line[err.start]:02x} at offset {err.start}); "
            "save the file as UTF-8"
        ) from None


def load_jsonl(source: SourceFile) -> Iterator[Article]:
    """The records of a JSONL file, one line at a time: the file is never held in memory."""
    report = _Reporter(source, "lines")
    found = blank = 0
    for n, raw in _lines(source):
        try:
            if raw is None:
                raise BadRecord(f"line too long (over {_line_limit(source):,} bytes); {LIMIT_HINT}")
            if not raw.strip():
                blank += 1
                continue
            line = _decode_line(raw, n)
            if not line.strip():
                blank += 1
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise BadRecord(f"not valid JSON: {err.msg} at column {err.colno}") from None
            article = _record_article(record, default_id=f"{source.id_base}#{n}", source=source)
        except BadRecord as err:
            report(f"line {n}", err)
            continue
        found += 1
        yield article
    report.finish()
    if not found and not report.bad:
        raise BadFile("empty file")
