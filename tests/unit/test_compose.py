"""Which passages each part of a question is answered from (``sources_by_part``)."""

from __future__ import annotations

from bot.generators.extractive.compose import sources_by_part
from bot.types import number_sources
from retrieval.types import Hit


def _hit(article_id: str, n: int) -> Hit:
    return Hit(chunk_id=f"{article_id}:{n}", article_id=article_id, title="t", text="x", score=1.0)


SOURCES = number_sources([_hit("a", 0), _hit("b", 0), _hit("a", 1), _hit("c", 0)])


def _articles(placed: list | None) -> list[list[str]] | None:
    return None if placed is None else [[s.hit.chunk_id for s in part] for part in placed]


def test_each_part_gets_its_articles_passages() -> None:
    assert _articles(sources_by_part(SOURCES, ["a", "b"], 2)) == [["a:0", "a:1"], ["b:0"]]


def test_a_part_placed_nowhere_or_in_an_absent_article_keeps_every_passage() -> None:
    every = [s.hit.chunk_id for s in SOURCES]
    assert _articles(sources_by_part(SOURCES, ["a", None, "z"], 3)) == [
        ["a:0", "a:1"],
        every,
        every,
    ]


def test_no_placement_for_one_article_or_parts_that_do_not_line_up() -> None:
    assert sources_by_part(SOURCES, ["a", "a"], 2) is None
    assert sources_by_part(SOURCES, ["a", None], 2) is None
    assert sources_by_part(SOURCES, ["a", "b"], 3) is None
    assert sources_by_part(SOURCES, [], 2) is None
