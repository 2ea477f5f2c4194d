"""A large JSONL streams through the loader: memory holds one record, not the file."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from retrieval.loaders import iter_articles, load_articles

RECORDS = 3000


def write_feed(path: Path, records: int = RECORDS) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for n in range(records):
            body = f"Record {n} of the wire feed. " + "Markets moved on the news. " * 80
            fh.write(json.dumps({"id": f"wire-{n}", "title": f"Story {n}", "body": body}) + "\n")
    return path


def test_the_loader_does_not_read_the_whole_file_first(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl")
    size = feed.stat().st_size
    assert size > 6_000_000
    tracemalloc.start()
    try:
        seen = 0
        for article in iter_articles(feed):
            seen += 1
            assert article.id == f"wire-{seen - 1}"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == RECORDS
    # The ids seen (to refuse duplicates) and one record at a time: far below the file's size.
    assert peak < size / 10, (peak, size)


def test_articles_come_out_before_the_file_is_read_to_the_end(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", 50)
    stream = iter(iter_articles(feed))
    first = next(stream)
    assert first.id == "wire-0"
    # Lines written after the first article was handed out are still read: nothing was
    # buffered ahead beyond the reader's block.
    with feed.open("a", encoding="utf-8") as fh:
        for n in range(50, 400):
            body = "Late line. " * 400
            fh.write(json.dumps({"id": f"wire-{n}", "title": f"Late {n}", "body": body}) + "\n")
    rest = [a.id for a in stream]
    assert rest[-1] == "wire-399" and len(rest) == 399


def test_bad_lines_are_still_reported_when_streaming(tmp_path: Path) -> None:
    feed = tmp_path / "mixed.jsonl"
    feed.write_bytes(
        b'{"title": "A", "body": "One."}\n'
        b"not json\n"
        b'{"title": "B", "body": "Caf\xe9 bytes"}\n'
        b'{"title": "C", "body": "Three."}\n'
    )
    stream = iter_articles(feed)
    assert [a.title for a in stream] == ["A", "C"]
    reasons = [p.reason for p in stream.problems]
    assert reasons[0].startswith("line 2: not valid JSON")
    assert reasons[1].startswith("line 3: not valid UTF-8")
    # The list-returning entry point gives the same.
    result = load_articles(feed)
    assert [a.title for a in result.articles] == ["A", "C"] and len(result.problems) == 2
