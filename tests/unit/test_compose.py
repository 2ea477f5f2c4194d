"""Which passages each part of a question is answered from (``sources_by_part``), the sentences
the decision found a part's value in (``with_required``), and the quotations a chosen sentence
leaves open (``complete_quotations``)."""

from __future__ import annotations

from bot.answer.speakers import quotation_ends
from bot.generators.extractive.candidates import Candidate, Scored
from bot.generators.extractive.compose import complete_quotations, sources_by_part, with_required
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


def test_where_a_sentence_opens_or_closes_a_quotation() -> None:
    assert quotation_ends("\"We had the initiative but it wasn't easy.") == (False, True)
    assert quotation_ends('It was a professional performance," the Dutchman said.') == (True, False)
    assert quotation_ends('He said: "We will win.') == (False, True)
    assert quotation_ends('He said: "We will win."') == (False, False)
    assert quotation_ends('He branded it "two-bit" and left.') == (False, False)
    assert quotation_ends("“Yes,” he said. “We will") == (False, True)
    assert quotation_ends("no quotation at all") == (False, False)
    # A closing quote the segmenter left at the start of the next sentence closes.
    assert quotation_ends('" Hailey later recalled.') == (True, False)


def _quote_article() -> list[Candidate]:
    texts = [
        "Jol praised his players after the 3-0 win.",
        "\"We had the initiative but it wasn't easy.",
        'It was a professional sort of performance," the Dutchman said.',
        "Forest had chances early on.",
        '"They played well," said Megson.',
    ]
    out, position = [], 0
    for text in texts:
        out.append(Candidate(text, 1, "a", 0, position, 0))
        position += len(text) + 1
    return out


def _scored(cand: Candidate, score: float) -> Scored:
    return Scored(cand, score, 0.0, 0.0, 0.0)


def test_a_quotation_left_open_is_completed_by_the_next_sentence() -> None:
    article = _quote_article()
    chosen = [_scored(article[0], 2.0), _scored(article[1], 1.0)]
    out = complete_quotations(chosen, article, max_words=100)
    assert [s.candidate.text for s in out] == [c.text for c in article[:3]]
    # A sentence that closes a quotation brings the one that opened it.
    out = complete_quotations([_scored(article[2], 1.0)], article, max_words=100)
    assert [s.candidate.position for s in out] == [article[1].position, article[2].position]
    # Balanced sentences are left alone.
    balanced = [_scored(article[0], 2.0), _scored(article[4], 1.0)]
    assert complete_quotations(balanced, article, max_words=100) == balanced


def test_a_completed_quotation_stands_or_falls_within_the_word_budget() -> None:
    article = _quote_article()
    chosen = [_scored(article[0], 2.0), _scored(article[1], 1.0)]
    # 8 + 8 words fit; with the 9 words that close the quotation they do not: the opener is
    # left out rather than shown with a quotation mark and no end.
    out = complete_quotations(chosen, article, max_words=20)
    assert [s.candidate.text for s in out] == [article[0].text]
    # The strongest sentence always stays, completed.
    out = complete_quotations([_scored(article[1], 1.0)], article, max_words=5)
    assert len(out) == 2
    # A required sentence (the decision's value sentence) stays whatever the budget.
    required = [("a", article[1].position, article[1].position + 1)]
    out = complete_quotations(chosen, article, max_words=20, required=required)
    assert [s.candidate.text for s in out] == [article[1].text, article[2].text]


def test_a_quotation_whose_other_sentences_are_not_there_stays_as_it_is() -> None:
    article = _quote_article()
    alone = [article[0], article[1]]  # the sentence closing the quotation was not retrieved
    chosen = [_scored(article[1], 1.0)]
    assert complete_quotations(chosen, alone, max_words=100) == chosen


def test_a_name_the_question_gives_is_not_new_with_a_courtesy_title() -> None:
    """ "Ms Hutt" is the question's Jane Hutt, not a person it asks for; "Dr Brian Gibbons" is
    one (``type_match`` counts the names a sentence adds to the question's)."""
    from bot.generators.extractive.scoring import type_match

    question = "Who took over from Jane Hutt as the Welsh assembly's health minister?"
    words = {"who", "took", "over", "from", "jane", "hutt", "welsh", "health", "minister"}

    def cand(text: str, entities: tuple[tuple[str, str], ...]) -> Candidate:
        return Candidate(text, 1, "p/1", 0, 0, 0, entities=entities)

    hutt = cand("Meanwhile Ms Hutt defended her record.", (("Ms Hutt", "PERSON"),))
    assert type_match(hutt, ["person"], question, words) == 0.0
    gibbons = cand(
        "Dr Brian Gibbons, on his first day after Jane Hutt was sacked, spoke.",
        (("Brian Gibbons", "PERSON"), ("Jane Hutt", "PERSON")),
    )
    assert type_match(gibbons, ["person"], question, words) == 0.5
