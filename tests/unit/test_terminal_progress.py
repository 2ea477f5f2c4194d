"""The ingest progress bar renders the callback's events (``bot.terminal.progress``)."""

from __future__ import annotations

import io

from rich.console import Console

from bot.terminal.progress import IngestProgressBar, ingest_progress
from retrieval.ingest import IngestProgress


def test_the_bar_shows_articles_and_chunks_done_of_total() -> None:
    out = io.StringIO()
    bar = IngestProgressBar(Console(file=out, width=120, force_terminal=False))
    bar(IngestProgress(0, 3, 0, 40))
    bar(IngestProgress(0, 3, 16, 40))
    bar(IngestProgress(3, 3, 40, 40))
    bar.close()
    text = out.getvalue()
    assert "articles" in text and "chunks" in text
    assert "3/3" in text and "40/40" in text


def test_nothing_is_drawn_without_events_or_when_disabled() -> None:
    out = io.StringIO()
    with ingest_progress(True, Console(file=out)) as on_progress:
        assert on_progress is not None
    assert out.getvalue() == ""
    with ingest_progress(False) as on_progress:
        assert on_progress is None
