"""A compound question whose later part refers back ("... and what were its total takings?") but
is answered by another article: the decision stage's evidence says the parts lie apart, and the
extractive generator then answers part by part instead of filling the answer from the first
part's article. Real spaCy pipeline, real embedding model, passages written here."""

from __future__ import annotations

from dataclasses import replace

import pytest
from spacy.language import Language

from bot.answer.judge import Judgement, judge
from bot.generators.extractive import ExtractiveGenerator
from bot.generators.extractive.weights import default_weights
from bot.types import number_sources
from retrieval.embeddings import LocalEmbeddings
from tests.integration.test_evidence import hit

WEEKEND = (
    "Comedy sequel Meet The Fockers took $44.7m over the Christmas weekend in North America. "
    "Meet The Fockers took $19.1m on Christmas Day alone, a record for the day. "
    "Meet The Fockers stars Ben Stiller, Robert De Niro, Dustin Hoffman and Barbra Streisand. "
    "Takings at Meet The Fockers' cinemas were down 26.5% on last year's Christmas weekend. "
    "Meet The Fockers knocked Lemony Snicket's A Series of Unfortunate Events down to third. "
    "Meet The Fockers opened on 22 December, two days before the holiday weekend began. "
    "Meet The Fockers is the sequel to Meet The Parents, released in 2000."
)
TOTAL = (
    "Meet The Fockers has taken a total of $163m in its first 12 days on release. "
    "The sequel's total takings after 12 days put it ahead of the original film at that stage."
)
QUESTION = (
    "How much did Meet The Fockers take over the Christmas weekend, and what were its total "
    "takings after 12 days?"
)


def strongest(judgement: Judgement) -> list[str]:
    """The article of each part's strongest evidence window."""
    return [ev.windows[0].article_id for ev in judgement.evidence]


@pytest.fixture(scope="module")
def generator(embeddings: LocalEmbeddings) -> ExtractiveGenerator:
    # One article admitted per selection: the whole question's selection then quotes one story
    # only, whatever the fitted weights admit, so the test sees what part by part adds.
    return ExtractiveGenerator(embeddings, weights=replace(default_weights(), diverse_articles=1))


def test_parts_answered_by_different_articles_are_answered_part_by_part(
    nlp: Language, embeddings: LocalEmbeddings, generator: ExtractiveGenerator
) -> None:
    hits = [
        hit("film/weekend", WEEKEND, "Fockers top Christmas box office", 0),
        hit("film/total", TOTAL, "Fockers sequel passes $160m", 1),
    ]
    judgement = judge(QUESTION, hits, nlp, embeddings.encode)
    assert [d.answer for d in judgement.decision.parts] == [True, True]
    assert judgement.parts_apart()
    sources = number_sources(hits)
    key = {s.hit.article_id: s.key for s in sources}

    together = generator.generate(QUESTION, sources)
    assert judgement.part_articles() == ["film/weekend", "film/total"]
    apart = generator.generate(QUESTION, sources, part_articles=judgement.part_articles())
    # Without the decision's word, the second part ("its total takings") is taken to be about the
    # first part's story: one report fills the answer, whichever the fitted weights prefer.
    cited = {article for article, n in key.items() if f"[{n}]" in together}
    assert len(cited) == 1
    assert "$163m" in apart and f"[{key['film/total']}]" in apart
    assert "$44.7m" in apart and f"[{key['film/weekend']}]" in apart


def test_a_part_that_names_nothing_does_not_set_the_parts_apart(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    # "and what came third?" names nothing: every window carries all of its (no) constraints, so
    # where its strongest window lies says nothing about another story.
    gadgets = (
        "The Sony Walkman has been named the greatest gadget of all time by Mobile PC magazine. "
        "The Walkman beat the Apple iPod to the top spot. "
        "The Commodore 64 came third in the magazine's list of the 100 greatest gadgets."
    )
    other = "Kelly Holmes came third in the 1500m final. Holmes was delighted to come third."
    # The athletics report retrieved first, so that the part naming nothing finds its strongest
    # window there (windows' strength carries the retrieval rank).
    hits = [
        hit("sport/athletics", other, "Holmes takes bronze", 0),
        hit("tech/gadgets", gadgets, "Walkman is the greatest gadget", 1),
    ]
    question = (
        "Which device did Mobile PC magazine name the greatest gadget of all time, and what came "
        "third?"
    )
    judgement = judge(question, hits, nlp, embeddings.encode)
    assert strongest(judgement) == ["tech/gadgets", "sport/athletics"]
    assert not judgement.parts_apart()


def test_a_pronoun_for_the_answer_of_the_first_part_keeps_the_parts_together(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    # "he" is whoever answers "Who voted ...": the part takes all the first part's names (only
    # "UK") and is about the same story, wherever a window naming "UK" and "want" lies.
    rates = (
        "UK interest rates were held at 4.75% by the Bank of England on Thursday. "
        "One member of the rate-setting committee, Paul Tucker, voted against keeping rates on "
        "hold. The committee has raised rates five times in the past year."
    )
    shopping = (
        "Online shoppers in the UK spent a record amount this Christmas. "
        '"I didn\'t know what I wanted to buy my wife," one UK shopper said. '
        "He wanted a gift and ended up shopping on the high street instead."
    )
    hits = [
        hit("business/rates", rates, "Rates held", 0),
        hit("tech/shopping", shopping, "Shoppers", 1),
    ]
    question = (
        "Who voted against keeping UK interest rates on hold at 4.75%, and what did he want "
        "instead?"
    )
    judgement = judge(question, hits, nlp, embeddings.encode)
    assert judgement.evidence[1].part.inherited == ("names",)
    assert strongest(judgement) == ["business/rates", "tech/shopping"]
    assert not judgement.parts_apart()


DUNDEE = (
    "Dundee United eased into the semi-finals of the Scottish Cup with a 4-1 win over Aberdeen. "
    "James Grady put United two up inside half an hour and completed the scoring after the "
    "break, so the striker scored twice. "
    "Richie Byrne's header had briefly given Aberdeen hope before half time."
)
RED_DEVILS = (
    "Manchester United edged past Exeter City in their FA Cup third round replay. "
    "Cristiano Ronaldo scored twice for United, who had been held 0-0 in the first game. "
    "Wayne Rooney missed a late chance to add a third."
)


def test_a_later_part_naming_the_first_parts_team_short_is_about_that_team(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    # "United" in the second part is the first part's Dundee United: the evidence for it must
    # name Dundee United, and Manchester United's report, which says "scored twice for United"
    # word for word, is another story.
    question = (
        "By what score did Dundee United beat Aberdeen in the Scottish Cup, and who scored twice "
        "for United?"
    )
    hits = [
        hit("sport/dundee", DUNDEE, "Dundee Utd 4-1 Aberdeen", 1),
        hit("sport/manutd", RED_DEVILS, "Man Utd 2-0 Exeter", 0),
    ]
    judgement = judge(question, hits, nlp, embeddings.encode)
    second = judgement.evidence[1]
    assert "Dundee United" in second.constraints
    full = [w for w in second.windows if w.constraint_share >= 1.0]
    assert full and full[0].article_id == "sport/dundee"
    assert all(w.article_id == "sport/dundee" for w in full)
    assert not judgement.parts_apart()
