"""The whole answer path under Hypothesis: any question text, the real pipeline over the seed
store (analysis, retrieval, evidence, decision, extractive answer, citation check). Whatever is
asked, the answer is an answer or an abstention (or, for a question with nothing in it, the
plain request to ask one), never an error, and every citation marker points at a listed
source."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core import Answerer
from bot.question import QUESTION_EMPTY
from retrieval.knowledge_base import KnowledgeBase
from tests.integration.test_analysis_fuzz import WORDS
from tests.integration.test_core import make_settings

SEED_WORDS = ["Johnson", "Russia", "Ukraine", "Putin", "Kremlin", "sanctions", "Lavrov", "said"]
QUESTIONS = st.one_of(
    st.lists(st.sampled_from(WORDS + SEED_WORDS), min_size=1, max_size=16).map(" ".join),
    st.text(max_size=80),
)
MARKER = re.compile(r"\[(\d+)\]")

# More with FUZZ_ANSWERS=2000 (about 2 minutes); 60 keep the suite's run short.
EXAMPLES = int(os.environ.get("FUZZ_ANSWERS", "60"))


@pytest.fixture(scope="module")
def answerer(seed_kb: KnowledgeBase) -> Answerer:
    return Answerer(
        seed_kb, seed_kb.embeddings, make_settings(Path(str(seed_kb.config.store_path)).parent)
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(question=QUESTIONS)
@example(question="of and of")  # raised in question analysis until 066d9c0
def test_any_question_gets_an_answer_or_an_abstention(answerer: Answerer, question: Any) -> None:
    answer = answerer.answer(question)
    if answer.status == "error":
        assert answer.error == QUESTION_EMPTY, answer.error
        return
    assert answer.status in {"answered", "no_answer"}
    listed = {c.number for c in answer.citations}
    assert {int(n) for n in MARKER.findall(answer.text)} <= listed
