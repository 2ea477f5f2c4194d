"""A question asked of each of several things it coordinates (:func:`each_distributed`): one
segment per thing, the clause with the others left out, each usually answered by an article of
its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.classify import _find_wh, _Wh
from bot.answer.question.joined_verbs import gapped, joined_verbs
from bot.answer.question.mirrored import mirrored
from bot.answer.question.words import _SUBJECT_DEPS, STATEMENT_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# The question's closing mark, which a segment drops.
_CLOSING = frozenset({"?", "!"})
# A conjunct's dependents that belong to the coordination, not to the conjunct.
_NOT_OWN = frozenset({"conj", "cc", "punct", "preconj", "appos"})


def each_distributed(doc: Doc, idx: list[int]) -> list[tuple[list[int], set[int], bool]]:
    """One clause per conjunct when "each" distributes the question over them: "How much did
    the Titan Corporation and Monsanto each agree to pay ...?" asks two things, one per company,
    usually of two articles. Each segment is the clause with the other conjuncts (and "each")
    left out. Only the explicit "each": "the match between X and Y" asks one thing."""
    members = set(idx)
    for tok in doc:
        if tok.i not in members or tok.lower_ != "each" or tok.dep_ == "det":
            continue
        # The coordination just before "each" ("Boateng and Jonathan Sayeed each"), from its
        # first conjunct.
        near = [doc[k] for k in range(max(0, tok.i - 3), tok.i) if k in members]
        first = next((t for t in reversed(near) if t.conjuncts), None)
        if first is None:
            continue
        while first.dep_ == "conj":
            first = first.head
        segments = _over_conjuncts(doc, idx, first, {t.i for t in tok.subtree})
        if segments:
            return segments
    wh = _find_wh(doc, idx)
    split = gapped(doc, idx) or _plural_distributed(doc, idx, wh) or _each_speaker(doc, idx, wh)
    return split or joined_verbs(doc, idx, wh.focus) or mirrored(doc, idx)


def _plural_distributed(
    doc: Doc, idx: list[int], wh: _Wh
) -> list[tuple[list[int], set[int], bool]]:
    """ "By what scores did Ireland beat Argentina and Italy?", "Which LTA awards did Tim Henman
    and Andrew Murray win?": a plural noun asked about, over names coordinated as the verb's
    subject or object, asks one thing per name, usually of one article each. Not a name joined
    by "&" ("Marsh & McLennan"), nor a coordination with a determiner or an adjective ("a merged
    Amicus and TGWU": one thing), nor one inside the asking phrase ("which Labour and Tory
    MPs": the kind asked about), nor one in a prepositional phrase ("in England and Wales")."""
    focus = wh.focus
    if focus is None or focus.tag_ not in {"NNS", "NNPS"}:
        return []
    members = set(idx)
    asking = {t.i for t in focus.subtree}
    for tok in doc:
        if tok.i not in members or tok.dep_ != "conj" or tok.head.dep_ == "conj":
            continue
        first = tok.head
        if (
            first.i in members
            and first.i not in asking
            and first.dep_ in {*_SUBJECT_DEPS, "dobj"}
            and not any(c.dep_ in {"det", "amod"} or c.text == "&" for c in first.children)
            and all(c.pos_ == "PROPN" for c in [first, *first.conjuncts])
        ):
            return _over_conjuncts(doc, idx, first, set())
    return []


def _each_speaker(doc: Doc, idx: list[int], wh: _Wh) -> list[tuple[list[int], set[int], bool]]:
    """ "What did Commerzbank's Carsten Fritsch and Mellon Bank's Grant Wilson say about the
    dollar's slide?", "How did A and B react ...?": full names coordinated as the subject of a
    verb of saying, asked what or how, ask each one's own words, usually quoted in an article of
    its own (every such question in our files is a multi question). Asked as one part, one
    window had to name both speakers. Not a noun asked about ("which reports did A and B
    write": the plural noun's case), nor a verb that is not one of saying ("What did A and B
    agree?"), nor one-word names, which "and" may join into one ("Marks and Spencer", "Procter
    and Gamble"; "Blair and Brown each" is :func:`each_distributed`'s case)."""
    if wh.token is None or wh.focus is not None or wh.token.lower_ not in {"what", "how"}:
        return []
    verb = wh.token.head
    if verb.lemma_.lower() not in STATEMENT_VERBS:
        return []
    members = set(idx)
    for first in verb.children:
        if (
            first.i in members
            and first.dep_ in _SUBJECT_DEPS
            and first.conjuncts
            and all(_full_name(c) for c in (first, *first.conjuncts))
            and not any(c.text == "&" for c in first.children)
        ):
            return _over_conjuncts(doc, idx, first, set())
    return []


def _full_name(tok: Token) -> bool:
    """A proper noun with a proper noun compounded before it ("Carsten Fritsch")."""
    return tok.pos_ == "PROPN" and any(
        c.dep_ == "compound" and c.pos_ == "PROPN" for c in tok.lefts
    )


def _over_conjuncts(
    doc: Doc, idx: list[int], first: Token, also: set[int]
) -> list[tuple[list[int], set[int], bool]]:
    """One segment per conjunct of ``first``: the clause without the others (nor ``also``), the
    conjunct's own tokens, and whether the coordination is the subject. A conjunct written
    right after "&" belongs to the one before it ("Marsh & McLennan"). The question's closing
    mark goes; other punctuation stays ("with-profits", "co-chairman")."""
    groups = _conjuncts(doc, first)
    if len(groups) < 2:
        return []
    whole = {t.i for t in first.subtree} | also
    segments = []
    for group in groups:
        own = _own(group)
        tokens = [i for i in idx if (i not in whole or i in own) and doc[i].text not in _CLOSING]
        segments.append((tokens, own, first.dep_ in _SUBJECT_DEPS))
    return segments


def _conjuncts(doc: Doc, first: Token) -> list[list[Token]]:
    """The coordination's conjuncts in order, each a list of tokens (:func:`_over_conjuncts`)."""
    groups: list[list[Token]] = []
    for c in sorted([first, *first.conjuncts], key=lambda t: t.i):
        if groups and c.i > 0 and doc[c.i - 1].text == "&":
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _own(group: list[Token]) -> set[int]:
    """A conjunct's tokens: each token's subtree without what coordinates it with the others
    (an "&" inside the name stays)."""
    own: set[int] = set()
    for t in group:
        mine = {s.i for s in t.subtree}
        for child in t.children:
            if child.dep_ in _NOT_OWN and child.text != "&" and child not in group:
                mine -= {s.i for s in child.subtree}
        own |= mine
    return own
