"""Rendering answers for the terminal: the answer with its sources (``newsdesk ask`` and the REPL)
and the table of retrieved passages (the REPL's ``:sources``)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.types import Answer
from retrieval.text import http_url, url_domain

_PASSAGE_CHARS = 160


def render_answer(answer: Answer) -> RenderableType:
    """An answer with its numbered sources, status and provenance."""
    parts: list[RenderableType] = []
    if answer.standalone_question and answer.standalone_question != answer.question:
        parts.append(Text(f"(searched for: {answer.standalone_question})", style="dim"))
    if answer.status == "error":
        parts.append(Text(f"Error: {answer.error or answer.text}", style="red"))
    elif answer.status == "no_answer":
        parts.append(Text(answer.text, style="yellow"))
    else:
        parts.append(Text(answer.text))
    if answer.citations:
        parts.append(Text("\nSources", style="bold"))
        for c in answer.citations:
            line = Text(f"[{c.number}] ", style="bold")
            line.append(c.title or c.article_id)
            # The domain beside the title: a title cannot disguise where the link goes.
            domain = url_domain(c.url)
            if domain:
                line.append(f" [{domain}]", style="cyan")
            about = ", ".join(x for x in (c.source, c.published_at) if x)
            if about:
                line.append(f" ({about})", style="dim")
            if http_url(c.url):
                line.append(f"\n    {c.url}", style="cyan")
            parts.append(line)
    footer = [f"status {answer.status}"]
    if answer.generator:
        footer.append(f"generator {answer.generator}")
    if answer.prompt_id:
        footer.append(f"prompt {answer.prompt_id}")
    total = answer.timings_ms.get("total", sum(answer.timings_ms.values()))
    if answer.timings_ms:
        footer.append(f"{total:.0f} ms")
    if answer.dropped:
        footer.append(f"{len(answer.dropped)} dropped (:why)")
    parts.append(Text(" · ".join(footer), style="dim"))
    return Group(*parts)


def _score(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def sources_table(answer: Answer) -> Table:
    cited = {c.chunk_id: c.number for c in answer.citations if c.chunk_id}
    table = Table(title="Retrieved passages", show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Article", ratio=2)
    table.add_column("Dense", justify="right", no_wrap=True)
    table.add_column("Keyword", justify="right", no_wrap=True)
    table.add_column("Fused", justify="right", no_wrap=True)
    table.add_column("Cited", justify="center", no_wrap=True)
    table.add_column("Passage", ratio=3)
    for i, hit in enumerate(answer.hits, start=1):
        about = ", ".join(x for x in (hit.source, hit.published_at) if x)
        article = Text(hit.title or hit.article_id)
        if about:
            article.append(f"\n{about}", style="dim")
        passage = " ".join(hit.text.split())
        if len(passage) > _PASSAGE_CHARS:
            passage = passage[: _PASSAGE_CHARS - 1] + "…"
        number = cited.get(hit.chunk_id)
        table.add_row(
            str(i),
            article,
            _score(hit.dense_score),
            _score(hit.keyword_score, 2),
            _score(hit.score, 4),
            f"[{number}]" if number is not None else "",
            Text(passage),
        )
    return table
