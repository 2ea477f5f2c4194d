"""The evidence stage parses and embeds a question's sentences at the same time
(``PassageCache.parse_and_encode``), with the real spaCy pipeline and the real encoder: the two
really overlap, and what they make is exactly what they make one after the other."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from bot.answer.cache import PassageCache
from bot.answer.evidence import prepare_passages
from retrieval.embeddings import LocalEmbeddings
from retrieval.types import Hit

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_9eb6b7462eed4b6d.txt"


def seed_hits() -> list[Hit]:
    """The seed article cut into three overlapping passages, as retrieval returns them."""
    text = SEED.read_text(encoding="utf-8")
    size = len(text) // 3
    hits = []
    for i in range(3):
        start = max(0, i * size - 200)
        end = min(len(text), (i + 1) * size + 200)
        hits.append(
            Hit(
                chunk_id=f"seed:{i}",
                article_id="seed",
                title="Seed",
                text=text[start:end],
                score=1.0 / (i + 1),
                start=start,
                end=end,
            )
        )
    return hits


def reading(doc: Doc) -> list[tuple[Any, ...]]:
    """Everything the answer engine reads of a parse."""
    return [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_type_) for t in doc]


class _Meeting:
    """The parse and the encoder each wait here for the other: only when they run at the same
    time do both get past (one after the other, the first waits in vain and the test fails)."""

    def __init__(self, nlp: Language, encode: Any) -> None:
        self._nlp = nlp
        self._encode = encode
        self.barrier = threading.Barrier(2, timeout=30)
        self.encoded_on: int | None = None

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
        self.barrier.wait()
        yield from self._nlp.pipe(texts, batch_size=batch_size)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded_on = threading.get_ident()
        self.barrier.wait()
        return np.asarray(self._encode(texts))


def test_parsing_and_embedding_overlap(nlp: Language, embeddings: LocalEmbeddings) -> None:
    meeting = _Meeting(nlp, embeddings.encode)
    texts = ["Boris Johnson spoke in Lucca.", "The G7 ministers met on Monday."]
    docs, vectors = PassageCache().parse_and_encode(
        texts,
        meeting,  # type: ignore[arg-type]
        meeting.encode,
    )
    assert not meeting.barrier.broken
    assert meeting.encoded_on != threading.get_ident()
    assert [d.text for d in docs] == texts
    assert vectors.shape[0] == 2


def test_passages_made_together_are_the_ones_made_one_after_the_other(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    hits = seed_hits()
    passages = prepare_passages(hits, nlp, embeddings.encode, PassageCache())
    unique = sorted({s.text for sents in passages.sentences for s in sents})
    assert len(unique) > 20  # the seed article: enough sentences for two encoder batches
    alone = {text: reading(doc) for text, doc in zip(unique, nlp.pipe(unique), strict=True)}
    vectors = embeddings.encode(unique)
    row = {text: i for i, text in enumerate(unique)}
    for sents, docs, vecs in zip(passages.sentences, passages.docs, passages.vectors, strict=True):
        for sent, doc, vec in zip(sents, docs, vecs, strict=True):
            assert reading(doc) == alone[sent.text]
            assert np.array_equal(vec, vectors[row[sent.text]])
