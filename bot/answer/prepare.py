"""Parsing a whole store ahead of the questions (``newsdesk prepare``; the parses are kept by
:class:`bot.answer.parse_store.ParseStore`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.answer.cache import split_chunk
from bot.answer.parse_store import ParseStore


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare_parses` did: sentences found, already stored, parsed now."""

    sentences: int
    already: int
    parsed: int


def prepare_parses(
    chunk_texts: Iterable[str],
    store: ParseStore,
    batch_size: int = 256,
    on_progress: Callable[[int, int], None] | None = None,
) -> Prepared:
    """Parse every sentence of these chunks that ``store`` lacks, as the evidence stage splits
    them (instructions to an assistant left out, as they are never parsed), and store each
    batch as it is made: an interrupted run keeps what it did. ``on_progress(done, total)``."""
    sentences: dict[str, None] = {}
    for text in chunk_texts:
        for s, e, instruction in split_chunk(text):
            if not instruction:
                sentences[text[s:e]] = None
    unique = list(sentences)
    known = store.known(unique)
    todo = [t for t in unique if t not in known]
    done = 0
    if on_progress is not None:
        on_progress(done, len(todo))
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        store.put_many(list(store.nlp.pipe(batch, batch_size=64)))
        done += len(batch)
        if on_progress is not None:
            on_progress(done, len(todo))
    return Prepared(len(unique), len(known), len(todo))
