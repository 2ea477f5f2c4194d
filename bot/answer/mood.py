"""Whether a verb is reported as happening or having happened, read from its spaCy parse.

Shared by the question analysis (a part that asks what will, could or is planned to happen:
``Relation.prospective``) and the evidence (:mod:`bot.answer.binding`: a window reports the
part's event as having happened, or only as planned, expected or possible). A pure function of
the parse; spaCy's English pipeline tags no grammatical mood (its morphology has Tense and
VerbForm only), so the modal tag, the negation label and a small list of heads stand in for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token


# Heads under which an infinitive is intended, expected or arranged rather than reported as done
# ("plans to buy", "is expected to win", "is to contest", "is set to pay").
IRREALIS_HEADS = frozenset(
    {
        "be",
        "expect",
        "hope",
        "plan",
        "want",
        "intend",
        "aim",
        "seek",
        "try",
        "attempt",
        "consider",
        "propose",
        "threaten",
        "set",
        "likely",
        "go",
        "prepare",
        "wish",
        "bid",
        "need",
    }
)


def _modal_or_negated(tok: Token) -> bool:
    """A modal auxiliary (tag MD: "may", "will") or a negation among the verb's dependents."""
    return any(c.tag_ == "MD" or c.dep_ == "neg" for c in tok.children)


def _to_infinitive(tok: Token) -> bool:
    """An infinitive with "to", whatever its tag: a passive or perfect one is tagged by its
    participle ("due to be released", "expected to have sold")."""
    return any(c.dep_ == "aux" and c.tag_ == "TO" for c in tok.children)


def is_realis(verb: Token) -> bool:
    """Whether ``verb`` is reported as happening or having happened: no modal auxiliary (tag
    MD), no negation, and not an infinitive (active or passive) or gerund left hanging on an
    adjective or noun ("hopeful of finding a buyer", "due to be released") or on a verb of
    intending (:data:`IRREALIS_HEADS`); an infinitive under another verb ("agreed to buy") is
    as real as that verb."""
    seen = 0
    tok = verb
    while seen < 5:
        seen += 1
        if _modal_or_negated(tok):
            return False
        non_finite = (
            tok.tag_ in {"VB", "VBG"}
            and not any(c.dep_ in {"aux", "auxpass"} and c.tag_ != "TO" for c in tok.children)
        ) or _to_infinitive(tok)
        if tok.dep_ in {"xcomp", "ccomp", "conj"} and tok.head is not tok:
            head = tok.head
            if non_finite and head.lemma_.lower() in IRREALIS_HEADS:
                return False
            if non_finite and head.pos_ not in {"VERB", "AUX"}:
                return False
            if tok.dep_ == "ccomp":
                return True  # "said it bought": the reported clause's own verb decides
            tok = head
            continue
        # Not "hopeful of finding", "talks over buying", "a plan to buy".
        return not (non_finite and tok.dep_ in {"pcomp", "pobj", "acl", "advcl", "amod"})
    return True


def is_prospective(verb: Token) -> bool:
    """Whether a question asks about ``verb`` as not (yet) having happened: under a modal ("Who
    will Roddick play?", "How many workers could strike?"), negated ("Why did he not travel?"),
    or an infinitive under a verb of intending (when the analysis takes the infinitive as the
    question's verb). Narrower than ``not is_realis``: an infinitive of purpose ("Whom did he
    beat to clinch the title?") asks about what happened."""
    tok = verb
    for _ in range(5):
        if _modal_or_negated(tok):
            return True
        # Only up an infinitive's head: a coordinated verb may be another part's ("What speed
        # will customers get, and how many people own a phone?").
        if tok.dep_ != "xcomp" or tok.head is tok:
            return False
        if tok.tag_ in {"VB", "VBG"} and tok.head.lemma_.lower() in IRREALIS_HEADS:
            return True
        tok = tok.head
    return False
