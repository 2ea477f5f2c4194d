"""Helpers the loader tests share: writing files byte for byte, and reading a LoadResult."""

from __future__ import annotations

from pathlib import Path

from retrieval.loaders import LoadResult
from retrieval.types import Article

BODY = (
    "Ministers clashed on Tuesday over the budget.\n\n"
    "The opposition called the plans reckless and said they would hurt families."
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        # newline="" so that the test decides the line ends byte for byte.
        path.write_text(content, encoding="utf-8", newline="")
    return path


def by_id(result: LoadResult) -> dict[str, Article]:
    return {a.id: a for a in result.articles}


def reasons(result: LoadResult) -> dict[str, list[str]]:
    """Problem reasons by file name."""
    out: dict[str, list[str]] = {}
    for p in result.problems:
        out.setdefault(Path(p.path).name, []).append(p.reason)
    return out


def skipped(result: LoadResult) -> dict[str, str]:
    """Skip reasons by file name."""
    return {Path(s.path).name: s.reason for s in result.skipped}


def assert_utf8(result: LoadResult) -> None:
    """Every string the load hands on can be encoded (hashed, stored, printed) as UTF-8."""
    for a in result.articles:
        for text in (a.id, a.title, a.body, a.source, a.url, a.published_at, a.author, a.path):
            text.encode("utf-8")
        for key, value in a.extra.items():
            key.encode("utf-8")
            if isinstance(value, str):
                value.encode("utf-8")
    for p in [*result.problems, *result.skipped]:
        p.path.encode("utf-8")
        p.reason.encode("utf-8")
    for folder in result.unreadable_folders:
        folder.encode("utf-8")
