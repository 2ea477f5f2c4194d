"""Small parts of the core's pipeline (``bot.core``): the stage timer and what a failed or
replaced stage says."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.generators import GeneratorError

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
