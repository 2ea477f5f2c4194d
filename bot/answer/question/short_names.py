"""A later part's short form of a name the first part gives in full.

"By what score did Dundee United beat Aberdeen ..., and who scored twice for United?": "United"
is Dundee United, not any United (Manchester United's report answered that part). "..., and how
did Ebbers describe Sullivan's role?" after "What did Scott Sullivan tell the court about Bernie
Ebbers' role ...": Ebbers is Bernie Ebbers (the NER did not even tag him in the second part).
A news question shortens a name it has already given to its last words, as an article does, so
a later part's name that is the last words of a longer name in the first part, or a capitalised
word that is the last word of one, takes the full name over: the part then needs, and searches
for, what the first part named. A shared first word is not taken ("Manchester" may be City).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer.question.types import Mention, QuestionPart

if TYPE_CHECKING:
    from spacy.tokens import Doc

_SPLIT = re.compile(r"[\w'’.-]+")
_NOT_NAME = re.compile(r"[^\w-]+")


def _words(text: str) -> tuple[str, ...]:
    """The name's words, a hyphenated word being one: "Budget" shortens no "pre-Budget" (the
    pre-Budget report is not the pre-election Budget), though "Juncker" shortens
    "Jean-Claude Juncker"."""
    return tuple(w.lower() for w in (_NOT_NAME.sub("", t) for t in _SPLIT.findall(text)) if w)


def full_names(part: QuestionPart, first: QuestionPart, doc: Doc, idx: list[int]) -> QuestionPart:
    """``part`` with each longer name of ``first`` that one of its names (or a capitalised word
    the NER left out) shortens, taken over as an inherited mention; ``part`` unchanged when
    there is none."""
    longer = [m for m in first.entities if not m.inherited and len(_words(m.text)) >= 2]
    if not longer:
        return part
    have = {m.text.lower() for m in part.entities}
    taken: list[Mention] = []

    def take(full: Mention) -> None:
        if full.text.lower() not in have:
            have.add(full.text.lower())
            taken.append(replace(full, inherited=True))

    own = [m for m in part.entities if not m.inherited]
    for mention in own:
        short = _words(mention.text)
        for full in longer:
            words = _words(full.text)
            if short and len(short) < len(words) and words[-len(short) :] == short:
                take(full)
    spans = [(m.start, m.end) for m in own]
    for i in idx:
        tok = doc[i]
        if not tok.is_title or tok.is_sent_start or any(s <= tok.idx < e for s, e in spans):
            continue
        for full in longer:
            if _words(full.text)[-1] == tok.lower_:
                take(full)
    if not taken:
        return part
    return replace(part, entities=part.entities + tuple(taken))
