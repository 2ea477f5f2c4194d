"""Whether a passage names someone by the noun a part asks with: its title.

"Which MSP is behind the bill ...?" is answered by "MSP Karen Whitefield wants to ensure ...";
"Which judge threw out ...?" by "Judge Letitia Clark ruled ...". The decision answers such a
part when its strongest window carries the constraints, but a window holds many of the story's
people, so names are not values the answer must quote (``bot.answer.judge._VALUE_TYPES``: made
compulsory, they cost coverage). A name the text gives the asked noun as its title, right
before it ("her coach Aston Moore"), inside it ("Judge Letitia Clark") or in apposition ("Aston
Moore, her coach,") is the one asked for, so its sentence is quoted
(:func:`bot.answer.judge.titled_sentence`), and a mention of the noun without a name in the
same window withholds nothing (:mod:`bot.answer.evidence`).

Pure functions of the parses the evidence stage made; nothing is loaded here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.answer.question.types import AnswerType
from bot.answer.values import VALUE_LABELS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from spacy.tokens import Doc, Span, Token

_WORD = re.compile(r"\w+")


def _is(token: Token, noun: str) -> bool:
    return token.lower_ == noun or token.lemma_.lower() == noun


def titled(entity: Span, noun: str) -> bool:
    """Whether the text gives ``entity`` the title ``noun`` (lower case, singular)."""
    doc = entity.doc
    # "MSP Karen Whitefield", "her coach Aston Moore": the noun right before the name.
    if entity.start > 0 and _is(doc[entity.start - 1], noun):
        return True
    # "Judge Letitia Clark": the tagger took the title into the name.
    if len(entity) > 1 and _is(entity[0], noun):
        return True
    # "Aston Moore, her coach," and "her coach, Aston Moore": apposition either way.
    root = entity.root
    if any(c.dep_ == "appos" and _is(c, noun) for c in root.children):
        return True
    return root.dep_ == "appos" and _is(root.head, noun)


# Entities that name someone or something: a person, an organisation, a place.
_NAMES = (
    VALUE_LABELS[AnswerType.PERSON]
    | VALUE_LABELS[AnswerType.ORGANISATION]
    | VALUE_LABELS[AnswerType.PLACE]
)


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The lower-case words of ``names`` (the question's own), for :func:`names_by_title`."""
    return frozenset(w for name in names for w in _WORD.findall(name.lower()))


def names_by_title(
    doc: Doc, noun: str, labels: frozenset[str] = _NAMES, given: frozenset[str] = frozenset()
) -> bool:
    """Whether ``doc`` names someone or something (an entity of ``labels``) with ``noun`` as
    its title ("commercial director Andy Anson"), other than a name with a word of ``given``
    (the question's own names, lower case). A mention of the noun without a name nearby ("to
    oust three directors") is then answered in the same passage (:mod:`bot.answer.unnamed`)."""
    return any(
        e.label_ in labels and titled(e, noun) and not given & set(_WORD.findall(e.text.lower()))
        for e in doc.ents
    )
