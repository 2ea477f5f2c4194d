"""Parsing and embedding a whole store's sentences ahead of the questions (``newsdesk prepare``;
kept by :class:`bot.answer.parse_store.ParseStore` and :class:`bot.encoder.SentenceVectors`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from bot.answer.cache import split_chunk
from bot.answer.parse_store import ParseStore
from bot.encoder import Encoder, SentenceVectors


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare_parses` did: sentences found, already parsed, parsed now (and the
    same for their vectors)."""

    sentences: int
    already: int
    parsed: int
    vectors_already: int = 0
    embedded: int = 0


def prepare_parses(
    chunk_texts: Iterable[str],
    store: ParseStore,
    batch_size: int = 256,
    on_progress: Callable[[int, int], None] | None = None,
    vectors: tuple[SentenceVectors, Encoder] | None = None,
) -> Prepared:
    """Parse (and, given ``vectors``, embed) every sentence of these chunks that is not stored
    yet, as the evidence stage splits them (instructions to an assistant left out: they are
    never parsed), storing each batch as it is made: an interrupted run keeps what it did.
    ``on_progress(done, total)`` counts sentences."""
    sentences: dict[str, None] = {}
    for text in chunk_texts:
        for s, e, instruction in split_chunk(text):
            if not instruction:
                sentences[text[s:e]] = None
    unique = list(sentences)
    known = store.known(unique)
    to_parse = [t for t in unique if t not in known]
    to_embed: list[str] = []
    if vectors is not None:
        embedded = vectors[0].known(unique)
        to_embed = [t for t in unique if t not in embedded]
    todo = list(dict.fromkeys(to_parse + to_embed))
    parse_set, embed_set = set(to_parse), set(to_embed)
    done = 0
    if on_progress is not None:
        on_progress(done, len(todo))
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        parse = [t for t in batch if t in parse_set]
        if parse:
            store.put_many(list(store.nlp.pipe(parse, batch_size=64)))
        embed = [t for t in batch if t in embed_set]
        if embed and vectors is not None:
            vectors[0].put_many(embed, np.asarray(vectors[1].encode(embed), dtype=np.float32))
        done += len(batch)
        if on_progress is not None:
            on_progress(done, len(todo))
    return Prepared(
        len(unique), len(known), len(to_parse), len(unique) - len(to_embed), len(to_embed)
    )
