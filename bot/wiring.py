"""The one place that builds the application's objects from settings.

Everything else receives these objects as arguments; nothing is built at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.core import Answerer
    from retrieval.knowledge_base import KnowledgeBase


def build_knowledge_base(settings: Settings) -> KnowledgeBase:
    from retrieval.knowledge_base import KnowledgeBase

    return KnowledgeBase(settings.retrieval_config())


def build_answerer(settings: Settings, kb: KnowledgeBase | None = None) -> Answerer:
    from bot.core import Answerer

    kb = kb or build_knowledge_base(settings)
    return Answerer(kb, kb.embeddings, settings)
