"""The answer quotes the sentence naming the person a part asks for by a noun ("Which judge
...?"), though the story's other sentences share more of the question's words. Real spaCy
pipeline, real embedding model, sentences and an article written here."""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.answer.judge import judge
from bot.answer.titled import titled
from bot.generators.extractive import ExtractiveGenerator
from bot.types import number_sources
from retrieval.embeddings import LocalEmbeddings
from tests.integration.test_evidence import PREFIX, hit


@pytest.mark.parametrize(
    ("sentence", "noun", "name", "expected"),
    [
        ("MSP Karen Whitefield wants the shops shut.", "msp", "Karen Whitefield", True),
        ("Her coach Aston Moore told the Times it would be 2006.", "coach", "Aston Moore", True),
        ("Judge Letitia Clark said the case belonged in Russia.", "judge", "Letitia Clark", True),
        ("Aston Moore, her coach, said she would be back.", "coach", "Aston Moore", True),
        ("The club's chairman, Ken Bates, said no.", "chairman", "Ken Bates", True),
        # The noun is there, but not as the name's title.
        ("The coach said Aston Moore was wrong.", "coach", "Aston Moore", False),
        ("Karen Whitefield wants the shops shut.", "msp", "Karen Whitefield", False),
    ],
)
def test_a_name_is_titled_by_the_noun_before_inside_or_beside_it(
    nlp: Language, sentence: str, noun: str, name: str, expected: bool
) -> None:
    entity = next(e for e in nlp(sentence).ents if name in e.text)
    assert titled(entity, noun) is expected


ARTICLE = (
    "A US court has thrown out the bid by Russian oil firm Yukos for bankruptcy protection. "
    "Yukos had sought bankruptcy protection in Houston in a bid to halt the sale of its unit. "
    "The ruling is a blow to the bid by Yukos to win damages over the sale of the unit. "
    "Yukos said it was disappointed that its bid for protection had been thrown out. "
    "Judge Letitia Clark said the case belonged in Russia."
)
QUESTION = "Which judge threw out the Yukos bid for bankruptcy protection?"


def test_the_answer_quotes_the_sentence_naming_the_judge(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    hits = [hit("business/yukos", ARTICLE, "Yukos loses US bankruptcy battle", 0)]
    judgement = judge(QUESTION, hits, nlp, embeddings.encode)
    assert [d.answer for d in judgement.decision.parts] == [True]
    named = "Judge Letitia Clark said the case belonged in Russia."
    at = len(PREFIX) + ARTICLE.index(named)  # article offsets
    required = judgement.extractive_cue()["required"]
    assert ("business/yukos", at, at + len(named)) in required
    sources = number_sources(hits)
    # In a budget of two sentences the scoring quotes those sharing most of the question's
    # words, unless the named judge's sentence is required.
    generator = ExtractiveGenerator(embeddings, max_words=35)
    assert "Letitia Clark" not in generator.generate(QUESTION, sources)
    assert "Letitia Clark" in generator.generate(QUESTION, sources, required=required)


CENTRAL_BANK = (
    "Brazil's economy is recovering thanks to renewed spending, its central bank says. "
    "Spending rose 9% from a year earlier as credit card use picked up again. "
    '"The worst is behind us," said central bank governor Rui Andrade. '
    "The bank decided to keep interest rates at 17.5% on Wednesday."
)


def test_a_who_asking_for_a_title_quotes_the_sentence_naming_its_holder(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    # "Who is X's governor?" asks no noun with "which", but the title it asks who holds is
    # the noun a sentence names the holder by.
    question = "Who is Brazil's central bank governor?"
    hits = [hit("business/brazil", CENTRAL_BANK, "Brazilian spending picks up", 0)]
    judgement = judge(question, hits, nlp, embeddings.encode)
    assert [d.answer for d in judgement.decision.parts] == [True]
    named = '"The worst is behind us," said central bank governor Rui Andrade.'
    at = len(PREFIX) + CENTRAL_BANK.index(named)
    assert ("business/brazil", at, at + len(named)) in judgement.extractive_cue()["required"]
