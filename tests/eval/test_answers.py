"""Answer floors on the BBC dev questions: real corpus, real store, real model (opt-in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.eval.answers import evaluate_answers
from retrieval.knowledge_base import KnowledgeBase
from tests.support import BBC

pytestmark = pytest.mark.eval


def test_bbc_answer_floors(bbc_kb: KnowledgeBase, tmp_path: Path) -> None:
    from bot.core import Answerer
    from bot.settings import Settings

    settings = Settings(_env_file=None, store_path=bbc_kb.config.store_path)  # type: ignore[call-arg]
    kb = bbc_kb
    answerer = Answerer(kb, kb.embeddings, settings)
    report = evaluate_answers(
        answerer, BBC / "questions_dev.jsonl", BBC / "duplicates.json", tmp_path / "report.json"
    )
    by_type = report["aggregates"]["by_type"]
    overall = report["aggregates"]["overall"]
    assert by_type["single"]["coverage"] >= 0.75
    assert by_type["multi"]["coverage"] >= 0.6
    assert by_type["unanswerable"]["abstain_rate"] >= 0.8
    assert overall["false_abstain_rate"] <= 0.1
    assert overall["citation_support"] >= 0.95
