"""Search on the hot path: the question embedded once per answer, dense and keyword retrieval
side by side, and the embedding threads fitted to the cores this process may use."""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.core import Answerer
from bot.settings import Settings
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.search.fusion import FusionRetriever
from retrieval.settings import RetrievalSettings

QUESTION = "What did Johnson say about Russia?"


@pytest.fixture(params=["auto", "backend"])
def counted(
    seed_kb: KnowledgeBase,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> tuple[Answerer, Counter[str]]:
    """An answerer over the seed store whose real model counts every text it embeds: the light
    query encoder (ONNX Runtime; the session's export) or the torch backend."""
    embeddings = LocalEmbeddings(query_encoder=request.param)
    kb = KnowledgeBase(seed_kb.config, embeddings)
    model: Any = embeddings.model if request.param == "backend" else embeddings.light
    assert model is not None
    real_encode = model.encode
    seen: Counter[str] = Counter()

    def spy(texts: Any, *args: Any, **kwargs: Any) -> Any:
        seen.update([texts] if isinstance(texts, str) else list(texts))
        return real_encode(texts, *args, **kwargs)

    monkeypatch.setattr(model, "encode", spy)
    # A parse store of its own: what this answer parses and embeds is counted from nothing,
    # whatever earlier tests stored in the session's.
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        store_path=seed_kb.config.store_path,
        parse_store=tmp_path / "parses",
    )
    answerer = Answerer(kb, embeddings, settings)
    answerer.warm()
    seen.clear()
    return answerer, seen


def test_the_question_is_embedded_once_per_answer(counted: tuple[Answerer, Counter[str]]) -> None:
    answerer, seen = counted
    answer = answerer.answer(QUESTION)
    assert answer.status == "answered"
    assert seen[QUESTION] == 1, seen.most_common(5)


def test_each_part_of_a_compound_question_is_embedded_once(
    counted: tuple[Answerer, Counter[str]],
) -> None:
    answerer, seen = counted
    question = "What did Johnson say about Russia, and who is Rex Tillerson?"
    answer = answerer.answer(question)
    parts = [p.part for p in answer.judgement.decision.parts]  # type: ignore[union-attr]
    assert len(parts) == 2, parts
    repeated = {text: n for text, n in seen.items() if n > 1}
    assert repeated == {}, repeated


def test_hybrid_search_runs_dense_and_keyword_side_by_side(
    seed_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_kb.warm()
    retrievers = seed_kb.searcher.retrievers
    inside: dict[str, threading.Event] = {name: threading.Event() for name in retrievers}
    overlapped: dict[str, bool] = {}
    for name, retriever in retrievers.items():
        real = retriever.retrieve

        def retrieve(query: str, n: int, name: str = name, real: Any = real) -> Any:
            inside[name].set()
            # Each waits (briefly) for the other to have started: only concurrent calls meet.
            other = next(o for o in inside if o != name)
            overlapped[name] = inside[other].wait(timeout=5)
            return real(query, n)

        monkeypatch.setattr(retriever, "retrieve", retrieve)
    hits = seed_kb.search(QUESTION, k=4, mode="hybrid")
    assert hits and all(h.dense_score is not None or h.keyword_score is not None for h in hits)
    assert overlapped == {"dense": True, "keyword": True}


def test_fusion_gives_the_same_ranking_side_by_side(seed_kb: KnowledgeBase) -> None:
    seed_kb.warm()
    parts = [seed_kb.searcher.retrievers[n] for n in ("dense", "keyword")]
    one_by_one = [r.retrieve(QUESTION, 10) for r in parts]
    fused = FusionRetriever(parts).retrieve(QUESTION, 10)
    from retrieval.search.fusion import reciprocal_rank_fusion

    expected = reciprocal_rank_fusion([[c.id for c in r] for r in one_by_one])
    assert [(c.id, pytest.approx(s)) for c, s in ((c, c.score) for c in fused)] == expected


def test_embedding_threads_default_to_the_cores_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrieval.runtime import embedding_threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert embedding_threads(0) == len(os.sched_getaffinity(0))
    assert embedding_threads(3) == 3
    embeddings = LocalEmbeddings(threads=0)
    assert embeddings.threads == len(os.sched_getaffinity(0))
    assert RetrievalSettings().torch_threads == 0
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert embedding_threads(0) == 1  # the user's OpenMP setting is respected
    assert embedding_threads(2) == 2


def test_a_query_is_embedded_on_one_thread_and_batches_on_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch

    embeddings = LocalEmbeddings(threads=2, device="cpu", query_encoder="backend")
    model = embeddings.model
    real_encode = model.encode
    used: list[tuple[int, int]] = []

    def spy(texts: Any, *args: Any, **kwargs: Any) -> Any:
        used.append((len(texts), torch.get_num_threads()))
        return real_encode(texts, *args, **kwargs)

    monkeypatch.setattr(model, "encode", spy)
    embeddings.embed_query("oil prices")
    embeddings.encode(["one sentence.", "another sentence."])
    assert used == [(1, 1), (2, 2)]
    assert torch.get_num_threads() == 2


def test_every_text_is_parsed_once_per_answer(
    seed_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The question and the passages' sentences go through spaCy once: the evidence stage parses
    them, the extractive generator (speakers, reported speech) reads the same cached Docs."""
    from bot.answer.nlp import load_nlp

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        store_path=seed_kb.config.store_path,
        parse_store=tmp_path / "parses",  # its own: nothing parsed by earlier tests
    )
    answerer = Answerer(seed_kb, seed_kb.embeddings, settings)
    answerer.warm(rehearse=False)
    nlp = load_nlp()
    parsed: Counter[str] = Counter()
    real_pipe, real_call = nlp.pipe, type(nlp).__call__

    def pipe(texts: Any, *args: Any, **kwargs: Any) -> Any:
        texts = list(texts)
        parsed.update(texts)
        return real_pipe(texts, *args, **kwargs)

    def call(self: Any, text: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.update([text])
        return real_call(self, text, *args, **kwargs)

    monkeypatch.setattr(nlp, "pipe", pipe)
    monkeypatch.setattr(type(nlp), "__call__", call)
    answer = answerer.answer(QUESTION)
    assert answer.status == "answered"
    assert parsed[QUESTION] == 1
    assert len(parsed) > 5  # the passages' sentences were parsed (here, the first time)
    assert max(parsed.values()) == 1, parsed.most_common(3)
