"""Load news articles from a folder (recursively) or from a single file.

Supported formats, chosen by file extension (case-insensitive):

* ``.txt``: the first non-empty line is the title, the rest is the body.
* ``.md`` / ``.markdown``: optional YAML front matter between ``---`` lines (title, source, url,
  published_at, author, anything else goes to ``Article.extra``); without a title there, the first
  ``# heading`` (or else the first line) is the title.
* ``.json``: one article object, a list of article objects, or ``{"articles": [...]}``.
* ``.jsonl``: one article object per line (``../shared/eval/bbc/corpus.jsonl`` loads as it is).
* ``.html`` / ``.htm``: title and main text extracted offline with trafilatura.

Any other file is skipped silently and counted. Hidden files and folders (``.git``, ``.DS_Store``)
are never visited.

Ids are stable across runs: a single-article file is known by its POSIX path relative to the root
(``politics/001.txt``); a JSON/JSONL record by its own ``id`` or else ``<relpath>#<n>``. The content
hash covers title, body and the citation metadata, so incremental ingest re-embeds exactly the
articles whose text or metadata changed.

Bad input never stops a load: a malformed, binary, undecodable or empty file (or JSONL line) becomes
a ``LoadProblem`` with the path and a reason a person can act on, and everything else still loads.
The body is kept exactly as in the file apart from CRLF -> LF and stripping surrounding whitespace,
because chunk spans index into it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import html
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from retrieval.types import Article, LoadProblem

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "LoadResult",
    "content_hash",
    "iter_article_files",
    "load_articles",
    "load_file",
]

_TEXT_EXTENSIONS = {".txt"}
_MARKDOWN_EXTENSIONS = {".md", ".markdown"}
_JSON_EXTENSIONS = {".json"}
_JSONL_EXTENSIONS = {".jsonl"}
_HTML_EXTENSIONS = {".html", ".htm"}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    _TEXT_EXTENSIONS
    | _MARKDOWN_EXTENSIONS
    | _JSON_EXTENSIONS
    | _JSONL_EXTENSIONS
    | _HTML_EXTENSIONS
)

# Field names accepted in JSON records and Markdown front matter, first match wins. The aliases
# cover the common exports (NewsAPI's publishedAt / description-less content, RSS-style link/date).
_TITLE_KEYS = ("title", "headline")
_BODY_KEYS = ("body", "text", "content")
_META_KEYS: dict[str, tuple[str, ...]] = {
    "source": ("source", "publisher", "site_name"),
    "url": ("url", "link"),
    "published_at": ("published_at", "publishedAt", "published", "date"),
    "author": ("author", "authors", "byline"),
}
_KNOWN_KEYS = frozenset(
    {"id", *_TITLE_KEYS, *_BODY_KEYS, *(k for keys in _META_KEYS.values() for k in keys)}
)

# A file with thousands of bad JSONL lines is one mistake, not thousands: report the first few.
_MAX_PROBLEMS_PER_FILE = 20


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Everything one load produced: the articles, and what could not be loaded and why."""

    articles: list[Article] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    # Supported files that were read (whether or not they yielded articles).
    files_read: int = 0
    # Files with an extension no loader handles; skipped without a problem report.
    skipped_other: int = 0


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


# --------------------------------------------------------------------------- walking


def _is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_EXTENSIONS


def _walk(root: Path, problems: list[LoadProblem]) -> list[tuple[Path, str]]:
    """All visible files under ``root`` as (path, POSIX relpath), sorted by relpath."""

    def on_error(err: OSError) -> None:
        problems.append(
            LoadProblem(str(err.filename or root), f"cannot read folder: {err.strerror}")
        )

    found: list[tuple[Path, str]] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        # Pruning in place stops os.walk from descending into .git, .venv and the like.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        base = Path(dirpath)
        for name in filenames:
            if name.startswith("."):
                continue
            path = base / name
            found.append((path, path.relative_to(root).as_posix()))
    found.sort(key=lambda item: item[1])
    return found


def iter_article_files(root: Path) -> Iterator[Path]:
    """The files ``load_articles(root)`` would read, in the order it reads them."""
    root = Path(root)
    if root.is_file():
        if _is_supported(root):
            yield root
        return
    for path, _ in _walk(root, []):
        if _is_supported(path):
            yield path


