"""A name entity that is several names, cut where no passage would write it whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.words import _DATE_LABELS, _NUMBER_LABELS

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_VERSUS = frozenset({"v", "v.", "vs", "vs.", "versus"})
# "Arsenal at Highbury", "the All Blacks in Christchurch": a side and where it played, which the
# small model takes for one name. Only these two: "for" and "on" are inside names ("Institute
# for Fiscal Studies", "Convention on Human Rights").
_WHERE = frozenset({"at", "in"})
# "replaced Jane Hutt as Welsh health minister": a person and the post they held, which the
# small model takes for one name ("Jane Hutt as Welsh"). Written in lower case only: "As" is a
# word of a title ("Known As ...").
_AS = "as"


def _cuts(tok: Token, ent: Span, start: int) -> bool:
    if tok.text == ",":
        return True
    inside = start < tok.i < ent.end - 1
    if not inside:
        return False
    # "Real Madrid v Real Sociedad": a match names two sides.
    if tok.lower_ in _VERSUS:
        return True
    following = ent.doc[tok.i + 1]
    if not following.text[:1].isupper():
        return False
    return (tok.lower_ in _WHERE and tok.pos_ == "ADP") or tok.text == _AS


def listed_names(ent: Span) -> list[Span]:
    """ "Bez, Kenzie and Brigitte Nielsen": the NER may take two listed names for one ("Bez,
    Kenzie", "Gazprom, Rosneft"), which no passage would write whole. A name entity is split at
    its commas, at "v" between two sides, at "at"/"in" before a capitalised place and at "as"
    before a capitalised post ("Jane Hutt as Welsh health minister"); a number
    ("5,000") or a date ("Friday, 12 March") is not."""
    if ent.label_ in _NUMBER_LABELS or ent.label_ in _DATE_LABELS:
        return [ent]
    pieces: list[Span] = []
    start = ent.start
    for tok in ent:
        if _cuts(tok, ent, start):
            if tok.i > start:
                pieces.append(ent.doc[start : tok.i])
            start = tok.i + 1
    if start < ent.end:
        pieces.append(ent.doc[start : ent.end])
    return pieces or [ent]
