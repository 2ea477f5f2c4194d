"""Whether a passage refers to the thing a "which"/"who" question asks for without naming it:
"a shareholder" for "Which MCI shareholder filed the lawsuit?", "a notoriously dangerous park"
for "In which Nairobi park was he mugged?", "fellow ministers" for "Which cabinet ministers
objected?". News names what it knows; an indefinite mention of the asked-for noun with no name
in it, nor beside it, says the article does not give the name (:mod:`bot.answer.evidence` counts
it as withheld, as it counts "an undisclosed sum").

Read from spaCy's parse: the noun by lemma, its determiner or number, its subtree's entities and
proper nouns, its apposition. Pure functions of a Doc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Determiners that introduce something not yet identified.
_INDEFINITE = frozenset({"a", "an", "another", "some", "one", "several"})
# Modifiers that point past the things a passage names ("more global broadcasters would be
# included", after the ones indexed are named): others, not the ones asked about.
_BEYOND = frozenset({"more", "other", "further", "additional"})
# Entities that describe rather than name the thing ("seven London-based firms", "a
# 23-year-old man", "a Russian oil firm").
_DESCRIBING = frozenset({"GPE", "NORP", "LOC", "CARDINAL", "DATE", "TIME", "ORDINAL", "QUANTITY"})


def unnamed_mention(doc: Doc, focus: str, asked: str | None = None) -> bool:
    """Some mention of ``focus`` (a noun's lemma) in ``doc`` is indefinite and unnamed.
    ``asked``: the question's words for it ("which malaysian bank"). Asked for one, a plural
    mention ("Banks in Malaysia will be able to sell ...") speaks of the kind, not of the one
    asked about; asked for several ("which cabinet ministers"), "a minister" may be one."""
    one = asked is not None and asked.rsplit(" ", 1)[-1] == focus
    return any(
        tok.lemma_.lower() == focus
        and tok.pos_ == "NOUN"
        and not (one and tok.tag_ == "NNS")
        and _unnamed(tok)
        for tok in doc
    )


def _unnamed(noun: Token) -> bool:
    children = list(noun.children)
    indefinite = any(c.dep_ == "det" and c.lower_ in _INDEFINITE for c in children) or any(
        c.dep_ == "nummod" for c in children
    )
    bare_plural = noun.tag_ == "NNS" and not any(c.dep_ in {"det", "poss"} for c in children)
    # "The actress died in hospital", "was taken to court": a bare singular after a preposition
    # is the kind of place, not one named. Not after "of": "other kinds of bank" is a kind.
    bare_singular = (
        noun.tag_ == "NN"
        and noun.dep_ == "pobj"
        and noun.head.lower_ != "of"
        and not any(c.dep_ in {"det", "poss", "compound", "nmod"} for c in children)
    )
    if not (indefinite or bare_plural or bare_singular):
        return False
    if any(c.lower_ in _BEYOND for c in children):
        return False
    # "The Sea Inside, a film by ...": the noun describes a name beside it.
    if noun.dep_ in {"appos", "attr"} or any(c.dep_ == "appos" for c in children):
        return False
    for tok in noun.subtree:
        if tok.ent_type_ and tok.ent_type_ not in _DESCRIBING:
            return False
        if tok.pos_ == "PROPN" and not tok.ent_type_:
            return False
    return True
