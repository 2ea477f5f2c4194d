"""Duplicate-story collapsing on hand-made candidates (``retrieval.search.dedupe``)."""

from __future__ import annotations

from retrieval.search import Candidate, collapse_duplicates, duplicate_keys
from retrieval.stores import StoredChunk
from retrieval.types import Article


def candidate(cid: str, article: str, title_key: str = "", body_key: str = "") -> Candidate:
    meta = {"article_id": article, "title_key": title_key, "body_key": body_key}
    return Candidate(cid, 1.0, StoredChunk(cid, "text", meta))


def kept(candidates: list[Candidate]) -> list[str]:
    return [c.id for c in collapse_duplicates(candidates)]


def test_a_shared_title_or_body_key_keeps_the_better_ranked_copy() -> None:
    ranked = [
        candidate("a1", "a", "T", "B1"),
        candidate("x1", "x", "", "X"),
        candidate("b1", "b", "T", "B2"),  # same title as a: dropped
        candidate("c1", "c", "T3", "B1"),  # same body as a: dropped
        candidate("a2", "a", "T", "B1"),  # a's own second chunk stays
    ]
    assert kept(ranked) == ["a1", "x1", "a2"]


def test_empty_keys_never_collide() -> None:
    assert kept([candidate("a1", "a"), candidate("b1", "b")]) == ["a1", "b1"]


def test_candidates_without_a_chunk_pass_through() -> None:
    assert kept([candidate("a1", "a", "T"), Candidate("z", 0.5)]) == ["a1", "z"]


def test_duplicate_keys_ignore_case_punctuation_and_short_titles() -> None:
    one = Article("1", "Central bank raises interest rates again", "Body text, here.")
    two = Article("2", "CENTRAL BANK RAISES INTEREST RATES... AGAIN!", "body text here")
    assert duplicate_keys(one) == duplicate_keys(two)
    short = Article("3", "Letters", "Dear editor")
    assert duplicate_keys(short)[0] == ""
