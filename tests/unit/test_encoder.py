"""The sentence-vector cache (bot/encoder.py): state of the object that owns it, never global."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.encoder import CachedEncoder, cached_encoder


class CountingEncoder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)


def test_each_sentence_is_encoded_once_and_rows_keep_their_order() -> None:
    model = CountingEncoder()
    cache = CachedEncoder(model)
    first = cache.encode(["a", "bb", "a"])
    second = cache.encode(["bb", "ccc"])
    assert model.seen == ["a", "bb", "ccc"]
    assert first[:, 0].tolist() == [1.0, 2.0, 1.0]
    assert second[:, 0].tolist() == [2.0, 3.0]
    assert set(cache.cached(["a", "zz"])) == {"a"}


def test_the_cache_is_bounded() -> None:
    model = CountingEncoder()
    cache = CachedEncoder(model, max_items=2)
    cache.encode(["a", "b", "c"])
    assert set(cache.cached(["a", "b", "c"])) == {"b", "c"}


def test_no_cache_is_shared_behind_the_callers_back() -> None:
    model = CountingEncoder()
    cache = cached_encoder(model)
    assert cached_encoder(cache) is cache  # a cache passed in is used as it is
    assert cached_encoder(model) is not cache  # no module-global cache keyed by the model
    cache.encode(["x"])
    cached_encoder(model).encode(["x"])
    assert model.seen == ["x", "x"]
