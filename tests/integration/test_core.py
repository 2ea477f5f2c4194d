"""The answering core over a real Chroma store holding the seed article, with the real model."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.core import Answerer
from bot.generators import GeneratorError, build_generator
from bot.prompts import render_answer_prompt
from bot.question import QUESTION_EMPTY
from bot.settings import Settings
from bot.types import FALLBACK_NOTE, NO_ANSWER_MESSAGE, Source, Turn, number_sources
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import load_articles
from tests.support import SEED_QUESTIONS, SEEDS


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"store_path": tmp / "store", "collection": "seedtest"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def seed_kb(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> KnowledgeBase:
    tmp = tmp_path_factory.mktemp("core")
    kb = KnowledgeBase(make_settings(tmp).retrieval, embeddings)
    kb.ingest(SEEDS)
    return kb


@pytest.fixture(scope="module")
def answerer(seed_kb: KnowledgeBase) -> Answerer:
    settings = make_settings(Path(str(seed_kb.config.store_path)).parent)
    return Answerer(seed_kb, seed_kb.embeddings, settings)


class SpyGenerator:
    """Records calls; answers with a fixed draft or raises."""

    def __init__(self, draft: str = "", error: Exception | None = None) -> None:
        self.name = "spy"
        self.draft = draft
        self.error = error
        self.calls: list[str] = []

    def generate(self, question: str, sources: Sequence[Source], prompt: Any) -> str:
        self.calls.append(question)
        if self.error:
            raise self.error
        return self.draft


def with_spy(seed_kb: KnowledgeBase, spy: SpyGenerator, **overrides: Any) -> Answerer:
    def factory(name: str, settings: Settings, embeddings: LocalEmbeddings) -> Any:
        return spy if name == "spy" else build_generator(name, settings, embeddings)

    settings = make_settings(Path(str(seed_kb.config.store_path)).parent, **overrides)
    return Answerer(seed_kb, seed_kb.embeddings, settings, generator_factory=factory)


# --- validation ---------------------------------------------------------------------------------


def test_the_extractive_generator_shares_the_answerers_encoder_cache(answerer: Answerer) -> None:
    # One cache of sentence vectors per Answerer: the generator and the citation check share it.
    assert answerer.extractive.encoder is answerer.encoder
    other = Answerer(answerer.searcher, answerer.embeddings, answerer.settings)
    assert other.encoder is not answerer.encoder


def test_a_question_with_invalid_characters_is_answered_with_them_replaced(
    answerer: Answerer,
) -> None:
    answer = answerer.answer("What did Johnson say \udcff about\x00 Russia?")
    assert answer.status == "answered"
    assert answer.question == "What did Johnson say \ufffd about\ufffd Russia?"
    assert answer.standalone_question == answer.question


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
def test_empty_question_gets_a_clear_message(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    assert answer.status == "error"
    assert answer.text == answer.error == QUESTION_EMPTY
    assert answer.hits == ()
    assert set(answer.timings_ms) >= {"validate", "total"}


def test_too_long_question_names_the_limit(seed_kb: KnowledgeBase) -> None:
    ans = with_spy(seed_kb, SpyGenerator(), max_question_chars=50)
    answer = ans.answer("What did Johnson say about Russia and about Syria and about Assad?")
    assert answer.status == "error"
    assert "limit is 50" in answer.error
    assert "too long" in answer.error


def test_unknown_generator_is_an_error_not_an_exception(answerer: Answerer) -> None:
    answer = answerer.answer("What did Johnson say about Russia?", generator="nonesuch")
    assert answer.status == "error"
    assert "nonesuch" in answer.error and "extractive" in answer.error
    # GeneratorError messages are ours, written to say which setting to fix: shown as they are.
    assert "(ref " not in answer.error


def test_non_string_question_does_not_raise(answerer: Answerer) -> None:
    answer = answerer.answer(None)  # type: ignore[arg-type]
    assert answer.status == "error"


# --- answers ------------------------------------------------------------------------------------


def test_answer_with_citations_quotes_and_spans(answerer: Answerer) -> None:
    answer = answerer.answer("What did Johnson say about Russia?")
    assert answer.status == "answered", answer
    assert answer.generator == "extractive"
    text = answer.text.lower()
    # Johnson's own words on Russia, quoted (which of his sentences depends on the fitted
    # scoring weights: bot/generators/extractive/scoring_params.json).
    for phrase in ("sanctions", "assad", "toxifying the reputation of russia"):
        assert phrase in text
    assert answer.citations, "an answer must list its sources"
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    body = load_articles(SEEDS).articles[0].body
    for c in answer.citations:
        assert c.title.startswith("G7 meeting")
        assert c.quote and body[c.start : c.end] == c.quote
        assert f"[{c.number}]" in answer.text
    assert answer.prompt_id and len(answer.prompt_id) == 12
    assert set(answer.timings_ms) == {
        "validate",
        "condense",
        "retrieve",
        "decide",
        "generate",
        "check",
        "total",
    }
    assert answer.hits and answer.hits[0].dense_score is not None
    # The JSON shape of `newsdesk ask --json`.
    data = json.loads(json.dumps(answer.to_json()))
    assert data["citations"][0].keys() >= {"n", "article_id", "title", "quote", "url"}


def test_brazil_abstains_without_calling_the_generator(seed_kb: KnowledgeBase) -> None:
    spy = SpyGenerator("Johnson said Brazil has a choice [1].")
    ans = with_spy(seed_kb, spy)
    answer = ans.answer("What did Johnson say about Brazil?", generator="spy")
    assert answer.status == "no_answer"
    assert answer.text == NO_ANSWER_MESSAGE
    assert answer.citations == ()
    assert spy.calls == []


def test_generator_failure_falls_back_to_extractive(seed_kb: KnowledgeBase) -> None:
    spy = SpyGenerator(error=GeneratorError("The language model is down"))
    ans = with_spy(seed_kb, spy)
    answer = ans.answer("What did Johnson say about Russia?", generator="spy")
    assert spy.calls
    assert answer.status == "answered"
    assert answer.generator == "extractive"
    assert any("The language model is down" in d.reason for d in answer.dropped)
    assert "toxifying the reputation of Russia" in answer.text


def test_unsupported_draft_falls_back_and_records_why(seed_kb: KnowledgeBase) -> None:
    spy = SpyGenerator("Johnson said Brazil has a choice [1]. Nothing else is known.")
    ans = with_spy(seed_kb, spy)
    answer = ans.answer("What did Johnson say about Russia?", generator="spy")
    assert answer.status == "answered"
    assert answer.generator == "extractive"
    reasons = " | ".join(d.reason for d in answer.dropped)
    assert "'brazil'" in reasons
    assert "too little of the spy draft survived" in reasons
    assert "Brazil" not in answer.text


@pytest.mark.parametrize(
    ("draft", "reason"),
    [
        # A reply of markers only has no sentence: the reason says so, not "0 of 0 sentences".
        ("[1]", "the spy draft had no sentence to check"),
        (
            "Johnson said Brazil has a choice [1].",
            "too little of the spy draft survived the citation check (0 of 1 sentence)",
        ),
    ],
)
def test_fallback_reason_counts_the_draft_sentences(
    seed_kb: KnowledgeBase, draft: str, reason: str
) -> None:
    ans = with_spy(seed_kb, SpyGenerator(draft))
    answer = ans.answer("What did Johnson say about Russia?", generator="spy")
    assert answer.generator == "extractive"
    assert answer.fallback == reason
    # The note under the answer: the model answered, so it did not fail to be used; its
    # answer was not used (a "[1]" reply looked, in the note's old words, like a broken model).
    [note] = [n for n in answer.notes if "own sentences" in n]
    assert "could not be used" not in note
    assert "answer was not used" in note


class BrokenStore:
    """A store whose database has gone: the error names its path, as sqlite's errors do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[Any]:
        raise sqlite3.OperationalError(f"unable to open database file: {self.path}")

    def count(self) -> int:
        return 1


