"""``newsdesk prepare``: parse and embed every passage sentence of a store ahead of the questions.

Most of an answer's time is parsing the retrieved sentences with spaCy and embedding them; the
parse store (:mod:`bot.answer.parse_store`) and the sentence vector store
(:class:`bot.encoder.SentenceVectors`) keep both for every process of the machine. Answering
fills them as it goes; this command fills them for the whole store at once, so that answers read
their parses and vectors back instead of making them. It can be interrupted and run again (each
batch is kept as it is made), and run again after an ingest (only new sentences are done).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.terminal.common import err, fail, settings_or_exit


def prepare(
    store: Annotated[
        Path | None, typer.Option(help="Store folder (default: NEWSDESK_STORE_PATH's).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Parse every passage of the store once, so that answers are faster (see the README)."""
    settings = settings_or_exit(store_path=store)
    from bot.answer.cache import parse_store_folder

    folder = parse_store_folder(settings)
    if folder is None:
        err.print("[red]NEWSDESK_PARSE_STORE_ENABLED is off: no parse store to fill.[/red]")
        raise typer.Exit(2)
    from bot.answer.nlp import load_nlp
    from bot.answer.parse_store import ParseStore
    from bot.answer.prepare import prepare_parses
    from bot.encoder import SentenceVectors, encoder_id
    from bot.wiring import build_knowledge_base
    from retrieval.stores import StoreError

    kb = build_knowledge_base(settings)
    try:
        kb.check_not_lost()
        if kb.count() == 0:
            err.print("[yellow]The store is empty: run `newsdesk ingest PATH` first.[/yellow]")
            raise typer.Exit(1)
        parses = ParseStore(folder, load_nlp())
        named = encoder_id(kb.embeddings)
        vectors = (SentenceVectors(folder, *named), kb.embeddings) if named else None
        started = time.perf_counter()
        show = not quiet and sys.stderr.isatty()
        with Progress(
            TextColumn("parsing and embedding sentences"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=not show,
        ) as bar:
            task = bar.add_task("parse", total=None)

            def on_progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            chunks = (chunk.text for chunk in kb.store.iter_all())
            report = prepare_parses(chunks, parses, on_progress=on_progress, vectors=vectors)
    except StoreError as exc:
        raise fail(exc) from None
    seconds = time.perf_counter() - started
    err.print(
        f"{report.sentences} sentences: {report.parsed} parsed now, {report.already} already "
        f"stored; {report.embedded} embedded now, {report.vectors_already} already stored "
        f"({seconds:.1f} s). Kept in {escape(str(folder))}"
    )
