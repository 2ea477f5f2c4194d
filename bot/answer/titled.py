"""The sentence that names the person or organisation a part asks for by the noun it asks with.

"Which MSP is behind the bill ...?" is answered by "MSP Karen Whitefield wants to ensure ...";
"Which judge threw out ...?" by "Judge Letitia Clark ruled ...". The decision answers such a
part when its strongest window carries the constraints, but a window holds many of the story's
people, so names are not values the answer must quote (``bot.answer.judge._VALUE_TYPES``: made
compulsory, they cost coverage). A name the text gives the asked noun as its title, right
before it ("her coach Aston Moore"), inside it ("Judge Letitia Clark") or in apposition ("Aston
Moore, her coach,") is the one asked for, so its sentence is quoted
(:meth:`bot.answer.judge.Judgement.extractive_cue`).

A pure function of the evidence and the parses the evidence stage made; nothing is loaded here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.answer.question.types import AnswerType

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from bot.answer.evidence import Evidence
    from bot.answer.passages import Passages

# The entity labels of the names each answer type asks for.
_LABELS: dict[AnswerType, frozenset[str]] = {
    AnswerType.PERSON: frozenset({"PERSON"}),
    AnswerType.ORGANISATION: frozenset({"ORG"}),
}
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


# Entities that name someone or something (not a number, a date or a people).
_NAMES = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC"})


def names_by_title(doc: Doc, noun: str) -> bool:
    """Whether ``doc`` names someone or something with ``noun`` as its title ("commercial
    director Andy Anson"): a mention of the noun without a name nearby ("to oust three
    directors") is then answered in the same passage (:mod:`bot.answer.unnamed`)."""
    return any(e.label_ in _NAMES and titled(e, noun) for e in doc.ents)


def titled_sentence(ev: Evidence, passages: Passages) -> tuple[str, int, int] | None:
    """``(article id, start, end)`` of a sentence in the article of the part's strongest window
    carrying every constraint that names someone of the asked-for kind by the part's noun (not
    one of the names the question gives), the one nearest that window's centre; None when the
    part asks no name by a noun, or no such sentence was retrieved."""
    part = ev.part
    labels = _LABELS.get(part.answer_type)
    noun = (part.focus or "").lower()
    if labels is None or not noun:
        return None
    window = next((w for w in ev.windows if w.constraint_share >= 1.0), None)
    if window is None:
        return None
    given = {w for c in ev.constraints for w in _WORD.findall(c.lower())}
    found: list[tuple[int, int]] = []
    for h, hit in enumerate(passages.hits):
        if hit.article_id != window.article_id:
            continue
        for sentence, doc in zip(passages.sentences[h], passages.docs[h], strict=True):
            if any(
                e.label_ in labels
                and titled(e, noun)
                and not given & set(_WORD.findall(e.text.lower()))
                for e in doc.ents
            ):
                found.append((sentence.start, sentence.end))
    if not found:
        return None
    at = window.centre[0]
    inside = window.start, window.end
    start, end = min(found, key=lambda se: (not inside[0] <= se[0] < inside[1], abs(se[0] - at)))
    return (window.article_id, start, end)
