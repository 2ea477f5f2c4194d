"""The ingest progress bar: renders ``retrieval.ingest.IngestProgress`` events with rich.

Two rows, articles and chunks, each with its rate per second. The bar appears at the first event,
so an ingest with nothing to write draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from retrieval.ingest import IngestProgress, ProgressCallback


class RateColumn(ProgressColumn):
    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:7.1f}/s" if speed else "      -/s", style="cyan")


class IngestProgressBar:
    """A callable for ``KnowledgeBase.ingest(on_progress=...)``; ``close()`` when done."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console
        self._progress: Progress | None = None
        self._tasks: tuple[TaskID, TaskID] | None = None

    def __call__(self, event: IngestProgress) -> None:
        if self._progress is None or self._tasks is None:
            self._progress = Progress(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                RateColumn(),
                TimeRemainingColumn(),
                console=self._console,
                transient=False,
            )
            self._tasks = (
                self._progress.add_task("articles", total=event.articles_total),
                self._progress.add_task("chunks", total=event.chunks_total),
            )
            self._progress.start()
        articles, chunks = self._tasks
        # Totals grow as ingest streams its input: they are those known so far.
        self._progress.update(articles, completed=event.articles_done, total=event.articles_total)
        self._progress.update(chunks, completed=event.chunks_done, total=event.chunks_total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextmanager
def ingest_progress(
    enabled: bool, console: Console | None = None
) -> Iterator[ProgressCallback | None]:
    """An ``on_progress`` callback drawing the bar, or ``None`` when ``enabled`` is false."""
    if not enabled:
        yield None
        return
    bar = IngestProgressBar(console)
    try:
        yield bar
    finally:
        bar.close()
