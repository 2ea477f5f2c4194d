"""How ingest cuts articles into steps bounded in chunks (``retrieval.ingest.plan_steps``)."""

from __future__ import annotations

import pytest

from retrieval.ingest import Slice, plan_steps


def spans(steps: list[list[Slice]]) -> list[list[tuple[int, int, int]]]:
    return [[(s.article, s.start, s.stop) for s in step] for step in steps]


def test_small_articles_share_a_step() -> None:
    assert spans(plan_steps([2, 3, 1], 10)) == [[(0, 0, 2), (1, 0, 3), (2, 0, 1)]]


def test_a_large_article_is_spread_over_steps_of_at_most_batch_chunks() -> None:
    steps = plan_steps([10], 4)
    assert spans(steps) == [[(0, 0, 4)], [(0, 4, 8)], [(0, 8, 10)]]
    assert [(s.first, s.last) for step in steps for s in step] == [
        (True, False),
        (False, False),
        (False, True),
    ]


def test_steps_fill_up_across_article_boundaries() -> None:
    steps = plan_steps([3, 5, 2], 4)
    assert spans(steps) == [[(0, 0, 3), (1, 0, 1)], [(1, 1, 5)], [(2, 0, 2)]]
    assert all(sum(s.stop - s.start for s in step) <= 4 for step in steps)


@pytest.mark.parametrize("sizes", [[1] * 9, [7, 0, 13, 1, 4], [0], [50, 50], []])
@pytest.mark.parametrize("batch", [1, 3, 16])
def test_every_chunk_once_in_order_and_each_article_starts_and_ends_once(
    sizes: list[int], batch: int
) -> None:
    steps = plan_steps(sizes, batch)
    flat = [s for step in steps for s in step]
    covered = [(s.article, i) for s in flat for i in range(s.start, s.stop)]
    assert covered == [(a, i) for a, n in enumerate(sizes) for i in range(n)]
    assert [s.article for s in flat if s.first] == list(range(len(sizes)))
    assert [s.article for s in flat if s.last] == list(range(len(sizes)))
    assert all(0 < sum(s.stop - s.start for s in step) <= batch or not any(sizes) for step in steps)


def test_an_article_without_chunks_still_completes() -> None:
    [[only]] = plan_steps([0], 4)
    assert (only.first, only.last) == (True, True)


def test_a_batch_below_one_counts_as_one() -> None:
    assert spans(plan_steps([2], 0)) == [[(0, 0, 1)], [(0, 1, 2)]]
