"""The caches of the answer path change how fast, never what: judgements, features and answers
over the real seed store (real spaCy, real embedding model) are the same computed from nothing,
through cold caches, and through warm ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.answer import relevance
from bot.answer.features import feature_vector
from bot.answer.judge import Judgement, judge
from bot.answer.nlp import load_nlp
from bot.answer.question import analyse
from bot.core import Answerer
from bot.settings import Settings
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.types import Hit
from tests.support import SEED_QUESTIONS, SEEDS

# Written here, so the test runs without the shared evaluation data; the seed questions are
# added when it is present.
QUESTIONS = [
    "What did Johnson say about Russia?",
    "Who could face international sanctions, according to Boris Johnson?",
    "Why did Boris Johnson pull out of talks with Sergey Lavrov, and where was the G7 meeting?",
    "How much did the G7 meeting cost?",
    "What is the weather in Lucca?",
]


def questions() -> list[str]:
    found = list(QUESTIONS)
    if SEED_QUESTIONS.exists():
        for line in SEED_QUESTIONS.read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line)["question"] not in found:
                found.append(json.loads(line)["question"])
    return found


def settings_for(tmp: Path) -> Settings:
    values: dict[str, Any] = {"store_path": tmp / "store", "collection": "cachetest"}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> KnowledgeBase:
    tmp = tmp_path_factory.mktemp("cache")
    kb = KnowledgeBase(settings_for(tmp).retrieval, embeddings)
    kb.ingest(SEEDS)
    return kb


def answerer_for(kb: KnowledgeBase) -> Answerer:
    return Answerer(kb, kb.embeddings, settings_for(Path(str(kb.config.store_path)).parent))


def same_judgement(a: Judgement, b: Judgement) -> None:
    ja, jb = a.to_json(), b.to_json()
    # Batches of other sizes move a vector in its 7th decimal (padding changes the float sums):
    # probabilities are compared to 1e-4, everything else exactly.
    for pa, pb in zip(ja["parts"], jb["parts"], strict=True):
        assert abs(pa.pop("probability") - pb.pop("probability")) < 1e-4
    assert ja == jb
    for ea, eb in zip(a.evidence, b.evidence, strict=True):
        np.testing.assert_allclose(feature_vector(ea), feature_vector(eb), atol=1e-5)
        assert [w.centre for w in ea.windows] == [w.centre for w in eb.windows]


def test_judgements_are_the_same_without_a_cache_with_a_cold_one_and_a_warm_one(
    kb: KnowledgeBase, embeddings: LocalEmbeddings
) -> None:
    nlp = load_nlp()
    answerer = answerer_for(kb)
    checked = 0
    for question in questions():
        analysis = analyse(question, nlp)
        parts = [p.text for p in analysis.parts] if len(analysis.parts) > 1 else []
        hits: list[Hit] = answerer._search(question, parts, 6)
        # From nothing: no passage cache, no vector cache, the model itself.
        plain = judge(analysis, hits, nlp, embeddings.encode, answerer.decision_params)
        cold = answerer.judge(analysis, hits)
        warm = answerer.judge(analysis, hits)
        same_judgement(plain, cold)
        same_judgement(plain, warm)
        checked += 1
    assert checked >= len(QUESTIONS)
    # The warm run read the caches: every sentence the passages hold is parsed once.
    assert len(answerer.passages.docs) > 0 and len(answerer.passages.chunks) > 0


def test_answers_are_the_same_through_cold_caches_and_warm_ones(
    kb: KnowledgeBase,
) -> None:
    answerer = answerer_for(kb)
    # Through empty caches (each question's passages are new to this answerer's caches, bar the
    # chunks an earlier question retrieved), then again through full ones.
    cold = [answerer.answer(q) for q in QUESTIONS]
    for before, question in zip(cold, QUESTIONS, strict=True):
        after = answerer.answer(question)
        assert (after.status, after.text) == (before.status, before.text)
        assert [(c.article_id, c.quote) for c in after.citations] == [
            (c.article_id, c.quote) for c in before.citations
        ]
        assert [h.chunk_id for h in after.hits] == [h.chunk_id for h in before.hits]


def test_a_chunk_whose_text_changed_is_measured_on_its_new_text(kb: KnowledgeBase) -> None:
    answerer = answerer_for(kb)
    nlp = load_nlp()
    analysis = analyse("How much did Acme pay for Widgets?", nlp)

    def passage(text: str) -> Hit:
        return Hit(chunk_id="x/1:0", article_id="x/1", title="Deal", text=text, score=1.0)

    lacking = answerer.judge(analysis, [passage("Acme bought Widgets last year. Shares rose.")])
    giving = answerer.judge(analysis, [passage("Acme paid $40m for Widgets last year.")])
    assert lacking.evidence[0].windows[0].value_present is False
    assert giving.evidence[0].windows[0].value_present is True


def test_the_answerer_reads_relevance_on_its_threads_setting(kb: KnowledgeBase) -> None:
    """``NEWSDESK_TORCH_THREADS`` (``torch_threads``) sets the cross-encoder's threads too."""
    tmp = Path(str(kb.config.store_path)).parent
    one = Settings(  # type: ignore[call-arg]
        _env_file=None, store_path=tmp / "store", collection="cachetest", torch_threads=1
    )
    answerer = Answerer(kb, kb.embeddings, one)
    nlp = load_nlp()
    analysis = analyse("What did Johnson say about Russia?", nlp)
    hits = kb.search(analysis.question, k=3)
    reader = relevance.default_model(1)
    calls: list[object] = []
    real = reader.logits

    def counted(question: str, texts: Any) -> Any:
        calls.append(question)
        return real(question, texts)

    object.__setattr__(reader, "logits", counted)
    try:
        answerer.judge(analysis, hits)
    finally:
        object.__delattr__(reader, "logits")
    assert calls, "the answerer did not read with the one-thread reader"
    assert reader.session.get_session_options().intra_op_num_threads == 1
