"""Only the sentences near what the question names are parsed and embedded (bot.answer.anchors),
with the real spaCy pipeline and the real embedding model: a sentence that names nothing of the
question, and borders no sentence that does, is neither parsed nor embedded; a neighbour that
carries the answer still is, and the answer is found in it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spacy.language import Language

from bot.answer.cache import PassageCache
from bot.answer.judge import judge
from bot.generators.extractive import ExtractiveGenerator
from bot.types import Source
from retrieval.embeddings import LocalEmbeddings
from retrieval.types import Hit

QUESTION = "How much did Google pay for Android?"
NAMED = "Google bought Android, a small mobile software firm, in 2005."
# Names neither Google nor Android: kept only as the neighbour of the sentence that does.
NEIGHBOUR = "It paid $50m for the firm, people familiar with the deal said."
FAR = ["The weather in Lucca was glorious all week.", "Fans sang in the rain until midnight."]
TEXT = " ".join([NAMED, NEIGHBOUR, *FAR])


def _hit() -> Hit:
    return Hit(
        chunk_id="a/1:0",
        article_id="a/1",
        title="Technology news",
        text=TEXT,
        score=1.0,
        start=0,
        end=len(TEXT),
        dense_score=0.5,
        keyword_score=3.0,
    )


class CountingEncoder:
    """The real model, remembering every sentence it was asked to embed."""

    def __init__(self, embeddings: LocalEmbeddings) -> None:
        self.embeddings = embeddings
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.asarray(self.embeddings.encode(list(texts)), dtype=np.float32)


def test_a_sentence_naming_nothing_of_the_question_is_not_parsed_nor_embedded(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    cache = PassageCache()
    encoder = CountingEncoder(embeddings)
    judgement = judge(QUESTION, [_hit()], nlp, encoder.encode, cache=cache, anchored=True)
    for far in FAR:
        assert far not in cache.docs
        assert far not in encoder.seen
    assert NAMED in cache.docs and NEIGHBOUR in cache.docs
    assert NAMED in encoder.seen and NEIGHBOUR in encoder.seen
    # The answer is in the neighbour: the window around the sentence naming Google and Android
    # holds it, as the value asked for, beside the constraints.
    (ev,) = judgement.evidence
    best = ev.windows[0]
    assert best.constraint_share == 1.0
    assert [TEXT[s:e] for s, e, label in best.values if label == "MONEY"] == ["$50m"]
    assert best.value_near > 0.5
    # Windows are built around the sentence that names an anchor only.
    assert [TEXT[s:e] for s, e in (w.centre for w in ev.windows)] == [NAMED]


def test_without_anchoring_every_sentence_is_parsed(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    cache = PassageCache()
    encoder = CountingEncoder(embeddings)
    judgement = judge(QUESTION, [_hit()], nlp, encoder.encode, cache=cache, anchored=False)
    for sentence in (NAMED, NEIGHBOUR, *FAR):
        assert sentence in cache.docs and sentence in encoder.seen
    assert len(judgement.evidence[0].windows) == 4


def test_the_generator_parses_what_the_evidence_stage_parsed_and_still_answers(
    embeddings: LocalEmbeddings,
) -> None:
    cache = PassageCache()
    gen = ExtractiveGenerator(embeddings, passages=cache, anchored=True)
    answer = gen.generate(QUESTION, [Source(1, _hit())])
    assert "$50m" in answer
    for far in FAR:
        assert far not in cache.docs  # only tokenised: still a candidate, never parsed
    assert NAMED in cache.docs and NEIGHBOUR in cache.docs
    texts = {c.text for c in gen.candidates.get([Source(1, _hit())], gen.parse)}
    assert set(FAR) <= texts