PLAIN_FAILURE = re.compile(r"(?P<sentence>[A-Z][^:\[\]/_]+\.) \(ref (?P<ref>[0-9a-f]{8})\)")


def test_a_search_failure_is_a_plain_sentence_and_a_reference_the_cause_only_in_the_log(
    embeddings: LocalEmbeddings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Row "Error replies leak internals and lack a reference", for every front end.
    path = tmp_path / "store" / "chroma.sqlite3"
    ans = Answerer(BrokenStore(path), embeddings, make_settings(tmp_path))
    with caplog.at_level(logging.ERROR, logger="bot.core"):
        answer = ans.answer("What did Johnson say about Russia?")
    assert answer.status == "error"
    match = PLAIN_FAILURE.fullmatch(answer.error)
    assert match, answer.error
    assert match["sentence"].startswith("Searching the articles failed")
    assert answer.text == answer.error
    shown = json.dumps(answer.to_json())
    assert str(path) not in shown and "OperationalError" not in shown
    [record] = [r for r in caplog.records if match["ref"] in r.getMessage()]
    assert str(path) in record.getMessage() and "OperationalError" in record.getMessage()
    assert record.exc_info is not None  # the traceback, for whoever reads the log


def test_a_generator_that_cannot_be_built_is_plain_too(
    seed_kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = tmp_path / "models" / "weights.gguf"

    def factory(name: str, settings: Settings, embeddings: LocalEmbeddings) -> Any:
        if name == "spy":
            raise OSError(2, "No such file or directory", str(model))
        return build_generator(name, settings, embeddings)

    settings = make_settings(Path(str(seed_kb.config.store_path)).parent)
    ans = Answerer(seed_kb, seed_kb.embeddings, settings, generator_factory=factory)
    with caplog.at_level(logging.ERROR, logger="bot.core"):
        answer = ans.answer("What did Johnson say about Russia?", generator="spy")
    match = PLAIN_FAILURE.fullmatch(answer.error)
    assert answer.status == "error" and match, answer.error
    assert str(model) not in answer.error and "Errno" not in answer.error
    assert any(
        match["ref"] in r.getMessage() and str(model) in r.getMessage() for r in caplog.records
    )


def test_a_model_that_declines_when_the_passages_answer_falls_back_and_says_so(
    seed_kb: KnowledgeBase,
) -> None:
    # Small models often write the no-answer sentence for questions the articles answer: the
    # decision, not the model, decides whether to answer.
    spy = SpyGenerator(NO_ANSWER_MESSAGE)
    ans = with_spy(seed_kb, spy)
    answer = ans.answer("What did Johnson say about Russia?", generator="spy")
    assert spy.calls
    assert answer.status == "answered"
    assert answer.generator == "extractive"
    assert "answered that the articles do not say" in answer.fallback
    assert answer.draft == NO_ANSWER_MESSAGE
    assert FALLBACK_NOTE in answer.notes
    data = answer.to_json()
    assert data["fallback"] == answer.fallback and data["draft"] == NO_ANSWER_MESSAGE


def test_the_decision_is_in_the_answer(answerer: Answerer) -> None:
    answer = answerer.answer("What did Johnson say about Brazil?")
    assert answer.status == "no_answer"
    decision = answer.to_json()["decision"]
    assert decision["outcome"] == "no_answer"
    assert decision["parts"][0]["action"] == "abstain"
    assert "brazil" in decision["parts"][0]["reason"].lower()


def test_follow_up_is_condensed_before_searching(answerer: Answerer) -> None:
    history = [Turn("What did Johnson say about Russia?", "...")]
    answer = answerer.answer("and what about Assad?", history)
    assert answer.standalone_question != "and what about Assad?"
    assert "Johnson" in answer.standalone_question
    assert answer.status == "answered"


def test_k_limits_the_hits(answerer: Answerer) -> None:
    answer = answerer.answer("What did Johnson say about Russia?", k=2)
    assert len(answer.hits) <= 2


def test_the_decision_threshold_setting_overrides_the_fitted_one(seed_kb: KnowledgeBase) -> None:
    ans = with_spy(seed_kb, SpyGenerator(), decision_threshold=1.0)
    assert ans.decision_params.threshold == 1.0
    # No probability reaches 1, so even a question the article answers is declined.
    answer = ans.answer("Which nerve agent was the Assad regime accused of using?")
    assert answer.status == "no_answer"
    assert answer.dropped and answer.dropped[0].reason.startswith("abstained: ")


def test_a_decision_fitted_without_anchored_evidence_is_named_when_the_setting_is_on(
    seed_kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    # The decision reads features that anchoring changes (docs/performance.md): turned on
    # without a refit, the operator is told, once, instead of getting quietly other answers.
    with caplog.at_level(logging.WARNING, logger="bot.answer.decision"):
        assert with_spy(seed_kb, SpyGenerator()).decision_params
        assert "NEWSDESK_EVIDENCE_ANCHORED" not in caplog.text
        ans = with_spy(seed_kb, SpyGenerator(), evidence_anchored=True)
        assert ans.decision_params is ans.decision_params
    warnings = [r for r in caplog.records if "NEWSDESK_EVIDENCE_ANCHORED" in r.getMessage()]
    assert len(warnings) == 1 and "make fit" in warnings[0].getMessage()


def test_the_rendered_answer_prompt_shows_sources_and_question(answerer: Answerer) -> None:
    # The one renderer of the filled answer prompt (used by the LLM generators and the REPL).
    hits = answerer.searcher.search("What did Johnson say about Russia?", k=2)
    text = render_answer_prompt(
        answerer.load_answer_prompt(), "What did Johnson say about Russia?", number_sources(hits)
    )
    assert "[1]" in text and "[2]" in text
    assert "What did Johnson say about Russia?" in text
    assert NO_ANSWER_MESSAGE in text


# --- the seed questions end to end ----------------------------------------------------------------


@pytest.mark.skipif(not SEED_QUESTIONS.exists(), reason="../shared/eval is not available")
def test_seed_questions_answered_and_abstained(answerer: Answerer, tmp_path: Path) -> None:
    from bot.eval.answers import evaluate_answers

    report = evaluate_answers(answerer, SEED_QUESTIONS, None, tmp_path / "seed.json")
    overall = report["aggregates"]["overall"]
    misses = [
        (r["question"], r["status"], r["missing"])
        for r in report["records"]
        if (r["answerable"] and (r["status"] != "answered" or r["coverage"] < 0.8))
        or (not r["answerable"] and r["status"] != "no_answer")
    ]
    assert overall["answered"] == 9, misses
    # Issue 8's target is 3 of 3; the fitted decision (nothing fitted on these questions) answers
    # "What is the exact text of the G7 foreign ministers' final communique?" from the article's
    # sentences about the meeting (training/README.md, session 45). This floor catches a
    # regression; the target is not met.
    assert overall["abstained"] >= 2, misses
    assert overall["coverage"] >= 0.8, misses
    saved = json.loads((tmp_path / "seed.json").read_text())
    assert saved["prompt_id"] and len(saved["records"]) == 12
    assert saved["records"][0]["answer"]["status"] in {"answered", "no_answer"}


def test_seed_kb_settings_store_is_used(seed_kb: KnowledgeBase) -> None:
    # Guard against a fixture that silently searched an empty store.
    assert seed_kb.count() >= 1
    assert seed_kb.config.model_copy().collection == "seedtest"


def test_a_later_part_is_searched_with_the_names_it_took_over(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "what did he say about Russia" alone finds any story about Russia; "he" is Johnson.
    searched: list[Sequence[str]] = []
    search = answerer._search

    def spy(question: str, parts: Sequence[str], k: int) -> Any:
        searched.append(parts)
        return search(question, parts, k)

    monkeypatch.setattr(answerer, "_search", spy)
    answerer.answer(
        "Where did Boris Johnson meet the G7 ministers, and what did he say about Russia?"
    )
    assert list(searched[-1]) == [
        "Where did Boris Johnson meet the G7 ministers",
        "Boris Johnson what did he say about Russia",
    ]


def test_a_compound_question_is_answered_part_by_part(answerer: Answerer) -> None:
    # The article answers the first part, and gives no cost of the meeting: the answer says what
    # the article says, cited, then plainly which part it does not answer.
    answer = answerer.answer(
        "What did Johnson say about Russia, and how much did the G7 meeting in Lucca cost?"
    )
    assert answer.status == "answered", answer.dropped
    assert answer.judgement is not None and answer.judgement.outcome == "partial"
    first, second = answer.judgement.decision.parts
    assert first.answer and not second.answer
    assert second.reason == "no amount is given near 'G7' and 'Lucca'"
    # Johnson's words on Russia (phrases of the seed question's must-mention list).
    assert any(p in answer.text for p in ("stick like glue", "toxifying the reputation of Russia"))
    assert answer.text.endswith(
        'The articles don\'t say: "how much did the G7 meeting in Lucca cost?"'
    )
    # Only the answered part's sentences are cited.
    assert answer.citations and all(f"[{c.number}]" in answer.text for c in answer.citations)
