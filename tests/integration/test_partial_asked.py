"""A partial answer is written for the parts the decision answered, each asked with the names it
took over from the part left out. Asked in its bare words ("when were the shares bought"), a
training question's second part was answered from another company's share sale. Real spaCy
pipeline, real embedding model, articles written here."""

from __future__ import annotations

from spacy.language import Language

from bot.answer.judge import judge
from bot.generators.extractive import ExtractiveGenerator
from bot.types import number_sources
from retrieval.embeddings import LocalEmbeddings
from tests.integration.test_evidence import hit

STAKE = (
    "Chinese online game operator Shanda Interactive has bought a 20% stake in Sina, the "
    "country's biggest internet portal. Shanda said it may boost its stake in Sina. In a filing "
    "with regulators, Sina said its shares were bought between 12 January and 10 February."
)
SALE = (
    "The exchange's early investors bought shares in private placements during 2000 and 2001. "
    "Investors who bought shares in the placings will sell them in the offering. The shares "
    "were bought by pension funds and were first traded in 2002."
)
QUESTION = (
    "How much did Shanda Interactive pay for its stake in Sina, and when were the shares bought?"
)


def test_a_partial_answer_asks_the_answered_part_of_the_story_the_question_names(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    hits = [
        hit("business/stake", STAKE, "Shanda buys stake in Sina", 0),
        hit("business/sale", SALE, "Exchange plans share sale", 1),
    ]
    judgement = judge(QUESTION, hits, nlp, embeddings.encode)
    # No amount is given: the first part is abstained on, the second answered.
    assert [d.answer for d in judgement.decision.parts] == [False, True]
    asked = judgement.asked(QUESTION)
    assert "Shanda Interactive" in asked and "Sina" in asked
    assert asked.endswith("when were the shares bought")
    answer = ExtractiveGenerator(embeddings, max_words=40).generate(
        asked, number_sources(hits), **judgement.extractive_cue()
    )
    assert "12 January" in answer
    # Nothing of the other company's sale (asked bare, the part quoted "The shares were bought
    # by pension funds ..." too).
    assert not any(sentence in answer for sentence in SALE.split(". "))
