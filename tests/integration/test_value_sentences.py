"""The answer quotes the sentence the decision found a part's value in: a compound question
about one story whose second part ("how much does it cost?") has few words of its own, so the
extractive scoring fills the budget with the first part's sentences. Real spaCy pipeline, real
embedding model, an article written here."""

from __future__ import annotations

from spacy.language import Language

from bot.answer.judge import judge
from bot.generators.extractive import ExtractiveGenerator
from bot.types import number_sources
from retrieval.embeddings import LocalEmbeddings
from tests.integration.test_evidence import PREFIX, hit

ARTICLE = (
    "An eight megabit broadband service has been launched by internet provider Fastline. "
    "The Fastline broadband service is 16 times faster than the average broadband package. "
    "Fastline says its broadband service is twice as fast as any other broadband in the UK. "
    "The faster broadband service will let Fastline customers download films in minutes. "
    "The Fastline service costs £39.99 a month. "
    "Fastline said the fast broadband service would reach more towns next year."
)
QUESTION = "How fast is Fastline's new broadband service, and how much does it cost?"


def test_the_answer_quotes_the_sentence_holding_each_answered_value(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    hits = [hit("tech/fastline", ARTICLE, "Fastline launches eight megabit broadband", 0)]
    judgement = judge(QUESTION, hits, nlp, embeddings.encode)
    assert [d.answer for d in judgement.decision.parts] == [True, True]
    required = judgement.value_sentences()
    price = len(PREFIX) + ARTICLE.index("The Fastline service costs")  # article offsets
    assert (
        "tech/fastline",
        price,
        price + len("The Fastline service costs £39.99 a month."),
    ) in required
    sources = number_sources(hits)
    # The generator scores sentences against what it is asked; asked the speed only (as the
    # scoring weighs a part with few words of its own) in a budget of one sentence, it leaves
    # the price out, unless the decision's sentence is required.
    generator = ExtractiveGenerator(embeddings, max_words=15)
    speed = "How fast is Fastline's new broadband service?"
    assert "£39.99" not in generator.generate(speed, sources)
    answer = generator.generate(speed, sources, required=required)
    assert "£39.99" in answer
    assert "megabit" in answer or "faster" in answer
