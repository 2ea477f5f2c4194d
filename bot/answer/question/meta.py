"""Words of a question that point at the articles themselves: "By what scores did Ireland beat
Argentina and Italy in these rugby reports?", "how much was the highest bid at the time of the
report?", "according to these articles". No passage writes them (a report does not call itself
"these reports"), so they are no term to find, no name and no part of what is asked.

Only a report, article or story pointed at with "this", "these" or "those", or the moment of
"the time of the report": "What did the Audit Commission's report say?" asks about a report the
articles tell of.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_META_NOUNS = frozenset({"report", "article", "story"})
_DEMONSTRATIVES = frozenset({"this", "these", "those"})


def meta_reference(doc: Doc) -> set[int]:
    """Indices of the tokens of every prepositional phrase that points at the articles."""
    out: set[int] = set()
    for tok in doc:
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in _META_NOUNS or tok.dep_ != "pobj":
            continue
        dets = [c.lower_ for c in tok.children if c.dep_ == "det"]
        prep = tok.head
        at_time = prep.lower_ == "of" and prep.head.lower_ == "time" and prep.head.dep_ == "pobj"
        if not (dets and (dets[0] in _DEMONSTRATIVES or (at_time and dets[0] == "the"))):
            continue
        out |= {t.i for t in _phrase(prep, at_time).subtree}
    return out


def _phrase(prep: Token, at_time: bool) -> Token:
    """The preposition that opens the whole phrase: "in" of "in these reports", "at" of "at the
    time of the report", "according" of "according to these articles"."""
    if at_time:
        return prep.head.head  # of -> time -> at
    if prep.head.lower_ == "according":
        return prep.head
    return prep
