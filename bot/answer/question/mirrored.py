"""A question asked of two things described alike: "How old were the former judge Lord Scarman
and the former prime minister Lord Callaghan when they died?", "What were the scores of
Ireland's win over England and Scotland's win over Italy?", "Who took over after the departures
of Paul Tellier at Bombardier and Philippe Camus at EADS?".

Each thing is usually the story of its own article, so asked as one part the evidence had to
name both in one window: the decision abstained or the answer quoted one of them. Asked as one
part per thing, each finds its own article and its own value.

The coordination is found on the surface rather than in the parse: spaCy's small pipeline often
attaches the second of two possessives or of two prepositional phrases elsewhere ("Scotland's
win" as a conjunct of "England"). The phrase after "and" runs to the end of the clause (up to a
question word, a subordinating conjunction, a verb or punctuation); the phrase before it is the
one that mirrors it: it starts with the same part-of-speech tag, and of the phrases that do, its
tag sequence is the most alike (difflib's ratio). Both must name something, each its own
thing, and be more than a bare name: "England and Wales", "Kenteris and Thanou", "Harry Potter
and the Order of the Phoenix" stay one thing (a name joined by "and" may be one name; two bare
names as the verb's subject or object are the case of
:func:`bot.answer.question.distributed.each_distributed`). And the question must ask about them
as several: a plural copula ("were"), a plural noun the coordination hangs on ("the departures
of"), a plural asked-about noun ("By what scores did England lose in Cardiff and in Dublin?"),
or an imperative, which asks for each thing it is given ("Name one finalist in The X Factor and
one contestant in Strictly Come Dancing").
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from bot.answer.question.classify import _find_wh
from bot.answer.question.mentions import _mentions
from bot.answer.question.words import _DATE_LABELS, _NUMBER_LABELS, _SUBJECT_DEPS, is_imperative

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Below this likeness of their tag sequences the phrases before and after "and" are not two
# of a kind. Not fitted. difflib's ratio is 2 x (tags matched in order) / (tags of both): the
# module docstring's examples are alike tag for tag (1.0) or but for one adjective ("the former
# judge Lord Scarman" and "the former prime minister Lord Callaghan": 2 x 5 / 11 = 0.91);
# phrases of two or more words that share only their first tag are at most 2 x 1 / 4 = 0.5.
_ALIKE = 0.6

_PLURAL_TAGS = frozenset({"NNS", "NNPS"})


def _ends_phrase(tok: Token) -> bool:
    """Whether ``tok`` ends the phrase after "and" (it is not part of it). Not a word inside a
    name ("Strictly Come Dancing")."""
    if tok.ent_iob_ == "I" and not tok.is_punct:
        return False
    return (
        tok.is_punct
        or tok.tag_ in {"WRB", "WDT", "WP", "WP$"}
        or tok.pos_ in {"SCONJ", "VERB", "AUX", "CCONJ"}
    )


def _plural_copula(tok: Token) -> bool:
    """ "were", "are": a property of each ("How old were A and B?"); another plural verb may
    tell of one thing done together ("What have A and B agreed?")."""
    return tok.lemma_ == "be" and tok.lower_ in {"were", "are"}


def mirrored(doc: Doc, idx: Sequence[int]) -> list[tuple[list[int], set[int], bool]]:
    """One segment per thing when the clause asks the same of two phrases described alike (see
    the module docstring): the clause with the other phrase left out, the phrase's tokens, and
    whether the phrase is the clause's subject. Empty otherwise."""
    members = sorted(set(idx))
    wh = _find_wh(doc, members)
    # The phrases come after the asking words and after the clause's first verb.
    verbs = [i for i in members if doc[i].pos_ in {"VERB", "AUX"}]
    # An imperative ("Name one finalist in A and one contestant in B") asks for each thing it
    # is given, and its object is what it asks for: the phrases may start there.
    imperative = is_imperative(doc[members[0]])
    floor = (
        members[0]
        if imperative
        else max(
            wh.token.i if wh.token is not None else -1,
            wh.focus.i if wh.focus is not None else -1,
            verbs[0] if verbs else -1,
        )
    )
    plural_asked = wh.focus is not None and wh.focus.tag_ in _PLURAL_TAGS
    for k in members:
        if k <= floor or doc[k].lower_ != "and":
            continue
        right: list[int] = []
        for i in members:
            if i <= k:
                continue
            if _ends_phrase(doc[i]):
                break
            right.append(i)
        if not right:
            continue
        left = _mirror(doc, [i for i in members if floor < i < k], right)
        if left is None:
            continue
        if not _two_things(doc, left, right):
            continue
        governing = {doc[i].head.i for i in left if doc[i].head.i not in left}
        governing |= {doc[g].head.i for g in list(governing) if doc[g].pos_ == "ADP"}
        plural = (
            plural_asked
            or imperative
            or any(_plural_copula(doc[i]) for i in members if i < left[0])
            or any(doc[g].tag_ in _PLURAL_TAGS for g in governing)
        )
        if not plural:
            continue
        before = [i for i in members if i < left[0] and not doc[i].is_punct]
        after = [i for i in members if i > right[-1] and not doc[i].is_punct]
        return [
            (before + ph + after, set(ph), any(doc[i].dep_ in _SUBJECT_DEPS for i in ph))
            for ph in (left, right)
        ]
    return []


def _mirror(doc: Doc, candidates: list[int], right: list[int]) -> list[int] | None:
    """The phrase ending just before "and" that mirrors ``right`` (its start among
    ``candidates``), or None."""
    tags = _shape(doc, right)
    best: tuple[float, list[int]] | None = None
    for start in candidates:
        phrase = [i for i in candidates if i >= start and not doc[i].is_punct]
        shape = _shape(doc, phrase)
        # A start on the comma before "and" ("in the league, and the cup") leaves no phrase.
        if not shape or shape[0] != tags[0]:
            continue
        alike = SequenceMatcher(None, shape, tags).ratio()
        if best is None or alike > best[0]:
            best = (alike, phrase)
    if best is None or best[0] < _ALIKE:
        return None
    return best[1]


def _shape(doc: Doc, phrase: list[int]) -> list[str]:
    """The phrase's tags, a name the NER found counting as one ("NAME"): "one finalist in The X
    Factor" and "one contestant in Strictly Come Dancing" are alike, whatever their names'
    words are tagged."""
    shape: list[str] = []
    for k, i in enumerate(phrase):
        tok = doc[i]
        if not tok.ent_type_ or tok.ent_type_ in _NUMBER_LABELS | _DATE_LABELS:
            shape.append(tok.tag_)
        elif tok.ent_iob_ == "B" or k == 0:
            shape.append("NAME")
    return shape


def _two_things(doc: Doc, left: list[int], right: list[int]) -> bool:
    """Each phrase names something of its own and is more than a bare name."""
    names = []
    for phrase in (left, right):
        entities = _mentions(doc, phrase)[0]
        if not entities or all(doc[i].pos_ == "PROPN" for i in phrase):
            return False
        names.append({m.text.lower() for m in entities})
    return names[0] != names[1]
