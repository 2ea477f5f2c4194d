"""The seam between the answering core and whatever writes the draft answer.

Every generator, built-in or third-party, is registered here by name and gets the same inputs:
the question, the retrieved passages under numbered keys, and the answer prompt. It returns a
draft text whose sentences carry ``[n]`` markers naming those keys. The core then checks every
citation itself (``bot.citations``); no generator is trusted to cite correctly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.types import Source

if TYPE_CHECKING:
    from bot.encoder import Encoder
    from bot.prompts import Prompt
    from bot.settings import Settings


class GeneratorError(RuntimeError):
    """The generator failed; the message is safe to show a user."""


class GeneratorTimeout(GeneratorError):
    pass


class Generator(Protocol):
    name: str

    def generate(self, question: str, sources: Sequence[Source], prompt: Prompt) -> str:
        """Return a draft answer whose sentences end with ``[n]`` citations of source keys."""
        ...


# A factory gets the settings and the embedding model (from the core: its cache of sentence
# vectors, a ``bot.encoder.CachedEncoder``).
GeneratorFactory = Callable[["Settings", "Encoder"], Generator]

# name -> "module:attribute" of a factory. Built-ins are listed as import paths so that choosing
# the extractive default never imports LangChain's chat models or llama.cpp.
_REGISTRY: dict[str, str | GeneratorFactory] = {
    "extractive": "bot.generators.extractive:build_extractive_generator",
    "llm": "bot.generators.llm:build_llm_generator",
    "local": "bot.generators.local:build_local_generator",
}


def register_generator(name: str, factory: str | GeneratorFactory) -> None:
    """Add a generator (a factory, or its ``module:attribute`` path) under ``name``."""
    _REGISTRY[name] = factory


def generator_names() -> list[str]:
    return sorted(_REGISTRY)


def build_generator(name: str, settings: Settings, embeddings: Encoder) -> Generator:
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise GeneratorError(
            f"Unknown generator {name!r}; choose one of: {', '.join(generator_names())}"
        ) from None
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
    return factory(settings, embeddings)
