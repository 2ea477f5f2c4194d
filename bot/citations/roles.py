"""Who did what: a claim whose words all occur in its passage can still swap the roles.

"Boris Johnson could face international sanctions" shares every word with "Senior Russian
military officers ... could face international sanctions, Boris Johnson has warned", and
embeddings barely tell them apart. The parse does: in the passage the one who may face sanctions
(the subject of "face") is the officers; Johnson is the one who warns.

:func:`role_conflict` reads spaCy's dependency parse of the claim and of the passage. The claim's
main predicate (its root verb) and the one who does it (its subject, or the agent of a passive:
"by X") are found; for reported speech ("X warned that officers could face sanctions") both the
speaker of the reporting verb and the reported clause are checked. In the passage, every
occurrence of the same verb (by lemma) is found with its own doer: the subject (with its
appositions and conjuncts: the whole subtree), the agent of a passive, the subject inherited
through "expected to face" or "and faced", the noun a relative clause hangs on; for a reporting
verb, any reporting verb counts when the passage lacks the claim's own, and "according to X"
names a speaker too.

The claim conflicts with the passage only when the passage has that verb, every occurrence has a
doer the parse names, and none of them may be the claim's doer: none shares a content word with
it, and none is a description ("the Foreign Secretary", "a US defence company") standing for a
name, or a name for a description (the small pipeline resolves no coreference). A speaker
described by a common noun only ("a spokesman said") is not a name's description. Anything the
parse cannot settle (no such verb in the passage, a pronoun or no subject there, a pronoun in
the claim) is no conflict: this check only catches swaps, the other checks keep judging support.
No threshold and no word list here besides the reporting verbs kept once in
``bot.answer.question.words``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answer.question.words import NAME_LABELS, REPORTING_VERBS, is_definite

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_SUBJECTS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECTS = frozenset({"nsubjpass", "csubjpass"})
# Verbs too general to say who did what ("is", "has", "does").
LIGHT_VERBS = frozenset({"be", "have", "do", "get", "make", "go", "take"})
# Dependency labels through which a verb shares its head's subject: "expected to face"
# (xcomp), "met and agreed" (conj).
_INHERITS = frozenset({"xcomp", "conj"})


@dataclass(frozen=True)
class Doer:
    """Who does a verb: the content words of the phrase (empty for a pronoun, which the parse
    does not resolve); ``described``: a definite article or a possessive ("the Foreign
    Secretary", "his deputy"); ``named``: otherwise, a proper noun ("Boris Johnson");
    ``introduced``: a common noun with "a" or "an" ("a US company": :meth:`of`)."""

    words: frozenset[str]
    named: bool = False
    described: bool = False
    introduced: bool = False

    @classmethod
    def of(cls, heads: Sequence[Token], *, speaking: bool = False) -> Doer:
        """The doer of the phrases headed by ``heads``. ``introduced``: a common noun with "a" or
        "an" (:func:`_introduces`), how a report introduces its subject before naming it ("A US
        defence company has agreed to pay $28.5m", "An ex-chief financial officer at Boeing has
        received a jail sentence"); it may be anyone. Not a speaker (``speaking``: the verb
        reports speech): words are given to "a spokesman" or "an official" because no name
        is."""
        tokens = [t for h in heads for t in h.subtree]
        described = any(is_definite(h) for h in heads)
        named = not described and any(t.pos_ == "PROPN" for t in tokens)
        introduced = not speaking and any(_introduces(h) for h in heads)
        return cls(_content(tokens), named, described, introduced)


def _introduces(head: Token) -> bool:
    """A singular common noun with "a" or "an" ("A US defence company", "An ex-chief financial
    officer at Boeing"): how a report introduces the one it names later. Not a bare plural
    ("Senior Russian military officers could face sanctions": others than a name asked about),
    nor a noun spaCy labels a name."""
    return (
        head.pos_ == "NOUN"
        and head.ent_type_ not in NAME_LABELS
        and any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in head.children)
    )


# A doer we cannot name: the pronoun stands for someone the parse does not resolve.
_UNKNOWN = Doer(frozenset())


def _content(tokens: Iterable[Token]) -> frozenset[str]:
    """Lower-case lemmas of the nouns, proper nouns, numbers and adjectives among ``tokens``."""
    return frozenset(
        t.lemma_.lower()
        for t in tokens
        if t.pos_ in {"NOUN", "PROPN", "NUM", "ADJ"} and not t.is_stop and t.lemma_.strip()
    )


def _is_pronoun(token: Token) -> bool:
    return token.pos_ == "PRON" or token.tag_ in {"WP", "WDT"}


def doer(verb: Token) -> Doer | None:
    """Who does ``verb``: its subject (with its appositions and conjuncts), or a passive's "by"
    agent. ``None``: the parse names nobody (a passive without agent, no subject at all)."""
    speaking = verb.lemma_.lower() in REPORTING_VERBS
    seen = 0
    while seen < 5:
        seen += 1
        subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
        agents = [g for a in verb.children if a.dep_ == "agent" for g in a.children]
        if subjects or agents:
            if any(_is_pronoun(c) for c in subjects):
                if verb.dep_ == "relcl":  # "officers who could face": the officers
                    return Doer.of([verb.head], speaking=speaking)
                return _UNKNOWN
            return Doer.of([*subjects, *agents], speaking=speaking)
        if any(c.dep_ in _PASSIVE_SUBJECTS for c in verb.children):
            return None  # passive without a named agent
        if verb.dep_ == "relcl":
            return Doer.of([verb.head], speaking=speaking)
        if verb.dep_ in _INHERITS and verb.head is not verb:
            verb = verb.head
            continue
        return None
    return None


def _tokens(docs: Sequence[Doc]) -> Iterator[Token]:
    for doc in docs:
        yield from doc


def _speakers(docs: Sequence[Doc]) -> list[Doer | None]:
    """The doer of every reporting verb of ``docs``, and every "according to X"."""
    found: list[Doer | None] = []
    for tok in _tokens(docs):
        if tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in REPORTING_VERBS:
            found.append(doer(tok))
        if tok.lower_ == "according":
            for prep in tok.children:
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        found.append(Doer.of([obj], speaking=True))
    return found


def _conflicts(claimed: Doer, doers: list[Doer | None]) -> bool:
    """Every occurrence names a doer, and none can be the claim's."""
    named = [d for d in doers if d is not None]
    if not named:
        return False
    return all(not may_be(claimed, d) for d in named)


def may_be(a: Doer, b: Doer) -> bool:
    """Whether doers ``a`` and ``b`` may be the same: a word in common; or one is a pronoun or
    introduced by "a" or "an" ("a US company"); or one is a definite description ("the Foreign
    Secretary") and the other a name (spaCy's small pipeline resolves no coreference, so
    "Johnson" and "the Foreign Secretary" cannot be told apart)."""
    if not a.words or not b.words or a.words & b.words or a.introduced or b.introduced:
        return True
    return (a.described and b.named) or (b.described and a.named)


def _words(words: frozenset[str], most: int = 6) -> str:
    shown = sorted(words)
    return " ".join(shown[:most]) + (" ..." if len(shown) > most else "")


def _clause_conflict(verb: Token, passage: Sequence[Doc]) -> str | None:
    claimed = doer(verb)
    lemma = verb.lemma_.lower()
    if claimed is None or not claimed.words or lemma in LIGHT_VERBS:
        return None
    doers = [doer(t) for t in _tokens(passage) if t.lemma_.lower() == lemma and t.pos_ == "VERB"]
    if lemma in REPORTING_VERBS and not doers:
        # "X said" for the passage's "X warned" or "according to X": any speaker.
        doers = _speakers(passage)
    if _conflicts(claimed, doers):
        who = " / ".join(sorted({_words(d.words) for d in doers if d is not None}))
        return f"in the passage, who does {lemma!r} is {who}, not {_words(claimed.words)}"
    return None


def role_conflict(claim: Doc, passage: Sequence[Doc]) -> str | None:
    """Why ``claim`` swaps who did what against the ``passage`` sentences, or None (see the
    module docstring). Each is parsed on its own: a title or byline run into the lead sentence
    would make one sentence of them, with the title's words as the lead verb's subject."""
    roots = [t for t in claim if t.dep_ == "ROOT" and t.pos_ in {"VERB", "AUX"}]
    if not roots:
        return None
    passage_doc = passage
    for root in roots:
        why = _clause_conflict(root, passage_doc)
        if why:
            return why
        if root.lemma_.lower() in REPORTING_VERBS:
            # "X warned that officers could face sanctions": the reported clause too.
            for clause in root.children:
                if clause.dep_ == "ccomp" and clause.pos_ in {"VERB", "AUX"}:
                    why = _clause_conflict(clause, passage_doc)
                    if why:
                        return why
    return None