# --------------------------------------------------------------------------- decoding

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _BadFile(Exception):
    """The whole file is unusable; the message is the reason shown to the user."""


def _decode(data: bytes, *, is_html: bool) -> str:
    """Bytes -> text with LF line ends, or ``_BadFile`` saying why not."""
    if not data.strip():
        raise _BadFile("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _BadFile("UTF-16 text is not supported; save the file as UTF-8")
    if b"\x00" in data:
        raise _BadFile("binary file (contains NUL bytes), not text")
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
            raise _BadFile(reason) from None
        charset = declared.group(1).decode("ascii")
        try:
            text = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise _BadFile(f"{reason}; declared charset {charset!r} does not decode it") from None
    if not text.strip():
        raise _BadFile("empty file")
    # One line-end convention, so spans and hashes do not depend on the editor that saved the file.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- metadata helpers


def _as_text(value: Any) -> str:
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
                return _as_text(value[key])
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, list | tuple):
        return ", ".join(t for t in (_as_text(v) for v in value) if t)
    return str(value)


def _extra_value(value: Any) -> str | int | float | bool:
    """Extra metadata kept as scalars, so that every store (Chroma included) can hold it."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(v, str | int | float | bool | dt.date | dt.time) for v in value
    ):
        return _as_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _first(record: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None


def _metadata(record: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    meta = {name: _as_text(_first(record, keys)) for name, keys in _META_KEYS.items()}
    extra = {
        str(k): _extra_value(v) for k, v in record.items() if k not in _KNOWN_KEYS and v is not None
    }
    return meta, extra


def _clean_title(title: str) -> str:
    # Titles are shown on one line in citations; the body is left exactly as it is.
    return " ".join(title.split())


def _make_article(
    *,
    article_id: str,
    title: str,
    body: str,
    path: Path,
    meta: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Article:
    meta = meta or {}
    fields = {name: meta.get(name, "") for name in _META_KEYS}
    return Article(
        id=article_id,
        title=title,
        body=body,
        path=str(path),
        content_hash=content_hash(title, body, **fields),
        extra=extra or {},
        **fields,
    )


def _split_first_line(text: str) -> tuple[str, str]:
    """(first non-empty line stripped, everything after it stripped)."""
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    return first.strip(), rest.strip()


def _require_body(title: str, body: str) -> None:
    if not title:
        raise _BadFile("article has no title")
    if not body:
        raise _BadFile("article has no body text (only a title)")


# --------------------------------------------------------------------------- per-format parsers


def _parse_txt(text: str, path: Path, relpath: str) -> Article:
    title, body = _split_first_line(text)
    title = _clean_title(title)
    _require_body(title, body)
    return _make_article(article_id=relpath, title=title, body=body, path=path)


_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_H1_RE = re.compile(r"^\s{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1_RE = re.compile(r"^\s{0,3}=+\s*$")


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            break
    else:
        raise _BadFile("front matter opens with '---' but has no closing '---' line")
    try:
        data = yaml.safe_load("\n".join(lines[1:i]))
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        at = f" at line {where.line + 2}" if where is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise _BadFile(f"invalid YAML front matter{at}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _BadFile(f"front matter is a YAML {type(data).__name__}, expected key: value pairs")
    return data, "\n".join(lines[i + 1 :])


def _markdown_title(body: str) -> tuple[str, str]:
    """(title, body) from the first ``# heading``, or else the first line.

    The heading is removed from the body only when it opens the document, so that the body stays
    one contiguous piece of the file.
    """
    lines = body.strip().split("\n")
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _H1_RE.match(line)
        if match:
            if i == 0:
                return match.group(1).strip(), "\n".join(lines[1:]).strip()
            return match.group(1).strip(), body.strip()
    first = lines[0]
    if len(lines) > 1 and _SETEXT_H1_RE.match(lines[1]):
        return first.strip(), "\n".join(lines[2:]).strip()
    # Any heading marks on the first line (## Subtitle) are not part of the title.
    return first.lstrip("#").strip(), "\n".join(lines[1:]).strip()


def _parse_markdown(text: str, path: Path, relpath: str) -> Article:
    front, rest = _split_front_matter(text)
    meta, extra = _metadata(front)
    fm_title = _clean_title(_as_text(_first(front, _TITLE_KEYS)))
    if fm_title:
        title, body = fm_title, rest.strip()
        # A document that repeats its front-matter title as a heading: drop the duplicate so the
        # title is not embedded twice.
        head, _, tail = body.partition("\n")
        match = _H1_RE.match(head)
        if match and _clean_title(match.group(1)) == title:
            body = tail.strip()
    else:
        if not rest.strip():
            raise _BadFile("Markdown file has front matter but no text")
        title, body = _markdown_title(rest)
        title = _clean_title(title)
    _require_body(title, body)
    return _make_article(
        article_id=relpath, title=title, body=body, path=path, meta=meta, extra=extra
    )


class _BadRecord(Exception):
    """One JSON record is unusable; the rest of the file still loads."""


def _record_article(record: Any, *, default_id: str, path: Path) -> Article:
    if not isinstance(record, dict):
        raise _BadRecord(f"expected a JSON object, found {_json_type(record)}")
    raw_title = _first(record, _TITLE_KEYS)
    if raw_title is None:
        raise _BadRecord("record has no 'title'")
    if not isinstance(raw_title, str | int | float) or isinstance(raw_title, bool):
        raise _BadRecord(f"'title' is {_json_type(raw_title)}, expected a string")
    title = _clean_title(str(raw_title))
    raw_body = _first(record, _BODY_KEYS)
    if raw_body is None:
        raise _BadRecord("record has no 'body', 'text' or 'content'")
    if not isinstance(raw_body, str):
        raise _BadRecord(f"the body is {_json_type(raw_body)}, expected a string")
    body = raw_body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not title:
        raise _BadRecord("record has an empty title")
    if not body:
        raise _BadRecord("record has an empty body")
    raw_id = record.get("id")
    if isinstance(raw_id, str) and raw_id.strip():
        article_id = raw_id.strip()
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        article_id = str(raw_id)
    else:
        article_id = default_id
    meta, extra = _metadata(record)
    return _make_article(
        article_id=article_id, title=title, body=body, path=path, meta=meta, extra=extra
    )


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _parse_json(text: str, path: Path, relpath: str, problems: list[LoadProblem]) -> list[Article]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _BadFile(
            f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    if (
        isinstance(data, dict)
        and isinstance(data.get("articles"), list)
        and not _first(data, _BODY_KEYS)
    ):
        data = data["articles"]  # a wrapper such as NewsAPI's {"status": ..., "articles": [...]}
    if isinstance(data, dict):
        try:
            return [_record_article(data, default_id=relpath, path=path)]
        except _BadRecord as err:
            raise _BadFile(str(err)) from None
    if not isinstance(data, list):
        raise _BadFile(
            f"JSON holds {_json_type(data)}; expected an article object or a list of them"
        )
    if not data:
        raise _BadFile("JSON list holds no articles")
    articles: list[Article] = []
    bad = 0
    for n, record in enumerate(data, start=1):
        try:
            articles.append(_record_article(record, default_id=f"{relpath}#{n}", path=path))
        except _BadRecord as err:
            bad += 1
            if bad <= _MAX_PROBLEMS_PER_FILE:
                problems.append(LoadProblem(str(path), f"record {n}: {err}; skipped"))
    _report_more(bad, "records", path, problems)
    return articles


def _parse_jsonl(text: str, path: Path, relpath: str, problems: list[LoadProblem]) -> list[Article]:
    articles: list[Article] = []
    bad = 0
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise _BadRecord(f"not valid JSON: {err.msg} at column {err.colno}") from None
            articles.append(_record_article(record, default_id=f"{relpath}#{n}", path=path))
        except _BadRecord as err:
            bad += 1
            if bad <= _MAX_PROBLEMS_PER_FILE:
                problems.append(LoadProblem(str(path), f"line {n}: {err}; skipped"))
    _report_more(bad, "lines", path, problems)
    return articles


def _report_more(bad: int, what: str, path: Path, problems: list[LoadProblem]) -> None:
    if bad > _MAX_PROBLEMS_PER_FILE:
        more = bad - _MAX_PROBLEMS_PER_FILE
        problems.append(LoadProblem(str(path), f"... and {more} more bad {what}; skipped"))


_TITLE_TAG_RE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def _parse_html(text: str, path: Path, relpath: str) -> Article:
    # trafilatura pulls in lxml, htmldate and justext (~0.2 s): import it only when a page is read.
    import trafilatura

    doc = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Dates only from the page's metadata and markup, never guessed from arbitrary text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    extracted = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not extracted:
        raise _BadFile("no article text found in the HTML page")
    title = _clean_title(getattr(doc, "title", None) or "")
    if not title:
        match = _TITLE_TAG_RE.search(text)
        title = _clean_title(html.unescape(match.group(1))) if match else ""
    head, _, tail = extracted.partition("\n")
    if not title:
        title, body = _clean_title(head), tail.strip()
    elif _clean_title(head) == title:
        # trafilatura keeps the page's <h1> as the first line; it is the title, not body text.
        body = tail.strip()
    else:
        body = extracted
    _require_body(title, body)
    meta = {
        "source": _as_text(getattr(doc, "sitename", None)),
        "url": _as_text(getattr(doc, "url", None)),
        "published_at": _as_text(getattr(doc, "date", None)),
        "author": _as_text(getattr(doc, "author", None)),
    }
    return _make_article(article_id=relpath, title=title, body=body, path=path, meta=meta)


# --------------------------------------------------------------------------- entry points


def load_file(path: Path, relpath: str | None = None) -> LoadResult:
    """Load the articles of one supported file; ``relpath`` (default: its name) makes the ids."""
    path = Path(path)
    relpath = relpath if relpath is not None else path.name
    problems: list[LoadProblem] = []
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        problem = LoadProblem(
            str(path), f"unsupported file type {suffix!r} (supported: {supported})"
        )
        return LoadResult(problems=[problem])
    try:
        data = path.read_bytes()
    except OSError as err:
        reason = f"cannot read file: {err.strerror or err}"
        return LoadResult(problems=[LoadProblem(str(path), reason)], files_read=1)
    articles: list[Article] = []
    try:
        text = _decode(data, is_html=suffix in _HTML_EXTENSIONS)
        if suffix in _TEXT_EXTENSIONS:
            articles.append(_parse_txt(text, path, relpath))
        elif suffix in _MARKDOWN_EXTENSIONS:
            articles.append(_parse_markdown(text, path, relpath))
        elif suffix in _HTML_EXTENSIONS:
            articles.append(_parse_html(text, path, relpath))
        elif suffix in _JSON_EXTENSIONS:
            articles.extend(_parse_json(text, path, relpath, problems))
        else:
            articles.extend(_parse_jsonl(text, path, relpath, problems))
            if not articles and not problems:
                raise _BadFile("no articles in the file")
    except _BadFile as err:
        problems.append(LoadProblem(str(path), f"{err}; skipped"))
    return LoadResult(articles=articles, problems=problems, files_read=1)


def load_articles(root: Path) -> LoadResult:
    """Load every article under ``root`` (a folder, searched recursively, or a single file).

    Files are read in sorted order of their relative path, so ids, order and hashes are the same on
    every run. Raises ``FileNotFoundError`` only when ``root`` itself does not exist; every problem
    with the content is reported in ``LoadResult.problems`` instead.
    """
    root = Path(root)
    problems: list[LoadProblem] = []
    is_dir = root.is_dir()
    if root.is_file():
        files = [(root, root.name)]
    elif is_dir:
        files = _walk(root, problems)
    else:
        raise FileNotFoundError(f"no such file or folder: {root}")

    articles: list[Article] = []
    first_seen: dict[str, str] = {}
    files_read = skipped_other = 0
    for path, relpath in files:
        # A file named explicitly is always tried, so an unsupported type gets reported.
        if is_dir and not _is_supported(path):
            skipped_other += 1
            continue
        result = load_file(path, relpath)
        files_read += result.files_read
        problems.extend(result.problems)
        for article in result.articles:
            earlier = first_seen.get(article.id)
            if earlier is not None:
                problems.append(
                    LoadProblem(
                        article.path,
                        f"duplicate article id {article.id!r} (first loaded from {earlier}); "
                        "skipped",
                    )
                )
                continue
            first_seen[article.id] = article.path
            articles.append(article)
    return LoadResult(
        articles=articles, problems=problems, files_read=files_read, skipped_other=skipped_other
    )
