"""The one place that builds the application's objects from settings.

Everything else receives these objects as arguments; nothing is built at import time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
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


def eval_store_path(settings: Settings, corpus: Path) -> Path:
    """The store of an evaluation corpus: its own folder beside the main store, one per corpus."""
    key = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:10]
    return settings.retrieval.store_path.parent / f"eval-{corpus.stem}-{key}"


def build_eval_knowledge_base(
    settings: Settings, corpus: Path, store: Path | None = None
) -> KnowledgeBase:
    """The knowledge base of an evaluation corpus: a local store of its own (never the Chroma
    server), reused while the corpus is unchanged. The caller ingests the corpus into it."""
    from retrieval.knowledge_base import KnowledgeBase

    store = store if store is not None else eval_store_path(settings, corpus)
    config = settings.retrieval.model_copy(update={"store_path": store, "chroma_host": None})
    return KnowledgeBase(config)
