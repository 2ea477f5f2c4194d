"""Which articles an extractive answer quotes (``bot.generators.extractive.articles``): a
question that names two people whose stories are two articles quotes both, even when the
second article's sentences score well below the first's. Real embedding model, real spaCy
pipeline, articles written here."""

from __future__ import annotations

from bot.generators.extractive import ExtractiveGenerator
from bot.types import number_sources
from retrieval.embeddings import LocalEmbeddings
from tests.integration.test_evidence import hit

CALLAGHAN = (
    "Former prime minister Lord Callaghan has died at his home in East Sussex, aged 92. "
    "Lord Callaghan, the former prime minister, led the Labour government from 1976 to 1979. "
    "The former prime minister had been the only politician to hold all four great offices. "
    "Tony Blair said the former prime minister was a giant of the Labour movement."
)
SCARMAN = (
    "Lord Scarman's report on the Brixton riots of 1981 called for changes to policing. "
    "The judge, who was 93, had championed a bill of rights for Britain. "
    "Lawyers said his report changed how the police dealt with inner cities."
)
QUESTION = (
    "How old were the former judge Lord Scarman and the former prime minister Lord Callaghan "
    "when they died?"
)


def test_a_question_naming_two_people_quotes_each_ones_article(
    embeddings: LocalEmbeddings,
) -> None:
    sources = number_sources(
        [
            hit("politics/callaghan", CALLAGHAN, "Former PM Lord Callaghan dies", 0),
            hit("politics/scarman", SCARMAN, "Brixton riots judge Scarman dies", 1),
        ]
    )
    generator = ExtractiveGenerator(embeddings, max_words=150)
    chosen = generator.select(QUESTION, sources)
    quoted = {s.candidate.article_id for s in chosen}
    assert quoted == {"politics/callaghan", "politics/scarman"}, [s.candidate.text for s in chosen]
    # A question about one of them only quotes one article.
    alone = generator.select("How old was Lord Callaghan when he died?", sources)
    assert {s.candidate.article_id for s in alone} == {"politics/callaghan"}
