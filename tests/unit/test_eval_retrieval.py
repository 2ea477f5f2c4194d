"""Retrieval evaluation: the metric maths (pure)."""

from __future__ import annotations

from bot.eval.retrieval import found_rank, gold_slots, ranked_articles
from retrieval.types import Hit


def _hit(article_id: str) -> Hit:
    return Hit(chunk_id=f"{article_id}-c", article_id=article_id, title="", text="", score=0.0)


def test_ranked_articles_keeps_first_occurrence_order() -> None:
    hits = [_hit("a"), _hit("b"), _hit("a"), _hit("c")]
    assert ranked_articles(hits) == ["a", "b", "c"]


def test_single_counts_any_gold_or_duplicate() -> None:
    groups = {"g": {"g", "dup"}, "dup": {"g", "dup"}}
    slots = gold_slots(["g"], groups)
    assert found_rank(["x", "dup", "g"], slots, "single") == 2
    assert found_rank(["x", "y"], slots, "single") is None


def test_multi_needs_every_gold_article() -> None:
    slots = gold_slots(["a", "b"], {})
    assert found_rank(["a", "x", "b"], slots, "multi") == 3
    assert found_rank(["a", "x", "y"], slots, "multi") is None
