"""Reciprocal rank fusion on hand-made rankings: the maths, ties, weights."""

from __future__ import annotations

import pytest

from retrieval.search.fusion import reciprocal_rank_fusion


def test_scores_are_the_sum_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["c", "d"]], rrf_k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    assert set(fused) == {"a", "b", "c", "d"}


def test_ranked_well_by_both_beats_first_in_only_one() -> None:
    dense = ["only-dense", "both", "x1", "x2"]
    keyword = ["only-keyword", "both", "y1", "y2"]
    ranked = [item for item, _ in reciprocal_rank_fusion([dense, keyword])]
    assert ranked[0] == "both"
    # Even third in both beats first in one: 2/63 > 1/61.
    ranked = [item for item, _ in reciprocal_rank_fusion([["p", "q", "both"], ["r", "s", "both"]])]
    assert ranked[0] == "both"


def test_output_is_sorted_by_score_descending() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c", "d"], ["d", "c", "e"]])
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)


def test_ties_break_by_id_whatever_the_input_order() -> None:
    # "a" and "b" swap places between the lists: equal scores.
    one = reciprocal_rank_fusion([["b", "a"], ["a", "b"]])
    two = reciprocal_rank_fusion([["a", "b"], ["b", "a"]])
    assert one == two
    assert [item for item, _ in one] == ["a", "b"]
    assert one[0][1] == one[1][1]
    # Two items first in one list each: tied, ordered by id.
    assert [i for i, _ in reciprocal_rank_fusion([["zeta"], ["alpha"]])] == ["alpha", "zeta"]


def test_weights_scale_each_ranking() -> None:
    fused = dict(reciprocal_rank_fusion([["a"], ["b"]], rrf_k=60, weights=[2.0, 1.0]))
    assert fused["a"] == pytest.approx(2 / 61)
    assert fused["b"] == pytest.approx(1 / 61)
    ranked = [i for i, _ in reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 3.0])]
    assert ranked == ["b", "a"]
    # A zero weight leaves the list's items in the result but without influence.
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b", "a"]], weights=[1.0, 0.0]))
    assert fused["a"] > fused["b"]


def test_rrf_k_controls_how_much_the_top_rank_counts() -> None:
    rankings = [["top-in-one", "both"], ["other", "both"]]
    # rrf_k=1: first place is worth 1/2, two second places 2/3; at rrf_k=0 they tie (1 = 1/2 + 1/2).
    fused = dict(reciprocal_rank_fusion(rankings, rrf_k=1))
    assert fused["top-in-one"] == pytest.approx(1 / 2)
    assert fused["both"] == pytest.approx(2 / 3)
    fused = dict(reciprocal_rank_fusion(rankings, rrf_k=0))
    assert fused["top-in-one"] == pytest.approx(fused["both"])


def test_empty_and_single_rankings() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []
    assert [i for i, _ in reciprocal_rank_fusion([["c", "a", "b"]])] == ["c", "a", "b"]
