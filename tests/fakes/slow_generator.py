"""A generator that stalls, for killing a replica while it holds an acknowledged question.

The extractive generator, except that before writing each draft it creates the file named by
``SLOW_GENERATOR_MARKER`` (so a test knows the question reached it) and then sleeps
``SLOW_GENERATOR_SECONDS``. Registered as ``slow`` by ``tests/fakes/slow_site/sitecustomize.py``,
which a test puts first on one replica's ``PYTHONPATH``: the production code has no test hook.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.generators.extractive import build_extractive_generator

if TYPE_CHECKING:
    from bot.encoder import Encoder
    from bot.prompts import Prompt
    from bot.settings import Settings
    from bot.types import Source


class SlowGenerator:
    name = "slow"

    def __init__(self, settings: Settings, embeddings: Encoder) -> None:
        self.inner = build_extractive_generator(settings, embeddings)

    def generate(self, question: str, sources: Sequence[Source], prompt: Prompt) -> str:
        marker = os.environ.get("SLOW_GENERATOR_MARKER")
        if marker:
            Path(marker).write_text(question, encoding="utf-8")
        time.sleep(float(os.environ.get("SLOW_GENERATOR_SECONDS", "300")))
        return self.inner.generate(question, sources, prompt)


def build(settings: Settings, embeddings: Encoder) -> SlowGenerator:
    return SlowGenerator(settings, embeddings)
