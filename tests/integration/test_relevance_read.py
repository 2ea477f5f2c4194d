"""The judge reads each part's strongest windows with the shipped cross-encoder, and a report
that names its subject only in the headline still reads as on the subject."""

from __future__ import annotations

from spacy.language import Language

from bot.answer.judge import judge, weigh_parts
from bot.answer.passages import prepare_passages
from bot.answer.question import analyse
from bot.answer.relevance import FLOOR, WINDOWS, candidates, default_model, pair_text
from retrieval.embeddings import LocalEmbeddings
from tests.integration.test_evidence import hit

TITLE = "Harbour board approves the Velkaron tidal barrier"
ARTICLE = (
    "The harbour board of Saltmere approved the plan on Tuesday. The barrier will cost 212 "
    "million euros and is due to close the estuary against storm surges from 2031. Fishing "
    "crews asked for a lock wide enough for their boats, and the board agreed to add one."
)
QUESTION = "How much will the Velkaron tidal barrier cost?"


def test_every_part_is_read_by_the_judge(nlp: Language, embeddings: LocalEmbeddings) -> None:
    question = f"{QUESTION} And who asked for a lock?"
    judgement = judge(question, [hit("news/velkaron", ARTICLE, TITLE)], nlp, embeddings.encode)
    assert len(judgement.evidence) == 2
    for ev in judgement.evidence:
        assert ev.relevance is not None and ev.relevance > FLOOR


def test_nothing_retrieved_reads_as_the_floor(nlp: Language, embeddings: LocalEmbeddings) -> None:
    judgement = judge(QUESTION, [], nlp, embeddings.encode)
    assert [ev.relevance for ev in judgement.evidence] == [FLOOR]
    assert judgement.outcome == "no_answer"


def test_the_answer_sentence_without_the_name_reads_above_an_off_subject_one() -> None:
    # Session 51's reader, trained on bare sentences, scored "The barrier will cost ..." as
    # low as a sentence about something else: the name it asks about is only in the headline.
    model = default_model()
    answer, other = model.logits(
        QUESTION,
        [
            pair_text(
                TITLE,
                "The barrier will cost 212 million euros and is due to close the "
                "estuary against storm surges from 2031.",
            ),
            pair_text(TITLE, "Fishing crews asked for a lock wide enough for their boats."),
        ],
    )
    assert answer > other


def test_each_window_is_read_whole_after_its_title(
    nlp: Language, embeddings: LocalEmbeddings
) -> None:
    # An answer often names its subject in one sentence and gives the fact in the next: the
    # window (a sentence with its neighbours) is what is read, so both are read together.
    passages = prepare_passages([hit("news/velkaron", ARTICLE, TITLE)], nlp, embeddings.encode)
    _, evidence = weigh_parts(analyse(QUESTION, nlp), passages, embeddings.encode)
    texts = candidates(evidence[0], passages)
    assert 0 < len(texts) == len(set(texts)) <= WINDOWS
    assert all(t.startswith(f"{TITLE} | ") for t in texts)
    assert any("approved the plan" in t and "will cost 212 million euros" in t for t in texts)
