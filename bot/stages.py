"""Small parts of the core's pipeline (``bot.core``): the stage timer and what a failed or
replaced stage says."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.generators import GeneratorError
from bot.question import QuestionError, clean_question
from retrieval.types import Hit

# A language model's raw reply is kept on the answer (``--json``: "draft") up to this length, so a
# dropped draft still shows what the model said.
MAX_DRAFT_CHARS = 4000

# What the user reads when a stage fails; the exception goes to the log under the reference.
FAILURES = {
    "analyse": "Reading the question failed",
    "search": "Searching the articles failed",
    "decide": "Weighing the passages failed",
    "compose": "Composing the answer failed",
}


@dataclass
class StageTimer:
    """Milliseconds per stage of one answer (``Answer.timings_ms``)."""

    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    _mark: float = field(default_factory=time.perf_counter)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._mark) * 1000.0
        self._mark = now

    def done(self) -> dict[str, float]:
        self.timings["total"] = (time.perf_counter() - self.started) * 1000.0
        return dict(self.timings)


def generator_failure(name: str, exc: BaseException) -> str:
    """Why the configured generator's answer was not used, for ``Answer.fallback``: a
    ``GeneratorError``'s message is written for people; any other exception is named only."""
    why = str(exc) if isinstance(exc, GeneratorError) else type(exc).__name__
    return f"the {name} generator failed ({why})"


def askable(question: str, max_chars: int) -> bool:
    """Whether the question would pass validation (a refusal needs no warm-up)."""
    try:
        clean_question(question, max_chars)
    except QuestionError:
        return False
    return True


def without_question(common: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in common.items() if key != "question"}


def search_with_parts(searcher: Any, question: str, parts: Sequence[str], k: int) -> list[Hit]:
    """The ``k`` best passages for the question, then the best few for each of its parts.

    A question about two stories ("How much did Howard earmark for tax cuts, and what was Brown
    expected to do on petrol duty?") often finds only the first story with the whole question.
    """
    hits = list(searcher.search(question, k=k, mode="hybrid"))
    if not parts:
        return hits
    seen = {h.chunk_id for h in hits}
    per_part = max(1, -(-k // 2))
    for part in parts:
        for hit in searcher.search(part, k=per_part, mode="hybrid"):
            if hit.chunk_id not in seen:
                seen.add(hit.chunk_id)
                hits.append(hit)
    return hits
