"""The search pipeline on fake retrievers: modes, fusion, fetching, dedupe, rerank, k."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from retrieval.search import (
    Candidate,
    FusionRetriever,
    SearchPipeline,
    build_reranker,
    reciprocal_rank_fusion,
    register_reranker,
    unregister_reranker,
)
from retrieval.settings import RetrievalSettings
from retrieval.stores import StoredChunk
from retrieval.types import Hit


def chunk(cid: str) -> StoredChunk:
    return StoredChunk(cid, f"text of {cid}", {"article_id": f"article-{cid}", "title": cid})


class Fixed:
    """A retriever returning a fixed ranking; ``bare`` ids come without their chunk."""

    def __init__(self, name: str, ids: list[str], bare: Sequence[str] = ()) -> None:
        self.name = name
        self.ids = ids
        self.bare = set(bare)
        self.asked: list[int] = []

    def retrieve(self, query: str, n: int) -> list[Candidate]:
        self.asked.append(n)
        out = []
        for rank, cid in enumerate(self.ids[:n]):
            score = 10.0 - rank
            c = None if cid in self.bare else chunk(cid)
            out.append(Candidate(cid, score, c, {self.name: score}))
        return out


def pipeline(dense: list[str], keyword: list[str], **kwargs: object) -> SearchPipeline:
    retrievers = {"dense": Fixed("dense", dense), "keyword": Fixed("keyword", keyword, ["k9"])}

    def fetch(ids: Sequence[str]) -> Mapping[str, StoredChunk]:
        return {cid: chunk(cid) for cid in ids if cid != "gone"}

    return SearchPipeline(retrievers, fetch, **kwargs)  # type: ignore[arg-type]


def test_single_modes_keep_their_retrievers_scores() -> None:
    p = pipeline(["d1", "d2"], ["k1"])
    dense = p.search("q", mode="dense")
    assert [(h.chunk_id, h.score, h.dense_score, h.keyword_score) for h in dense] == [
        ("d1", 10.0, 10.0, None),
        ("d2", 9.0, 9.0, None),
    ]
    [keyword] = p.search("q", mode="keyword")
    assert (keyword.chunk_id, keyword.score, keyword.keyword_score) == ("k1", 10.0, 10.0)


def test_hybrid_is_reciprocal_rank_fusion_with_both_scores() -> None:
    p = pipeline(["a", "b"], ["b", "c"], rrf_k=60)
    hits = p.search("q", k=10, mode="hybrid")
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "c"]], 60)
    assert [(h.chunk_id, h.score) for h in hits] == fused
    both = next(h for h in hits if h.chunk_id == "b")
    assert (both.dense_score, both.keyword_score) == (9.0, 10.0)


def test_each_retriever_is_asked_for_candidates_but_at_least_k() -> None:
    p = pipeline(["a"], ["b"], candidates=5)
    p.search("q", k=3)
    p.search("q", k=8)
    assert p.retrievers["dense"].asked == [5, 8]  # type: ignore[attr-defined]


def test_chunks_a_retriever_lacks_are_fetched_and_unknown_ones_dropped() -> None:
    p = pipeline([], ["k1", "k9", "gone"])
    p.retrievers["keyword"].bare = {"k9", "gone"}  # type: ignore[attr-defined]
    hits = p.search("q", mode="keyword")
    assert [h.chunk_id for h in hits] == ["k1", "k9"]
    assert hits[1].text == "text of k9"


def test_k_blank_query_and_unknown_mode() -> None:
    p = pipeline(["a", "b", "c"], [], k=2)
    assert len(p.search("q", mode="dense")) == 2
    assert len(p.search("q", k=1, mode="dense")) == 1
    assert p.search("   ") == []
    with pytest.raises(ValueError, match="fuzzy"):
        p.search("q", mode="fuzzy")


def test_a_mode_can_name_any_retrievers() -> None:
    retrievers = {"one": Fixed("one", ["a", "b"]), "two": Fixed("two", ["b"])}
    p = SearchPipeline(retrievers, lambda ids: {}, modes={"both": ("one", "two")})
    assert isinstance(p.retriever("both"), FusionRetriever)
    assert [h.chunk_id for h in p.search("q", mode="both")] == ["b", "a"]


class Reverse:
    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        return list(reversed(hits))


def test_a_registered_reranker_runs_before_the_top_k() -> None:
    register_reranker("reverse", lambda config: Reverse())
    try:
        p = pipeline(["a", "b", "c"], [], reranker=build_reranker(RetrievalSettings(), "reverse"))
        assert [h.chunk_id for h in p.search("q", k=2, mode="dense")] == ["c", "b"]
    finally:
        unregister_reranker("reverse")
    with pytest.raises(ValueError, match="reverse"):
        build_reranker(RetrievalSettings(), "reverse")
    assert [h.chunk_id for h in pipeline(["a", "b"], []).search("q", mode="dense")] == ["a", "b"]


class Identity:
    """Keeps the order, but is not ``NoRerank``: the pipeline fetches every candidate for it."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        return list(hits)


def test_only_the_chunks_shown_are_fetched_and_the_hits_are_the_same() -> None:
    """With the default (no) reranker the pipeline fetches k candidates at a time as it reads
    down the ranking; copies of one story and chunks the store dropped make it read further.
    The hits are those fetching everything gives, for every k."""
    stories = {f"c{i}": f"story-{i % 7}" for i in range(30)}  # c0, c7, c14... are one story

    def story_chunk(cid: str) -> StoredChunk:
        story = stories[cid]
        meta = {"article_id": f"a-{cid}", "title": cid, "title_key": story, "body_key": ""}
        return StoredChunk(cid, f"text of {cid}", meta)

    fetched: list[list[str]] = []

    def fetch(ids: Sequence[str]) -> Mapping[str, StoredChunk]:
        fetched.append(list(ids))
        return {cid: story_chunk(cid) for cid in ids if cid not in ("c3", "c4")}  # dropped

    ranking = [f"c{i}" for i in range(30)]
    retrievers = {"dense": Fixed("dense", ranking, bare=ranking)}
    lazy = SearchPipeline(retrievers, fetch, candidates=30)  # type: ignore[arg-type]
    eager = SearchPipeline(retrievers, fetch, candidates=30, reranker=Identity())  # type: ignore[arg-type]
    for k in (1, 2, 5, 6, 10, 30):
        fetched.clear()
        got = lazy.search("q", k=k, mode="dense")
        lazy_fetches = list(fetched)
        fetched.clear()
        assert got == eager.search("q", k=k, mode="dense"), k
        assert fetched == [ranking], k  # the reranker is given every candidate
        assert all(len(ids) == k for ids in lazy_fetches[:-1]), k
        # Seven stories in all: a larger k reads the whole ranking looking for an eighth.
        assert (sum(map(len, lazy_fetches)) < 30) == (k <= 7), k
    fetched.clear()
    # k=2: c0, c1 fill the first window: one fetch of two.
    assert [h.chunk_id for h in lazy.search("q", k=2, mode="dense")] == ["c0", "c1"]
    assert fetched == [["c0", "c1"]]
    fetched.clear()
    # k=5: c3 and c4 were dropped, so a second window of five is read (c5, c6).
    assert [h.chunk_id for h in lazy.search("q", k=5, mode="dense")] == [
        "c0",
        "c1",
        "c2",
        "c5",
        "c6",
    ]
    assert fetched == [ranking[0:5], ranking[5:10]]
