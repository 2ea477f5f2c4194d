"""Sentence vectors kept on disk (bot.encoder.SentenceVectors through CachedEncoder): computed once
per machine, read back as computed, and a damaged row or file only means computing again."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.answer.text_blobs import text_key
from bot.encoder import CachedEncoder, SentenceVectors

TEXTS = ["Johnson spoke in Lucca.", "Russia needs a way out.", "Shares rose 4%."]


class Counting:
    """An encoder that names its vectors and counts what it is asked to embed."""

    sentence_vector_id = "toy-model-fp32-light4"
    sentence_vector_width = 4

    def __init__(self) -> None:
        self.asked: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.asked += texts
        return np.array([[len(t), t.count(" "), 1.0, -2.5] for t in texts], dtype=np.float32)


def test_a_second_encoder_on_the_same_folder_embeds_nothing(tmp_path: Path) -> None:
    first, second = Counting(), Counting()
    made = CachedEncoder(first, store_folder=tmp_path).encode(TEXTS)
    assert first.asked == TEXTS
    read = CachedEncoder(second, store_folder=tmp_path).encode([*TEXTS[::-1], TEXTS[0]])
    assert second.asked == []
    np.testing.assert_array_equal(read, np.vstack([made[2], made[1], made[0], made[0]]))
    read[0, 0] = 99.0  # rows read back are the caller's to change, as computed ones are
    assert CachedEncoder(Counting(), store_folder=tmp_path).encode(TEXTS[2:])[0, 0] != 99.0


def test_without_a_folder_or_an_encoder_id_nothing_is_kept(tmp_path: Path) -> None:
    plain = Counting()
    CachedEncoder(plain).encode(TEXTS)
    again = Counting()
    CachedEncoder(again).encode(TEXTS)
    assert again.asked == TEXTS

    class Nameless(Counting):
        sentence_vector_id = ""

    CachedEncoder(Nameless(), store_folder=tmp_path).encode(TEXTS)
    assert list(tmp_path.iterdir()) == []


def test_damaged_rows_are_embedded_again(tmp_path: Path) -> None:
    CachedEncoder(Counting(), store_folder=tmp_path).encode(TEXTS[:1])
    path = SentenceVectors(tmp_path, Counting.sentence_vector_id, 4).path
    nan = np.array([np.nan, 1, 2, 3], dtype=np.float32).tobytes()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO blobs VALUES (?, ?)", (text_key(TEXTS[1]), b"\x01\x02\x03"))
        conn.execute("INSERT INTO blobs VALUES (?, ?)", (text_key(TEXTS[2]), nan))
    counting = Counting()
    vectors = CachedEncoder(counting, store_folder=tmp_path).encode(TEXTS)
    assert counting.asked == TEXTS[1:]
    assert np.isfinite(vectors).all() and vectors.shape == (3, 4)


def test_a_file_that_is_not_a_database_is_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = SentenceVectors(tmp_path, Counting.sentence_vector_id, 4).path
    path.write_bytes(b"not a database" * 200)
    counting = Counting()
    encoder = CachedEncoder(counting, store_folder=tmp_path)
    with caplog.at_level(logging.WARNING, "newsdesk.parses"):
        encoder.encode(TEXTS[:2])
        encoder.encode(TEXTS[2:])
    assert counting.asked == TEXTS
    assert len([r for r in caplog.records if "cannot be used" in r.getMessage()]) == 1


def test_another_encoder_never_reads_these_vectors(tmp_path: Path) -> None:
    CachedEncoder(Counting(), store_folder=tmp_path).encode(TEXTS)

    class Other(Counting):
        sentence_vector_id = "toy-model-int8-onnx"

    other = Other()
    CachedEncoder(other, store_folder=tmp_path).encode(TEXTS)
    assert other.asked == TEXTS


def test_a_row_of_another_width_is_embedded_again_not_stacked(tmp_path: Path) -> None:
    # A damaged store can hold a whole number of floats of the wrong count: used as it is, the
    # answer's vectors could not be stacked and the answer would fail.
    CachedEncoder(Counting(), store_folder=tmp_path).encode(TEXTS[:2])
    path = SentenceVectors(tmp_path, Counting.sentence_vector_id, 4).path
    short = np.array([1.0, 2.0], dtype=np.float32).tobytes()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE blobs SET value = ? WHERE key = ?", (short, text_key(TEXTS[1])))
    for asked in (TEXTS, TEXTS[:2]):  # with and without a text to embed anyway
        counting = Counting()
        vectors = CachedEncoder(counting, store_folder=tmp_path).encode(asked)
        assert vectors.shape == (len(asked), 4)
        assert TEXTS[1] in counting.asked
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE blobs SET value = ? WHERE key = ?", (short, text_key(TEXTS[1])))
