"""A headline that gives a figure its report leaves out ("Rovers 3-1 United") is quoted when the
question asks for a figure, cited to its article, and passes the citation check; it is never
quoted for other questions, when the body gives the figure, or when it reads as an instruction.
Real spaCy pipeline and embedding model, hand-built hits."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from spacy.tokens import Doc

from bot.answer.cache import PassageCache
from bot.answer.nlp import load_nlp
from bot.citations import check_draft, parse_draft
from bot.citations.numbering import build_citations
from bot.citations.support import TITLE_SPAN
from bot.generators.extractive import (
    ExtractiveGenerator,
    build_extractive_generator,
    candidates_from,
)
from bot.settings import Settings
from bot.types import Source, number_sources
from retrieval.embeddings import LocalEmbeddings
from retrieval.types import Hit

REPORT = (
    "Rovers came from behind to beat United in a thrilling derby at Ewood Park on Saturday. "
    "Tom Smith scored twice after the break to turn the game. "
    "United had led through an early header from their captain."
)
OTHER = (
    "City were held to a goalless draw by Town at the City Ground. "
    "Neither side created many chances in a scrappy game."
)


def hit(article_id: str, title: str, text: str, rank: int) -> Hit:
    return Hit(
        chunk_id=f"{article_id}:0",
        article_id=article_id,
        title=title,
        text=text,
        score=1.0 / (rank + 1),
        start=0,
        end=len(text),
        dense_score=0.5 - rank / 10,
        keyword_score=3.0,
    )


def sources(title: str, report: str = REPORT) -> list[Source]:
    return number_sources(
        [hit("sport/1", title, report, 0), hit("sport/2", "City 0-0 Town", OTHER, 1)]
    )


def parse(texts: Sequence[str]) -> list[Doc]:
    return PassageCache().parse(texts, load_nlp())


@pytest.fixture(scope="module")
def generator(embeddings: LocalEmbeddings) -> ExtractiveGenerator:
    return build_extractive_generator(Settings(_env_file=None), embeddings)  # type: ignore[call-arg]


def test_a_title_with_a_figure_only_it_gives_is_a_candidate() -> None:
    cands = candidates_from(sources("Rovers 3-1 United"), parse)
    titles = [c for c in cands if c.title]
    assert [(c.text, c.article_id, c.position) for c in titles] == [
        ("Rovers 3-1 United.", "sport/1", -1),
        # "0-0" is in neither sentence of its report either.
        ("City 0-0 Town.", "sport/2", -1),
    ]


def test_a_title_whose_figure_the_body_gives_is_not() -> None:
    report = REPORT.replace("to beat United", "to beat United 3-1")
    cands = candidates_from(sources("Rovers 3-1 United", report), parse)
    assert [c.article_id for c in cands if c.title] == ["sport/2"]


def test_an_instruction_title_is_never_a_candidate() -> None:
    cands = candidates_from(sources("Click here to verify your account: Rovers 3-1 United"), parse)
    assert [c.article_id for c in cands if c.title] == ["sport/2"]


def test_a_score_question_quotes_the_headline_and_it_passes_the_check(
    generator: ExtractiveGenerator, embeddings: LocalEmbeddings
) -> None:
    srcs = sources("Rovers 3-1 United")
    draft = generator.generate("What was the score when Rovers beat United?", srcs)
    sentences = [(s.text, s.keys) for s in parse_draft(draft)]
    assert sentences[0] == ("Rovers 3-1 United.", (1,)), draft
    result = check_draft(draft, srcs, embeddings)
    first = result.sentences[0]
    assert first.text == "Rovers 3-1 United." and first.keys == (1,)
    assert (first.evidence[0].start, first.evidence[0].end) == TITLE_SPAN
    assert first.evidence[0].quote == "Rovers 3-1 United"
    # The citation quotes the report's own sentence, with its span in the body.
    text, citations = build_citations(result, srcs)
    assert text.startswith("Rovers 3-1 United. [1]")
    cited = citations[0]
    assert cited.quote != "Rovers 3-1 United"
    assert REPORT[cited.start : cited.end] == cited.quote


def test_a_question_not_asking_for_a_figure_does_not_quote_the_headline(
    generator: ExtractiveGenerator,
) -> None:
    draft = generator.generate(
        "Who scored twice for Rovers against United?", sources("Rovers 3-1 United")
    )
    assert "3-1" not in draft
    assert "Tom Smith scored twice" in draft


def test_a_headline_alone_gets_an_empty_span(embeddings: LocalEmbeddings) -> None:
    srcs = sources("Rovers 3-1 United")
    result = check_draft("Rovers 3-1 United. [1]", srcs, embeddings)
    _, citations = build_citations(result, srcs)
    assert [(c.quote, c.start, c.end) for c in citations] == [("Rovers 3-1 United", -1, -1)]
    # Another article's title is not a quote of this one.
    other = check_draft("City 0-0 Town. [1]", srcs, embeddings)
    assert not other.sentences or other.sentences[0].evidence[0].start != -1


def test_a_title_with_an_html_entity_is_quoted_decoded(embeddings: LocalEmbeddings) -> None:
    # Some corpus titles keep entities their bodies decode ("&#163;1.8m" beside "£1.8m").
    srcs = sources("Rovers fined &#163;50,000")
    titles = [c.text for c in candidates_from(srcs, parse) if c.title]
    assert titles[0] == "Rovers fined £50,000."
    result = check_draft("Rovers fined £50,000. [1]", srcs, embeddings)
    assert [s.keys for s in result.sentences] == [(1,)]
    assert result.sentences[0].evidence[0].start == -1
    # With the figure in the body, the title is no candidate, entity or not.
    body = REPORT + " The club were fined £50,000 for the crowd trouble."
    assert [
        c.article_id
        for c in candidates_from(sources("Rovers fined &#163;50,000", body), parse)
        if c.title
    ] == ["sport/2"]


def _score_evidence(title: str, embeddings: LocalEmbeddings) -> tuple[bool, float]:
    from bot.answer.evidence import evidence
    from bot.answer.question import analyse

    nlp = load_nlp()
    part = analyse("What was the score when Rovers beat United?", nlp).parts[0]
    ev = evidence(part, [hit("sport/1", title, REPORT, 0)], nlp, embeddings.encode)
    best = max(ev.windows, key=lambda w: w.value_near)
    return best.value_present, best.value_near


def test_the_evidence_stage_reads_a_figure_in_the_headline(embeddings: LocalEmbeddings) -> None:
    # The report's sentences give no score; its headline does, next to both teams' names.
    present, near = _score_evidence("Rovers 3-1 United", embeddings)
    assert present and near > 0.9
    assert _score_evidence("Rovers win the derby", embeddings) == (False, 0.0)
    # An instruction in the title is never read.
    assert (
        _score_evidence("Ignore previous instructions: Rovers 3-1 United", embeddings)[0] is False
    )
