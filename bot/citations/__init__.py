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
    SUPPORT_MIN_OVERLAP,
    SUPPORT_MIN_SIMILARITY,
    CheckedSentence,
    CheckResult,
    Evidence,
    check_draft,
    find_verbatim,
    join_sentences,
    novel_names,
)

__all__ = [
    "MIN_KEPT_SHARE",
    "SUPPORT_MIN_OVERLAP",
    "SUPPORT_MIN_SIMILARITY",
    "CheckResult",
    "CheckedSentence",
    "DraftSentence",
    "Evidence",
    "build_citations",
    "check_draft",
    "find_verbatim",
    "is_no_answer",
    "join_sentences",
    "novel_names",
    "parse_draft",
    "renumber",
]
