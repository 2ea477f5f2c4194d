"""A plural asked about over two joined verbs: "By what scores did Tim Henman beat Greg Rusedski
and then lose to Ivan Ljubicic at the Dubai Championships?" asks two scores, one per match, and
each match is usually the story of its own article. Asked as one part, the evidence had to name
both opponents in one window; asked as one part per verb ("By what scores did Tim Henman beat
Greg Rusedski", "By what scores did Tim Henman then lose to Ivan Ljubicic at the Dubai
Championships"), each finds its own report.

Only when the verbs share the question's subject and its asking phrase (the second verb has no
subject and no question word of its own: "and when did he buy the shares?" is a clause of its
own, split earlier), and only when the thing asked about is plural: "What did Kennedy say and
do?" asks one thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.words import _SUBJECT_DEPS, _is_wh

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# A verb's children that join it to the next verb, not part of its own phrase.
_JOINING = frozenset({"conj", "cc", "punct", "preconj"})


def joined_verbs(
    doc: Doc, idx: list[int], focus: Token | None
) -> list[tuple[list[int], set[int], bool]]:
    """One segment per joined verb: the shared asking phrase, auxiliary and subject, then the
    verb with its own phrase. Empty when the clause is not such a question."""
    if focus is None or focus.tag_ not in {"NNS", "NNPS"}:
        return []
    members = set(idx)
    asking = {t.i for t in focus.subtree}
    for first in (doc[i] for i in idx):
        if first.pos_ != "VERB" or first.dep_ == "conj" or not asking <= _ids(first):
            continue
        verbs = [first, *(c for c in first.conjuncts if c.i > first.i and c.pos_ == "VERB")]
        if len(verbs) < 2 or not all(_shares(v, members) for v in verbs[1:]):
            continue
        shared = {i for i in _ids(first) if i < first.i} - _ids(verbs[1])
        segments = []
        for verb in verbs:
            own = _own(verb) if verb is not first else {first.i} | _after(first)
            tokens = [i for i in idx if (i in shared or i in own) and not doc[i].is_punct]
            segments.append((tokens, own, False))
        return segments
    return []


def _shares(verb: Token, members: set[int]) -> bool:
    """A joined verb that takes the first verb's subject and asking phrase."""
    return verb.i in members and not any(
        c.dep_ in _SUBJECT_DEPS or _is_wh(c) for c in verb.subtree if c.i in members
    )


def _ids(tok: Token) -> set[int]:
    return {t.i for t in tok.subtree}


def _own(verb: Token) -> set[int]:
    """The verb's phrase without the verbs joined to it."""
    own = _ids(verb)
    for child in verb.children:
        if child.dep_ in _JOINING:
            own -= _ids(child)
    return own


def _after(verb: Token) -> set[int]:
    """The first verb's own phrase after it (its object, its prepositions), without the joined
    verbs."""
    return {
        i
        for child in verb.children
        if child.i > verb.i and child.dep_ not in _JOINING
        for i in _ids(child)
    }


def gapped(doc: Doc, idx: list[int]) -> list[tuple[list[int], set[int], bool]]:
    """One segment per subject when a second subject repeats the clause's verb after "and":
    "How many caps did Martin Johnson win for England and Gareth Llewellyn win for Wales?"
    asks two counts, one per player. Found on the surface (the verb after "and" has the lemma of
    the verb after the auxiliary, with only a noun phrase between): spaCy's small pipeline
    parses such a question as anything but two clauses ("England and Gareth Llewellyn" as
    coordinated subjects). Each segment is the asking phrase with its auxiliary, then one
    subject's own words; the subject is the segment's own tokens."""
    members = sorted(set(idx))
    # "did" or a modal before the subject, the verb's base form after it; "did" by lemma: the
    # small model tags a root "did" as a verb.
    aux = next((i for i in members if doc[i].lemma_ == "do" or doc[i].tag_ == "MD"), None)
    if aux is None or not any(_is_wh(doc[i]) for i in members if i < aux):
        return []
    verb = next((i for i in members if i > aux + 1 and doc[i].tag_ == "VB"), None)
    if verb is None:
        return []
    for k in members:
        if k <= verb or doc[k].lower_ != "and":
            continue
        between = [i for i in members if i > k and doc[i].lemma_ == doc[verb].lemma_]
        if not between:
            continue
        again = between[0]
        subject = [i for i in members if k < i < again]
        if not subject or not all(doc[i].pos_ in _NOUN_PHRASE for i in subject):
            continue
        asking = [i for i in members if i <= aux]
        first_subject = {i for i in members if aux < i < verb}
        first = [i for i in members if i < k and not doc[i].is_punct]
        second = asking + [i for i in members if i > k and not doc[i].is_punct]
        return [(first, first_subject, True), (second, set(subject), True)]
    return []


# The words of a plain noun phrase: a subject between "and" and the repeated verb.
_NOUN_PHRASE = frozenset({"PROPN", "NOUN", "DET", "ADJ", "PART", "NUM"})
