"""The one place that builds the application's objects from settings.

Everything else receives these objects as arguments; nothing is built at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.core import Answerer
    from retrieval.knowledge_base import KnowledgeBase


def check_settings(settings: Settings) -> Settings:
    """Checks that need the registries (the settings themselves import nothing of bot)."""
    from bot.generators import generator_names

    names = generator_names()
    if settings.answer.generator not in names:
        raise SettingsError(
            f"Invalid settings:\n  NEWSDESK_GENERATOR: unknown generator "
            f"{settings.answer.generator!r}; choose one of {names}"
        )
    return settings


def build_knowledge_base(settings: Settings) -> KnowledgeBase:
    from retrieval.knowledge_base import KnowledgeBase

    return KnowledgeBase(settings.retrieval)


def build_answerer(settings: Settings, kb: KnowledgeBase | None = None) -> Answerer:
    from bot.core import Answerer

    kb = kb or build_knowledge_base(settings)
    return Answerer(kb, kb.embeddings, settings)
