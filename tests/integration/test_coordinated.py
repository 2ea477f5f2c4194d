"""A question about two named things joined by "and" in one clause ("How many jobs are ABN Amro
and Marsh & McLennan cutting?"), each answered by an article of its own. Asked as one part, one
window had to name both banks, and the whole question was abstained on. The analysis offers the
question asked of each thing apart; the evidence stage takes that reading only when no passage
names them together. Real spaCy pipeline, real embedding model, passages written here."""

from __future__ import annotations

from spacy.language import Language

from bot.answer.judge import judge
from bot.answer.question import analyse
from bot.generators.extractive import ExtractiveGenerator
from bot.types import number_sources
from retrieval.embeddings import LocalEmbeddings
from tests.integration.test_evidence import hit

JOBS = "How many jobs are ABN Amro and Marsh & McLennan cutting?"
ABN = (
    "Dutch bank ABN Amro is to cut 2,850 jobs as it tries to reduce costs. "
    "ABN Amro said most of the job losses would fall in the Netherlands. "
    "The bank's shares rose 2% on the news in Amsterdam."
)
MARSH = (
    "Insurance broker Marsh & McLennan is cutting 2,500 jobs after a bid-rigging scandal hit its "
    "profits. Marsh & McLennan said the cuts would save $375m a year. "
    "The firm agreed in January to pay $850m to settle the charges."
)


def test_two_named_things_in_one_clause_are_offered_apart(nlp: Language) -> None:
    analysis = analyse(JOBS, nlp)
    assert len(analysis.parts) == 1
    assert [p.text for p in analysis.apart] == [
        "How many jobs are ABN Amro cutting",
        "How many jobs are Marsh & McLennan cutting",
    ]
    # A name written with "&" is one thing, not two.
    assert [[m.text for m in p.entities] for p in analysis.apart] == [
        ["ABN Amro"],
        ["Marsh & McLennan"],
    ]
    # Retrieval searches for each thing too, so that both stories are among the passages.
    assert analysis.queries() == [p.query for p in analysis.apart]


def test_no_reading_apart_without_two_named_things(nlp: Language) -> None:
    for question in (
        # The kind asked about ("which Labour and Tory MPs"), not two things.
        "Which Labour and Tory MPs voted against the bill?",
        # Joined verbs are clauses, not things (bot.answer.question.joined_verbs).
        "Who bought Chelsea and sold it to Roman Abramovich?",
        # One side names nothing.
        "How many jobs are ABN Amro and other banks cutting?",
    ):
        assert analyse(question, nlp).apart == (), question


def test_things_no_passage_names_together_are_answered_apart(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    hits = [hit("business/abn", ABN, "ABN Amro to cut jobs", 0)]
    hits.append(hit("business/marsh", MARSH, "Marsh & McLennan cuts jobs", 1))
    judgement = judge(JOBS, hits, nlp, embeddings.encode)
    assert judgement.analysis.taken_apart
    assert [d.answer for d in judgement.decision.parts] == [True, True]
    assert judgement.part_articles() == ["business/abn", "business/marsh"]
    asked = judgement.asked(JOBS)
    assert asked == (
        "How many jobs are ABN Amro cutting, and how many jobs are Marsh & McLennan cutting?"
    )
    # The generator reads the parts back from that question and answers each from its article.
    sources = number_sources(hits)
    key = {s.hit.article_id: s.key for s in sources}
    answer = ExtractiveGenerator(embeddings).generate(asked, sources, **judgement.extractive_cue())
    assert "2,850" in answer and f"[{key['business/abn']}]" in answer
    assert "2,500" in answer and f"[{key['business/marsh']}]" in answer


def test_things_a_passage_names_together_stay_one_question(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    question = "What was the score of the match between Ireland and England at Lansdowne Road?"
    assert analyse(question, nlp).apart  # offered: each side names something
    report = (
        "Ireland beat England 19-13 at Lansdowne Road to keep their Triple Crown hopes alive. "
        "Brian O'Driscoll scored the only try for Ireland in the first half."
    )
    judgement = judge(
        question, [hit("sport/ire", report, "Ireland 19-13 England", 0)], nlp, embeddings.encode
    )
    assert not judgement.analysis.taken_apart
    assert len(judgement.decision.parts) == 1
    assert judgement.asked(question) == question
