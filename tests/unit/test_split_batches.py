"""How the light encoder cuts a list of texts into batches for its worker threads
(retrieval.backends.split_batches)."""

from __future__ import annotations

import numpy as np

from retrieval.backends import split_batches


def sizes(n: int, batch_size: int, workers: int) -> list[int]:
    batches = split_batches(np.arange(n), batch_size, workers)
    # Every row once, in the given order.
    assert [int(i) for b in batches for i in b] == list(range(n))
    return [len(b) for b in batches]


def test_one_worker_keeps_plain_batches() -> None:
    assert sizes(36, 32, 1) == [32, 4]
    assert sizes(64, 32, 1) == [32, 32]


def test_workers_get_even_shares() -> None:
    # 36 evidence sentences: 32 and 4 kept one thread busy and the other idle.
    assert sizes(36, 32, 2) == [18, 18]
    assert sizes(20, 32, 2) == [10, 10]
    assert sizes(65, 32, 2) == [17, 17, 17, 14]
    assert max(sizes(200, 32, 2)) <= 32


def test_a_handful_of_texts_stays_one_batch() -> None:
    assert sizes(3, 32, 2) == [3]
    assert sizes(1, 32, 4) == [1]
    assert sizes(0, 32, 2) == []
