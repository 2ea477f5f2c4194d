"""Verification of any generator's draft: parse its ``[n]`` markers, check that each cited passage
supports its sentence, then renumber the surviving sources into ``Citation`` values.

* ``bot.citations.parse``: the draft parser (sentences and the keys each cites);
* ``bot.citations.support``: the support check (``check_draft``) and its thresholds;
* ``bot.citations.numbering``: renumbering by first use and the ``Citation`` values.
"""

from bot.citations.numbering import build_citations, renumber
from bot.citations.parse import DraftSentence, is_no_answer, parse_draft
from bot.citations.support import (
    MIN_KEPT_SHARE,
    CheckedSentence,
    CheckResult,
    Evidence,
    SupportParams,
    check_draft,
    find_verbatim,
    join_sentences,
    novel_names,
    support_params,
)

__all__ = [
    "MIN_KEPT_SHARE",
    "CheckResult",
    "CheckedSentence",
    "DraftSentence",
    "Evidence",
    "SupportParams",
    "build_citations",
    "check_draft",
    "find_verbatim",
    "is_no_answer",
    "join_sentences",
    "novel_names",
    "parse_draft",
    "renumber",
    "support_params",
]
