"""Which passages each part of a question is answered from (``sources_by_part``), and the
sentences the decision found a part's value in (``with_required``)."""

from __future__ import annotations

from bot.generators.extractive.candidates import Candidate, Scored
from bot.generators.extractive.compose import sources_by_part, with_required
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


def _sentence(article: str, position: int, words: int, score: float) -> Scored:
    text = " ".join(["word"] * (words - 1) + [f"{article}{position}."])
    cand = Candidate(text, 1, article, 0, position, 0)
    return Scored(cand, score, 0.0, 0.0, 0.0)


def _picked(chosen: list[Scored]) -> list[tuple[str, int]]:
    return [(s.candidate.article_id, s.candidate.position) for s in chosen]


def test_a_required_sentence_left_out_replaces_the_weakest_chosen() -> None:
    # The decision answered "how much does it cost?" from the £39.99 sentence (position 300);
    # the scoring chose others. It goes in; the weakest chosen sentence makes room.
    chosen = [
        _sentence("a", 0, 20, 3.0),
        _sentence("a", 100, 20, 1.0),
        _sentence("a", 200, 20, 2.0),
    ]
    price = _sentence("a", 300, 15, 0.5).candidate
    others = [price, _sentence("b", 300, 15, 9.0).candidate]
    out = with_required(chosen, [*others, *(s.candidate for s in chosen)], [("a", 290, 360)], 60)
    assert _picked(out) == [("a", 0), ("a", 200), ("a", 300)]
    # Already chosen, or not among the candidates: nothing changes.
    assert _picked(with_required(chosen, others, [("a", 95, 150)], 60)) == _picked(chosen)
    assert _picked(with_required(chosen, others, [("c", 0, 50)], 60)) == _picked(chosen)
