"""Whether a sentence says that the thing a part asks for is not given.

"Financial details were not disclosed", "for an unspecified sum", "did not say why": a report
that withholds something is strong evidence against answering, but only when what it withholds
is what the part asks. "Financial details of the deal were not disclosed" withholds the price,
not the buyer ("Who bought the Savoy?"); "The spokesman did not say why the three had been
detained" withholds a reason, not who they were.

Each withholding in a sentence is read from spaCy's parse: an adjective that says a thing is not
given ("undisclosed", "unnamed", ...) on its noun, or beside its subject ("remains unknown"),
or a verb of telling that is not done, with its object, its passive subject ("were not
disclosed") or the wh-word of its clause ("did not say why"). Not done: under a negation ("did
not disclose", "would not say"), with "no" on what is told ("no financial details were
revealed"), as what is refused or is yet to happen ("declined to comment", "has yet to name")
or after "without" ("without disclosing the price"). A source who "declined to be named"
withholds only their own name, which no part asks for; a telling whose clause the sentence
states ("did not disclose that a subsidiary employed ...") withholds nothing asked, and "give"
withholds only a thing told ("gave no figure", not "were not given enough notice"). A report
also withholds by saying what is open: "it is not clear by how much", "it is unclear who", "too
early to say how many", "it is not known how many" (the wh-clause says what), or not yet
settled: "no date has been set", "the price has yet to be agreed" (only with a typed object:
"did not set a record" is nothing withheld).
What is withheld gets an answer type the way a question's noun asked about does
(:func:`bot.answer.question.nouns.type_of_noun`: "sum" is an amount, "identity" a name);
"details" and "terms" take it from their own modifier ("financial details") or "of" object
("details of its investment"). A withholding whose object says nothing of its type ("did not
comment", "didn't say it") may withhold anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.nouns import type_of_noun
from bot.answer.question.types import FIGURE_TYPES, AnswerType
from bot.answer.question.words import _is_wh

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Lemmas of adjectives that say a thing is not given, and of verbs of telling whose negation
# does: both read with spaCy's lemmas and dependency labels (no library lists them).
WITHHOLDING = frozenset({"undisclosed", "unnamed", "unspecified", "unconfirmed", "unknown"})
TELLING = frozenset({"disclose", "reveal", "say", "confirm", "name", "give", "comment", "specify"})

# Verbs whose infinitive is not done ("declined to comment", "refused to say"), and the
# dependents that are what is told ("gave no figure", "no details were revealed").
_REFUSING = frozenset({"decline", "refuse"})
_TOLD = frozenset({"dobj", "nsubjpass"})
# "declined to be named", "asked not to be named", "did not wish to be named": a source.
_UNNAMED_WISH = _REFUSING | {"ask", "wish", "want"}

_CLAUSAL = frozenset({"ccomp", "xcomp", "advcl"})
# A clause that says what a noun holds ("reports that they plan ...", "claims he had lied").
_CONTENT = frozenset({"acl", "relcl", "ccomp"})
# "too early to say", "too soon to say": a telling not (yet) done.
_EARLY = frozenset({"early", "soon"})
# Verbs of settling or knowing whose not being done leaves a value open ("no date has been
# set", "the fee has yet to be agreed", "it is not known how many died").
_SETTLING = frozenset({"set", "fix", "agree", "decide", "determine", "finalise", "know"})
# Adjectives that say what follows is open ("it is unclear how much"), and those that say so
# negated ("it is not clear by how much"); the open thing is the clause that follows.
_UNSURE = frozenset({"unclear", "uncertain"})
_SURE = frozenset({"clear", "certain"})
_OPEN = frozenset({"ccomp", "xcomp", "advcl", "csubj", "prep"})
# Penn tags of the adjective or adverb in "how long", "how far", "how big": a measure.
_DEGREE_TAGS = frozenset({"JJ", "JJR", "RB", "RBR"})

# Nouns that name a thing only through what they are of ("details of the deal"): their type is
# their modifier's ("financial details": money) or their "of" object's.
_VAGUE = frozenset({"detail", "term", "information", "figure", "particular"})
_FINANCIAL = frozenset({"financial", "commercial", "monetary"})
# A person's or a thing's name asked for by what is withheld.
_NAME_NOUNS = frozenset({"identity", "name", "whereabouts"})

_WH_TYPES = {
    "why": AnswerType.REASON,
    "where": AnswerType.PLACE,
    "when": AnswerType.DATE,
    "who": AnswerType.PERSON,
    "whom": AnswerType.PERSON,
}

# Answer types that ask for the same kind of thing: money, counts and sizes are all figures; a
# person's and a body's name are both names.
_GROUPS = {
    AnswerType.AMOUNT: "figure",
    AnswerType.COUNT: "figure",
    AnswerType.QUANTITY: "figure",
    AnswerType.PERSON: "name",
    AnswerType.ORGANISATION: "name",
}

# What a "whether" clause may leave open: anything but a figure.
_MATTERS = tuple(t for t in AnswerType if t not in FIGURE_TYPES)


def withheld_types(doc: Doc) -> tuple[AnswerType | None, ...]:
    """What each withholding in the sentence withholds: an answer type, or None when it may be
    anything. Empty when the sentence withholds nothing."""
    found: list[AnswerType | None] = []
    for tok in doc:
        lemma = tok.lemma_.lower()
        if lemma in WITHHOLDING:
            found.append(_adjective_object(tok))
        elif _negated_telling(tok) and not _fact_or_matter(tok):
            told = _telling_object(tok)
            matter = _yes_or_no(tok) if told is None else None
            if matter is not None and not _names_figure(matter):
                # "could not say whether he had treated the nanny as a special case": a yes or
                # no, or which of two; a figure only when the clause is about one ("whether the
                # group had paid cash").
                found.extend(_MATTERS)
                continue
            # "was not given enough notice": giving withholds only a thing told (a figure, a
            # price, details), not whatever else is given.
            if told is not None or lemma != "give":
                found.append(told)
        elif lemma in _SETTLING and _not_done(tok):
            # Only a typed object: "no date has been set" withholds a date, but "did not know"
            # alone withholds nothing a reader can name.
            typed = _telling_object(tok)
            if typed is not None:
                found.append(typed)
        elif _unsure(tok):
            typed = _open_question(tok)
            if typed is not None:
                found.append(typed)
    return tuple(found)


def not_told(doc: Doc, teller: str = "") -> bool:
    """A verb of telling under a negation ("did not comment", "would not say"). With ``teller``
    (a name's last word, in lower case), only one whose subject may be that person: "the ONS
    would not comment" withholds nothing that Steve Radley said; "the magnate did not say"
    may be Mittal."""
    return any(_negated_telling(tok) and (not teller or _told_by(tok, teller)) for tok in doc)


def _told_by(tok: Token, teller: str) -> bool:
    """The active subject of the telling, or of the refusal it completes ("X declined to
    comment"), names ``teller``, or is no name (a pronoun, "the Indian-born magnate"), or is
    not there ("no details were given")."""
    verb = tok.head if tok.dep_ == "xcomp" else tok
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.pos_ != "PROPN":
        return True
    return teller in {t.lower_ for t in subject.subtree}


def _negated_telling(tok: Token) -> bool:
    """A verb of telling that is not done: under "not" ("did not disclose"), with "no" on what
    is told ("no details were revealed", "gave no figure"), the complement of a refusal or of
    "yet" ("declined to say", "has yet to reveal") or after "without" ("without disclosing").
    Not a source's own anonymity ("who declined to be named"), which withholds nothing told."""
    if tok.lemma_.lower() not in TELLING or _anonymous(tok):
        return False
    return _not_done(tok)


def _not_done(tok: Token) -> bool:
    """The verb is negated, refused, yet to happen, "too early" to do, or done "without"."""
    for child in tok.children:
        if child.dep_ == "neg":
            return True
        if child.dep_ in _TOLD and any(
            d.dep_ == "det" and d.lower_ == "no" for d in child.children
        ):
            return True
    head = tok.head
    if tok.dep_ == "xcomp" and (
        head.lemma_.lower() in _REFUSING
        or any(c.lower_ == "yet" for c in head.children)
        or (head.lemma_.lower() in _EARLY and any(c.lower_ == "too" for c in head.children))
    ):
        return True
    return tok.dep_ == "pcomp" and head.lower_ == "without"


def _unsure(adj: Token) -> bool:
    """ "unclear", or "clear" / "certain" negated on itself or on its copula ("it is not
    clear by how much")."""
    lemma = adj.lemma_.lower()
    if lemma in _UNSURE:
        return True
    if lemma not in _SURE:
        return False
    holders = [adj, adj.head] if adj.dep_ == "acomp" else [adj]
    return any(c.dep_ == "neg" for h in holders for c in h.children)


def _open_question(adj: Token) -> AnswerType | None:
    """The type asked by the wh-clause that is unclear ("how much the deal is worth": an
    amount; "by how much"); None for "whether" or for no clause (nothing typed is open)."""
    holders = [adj, adj.head] if adj.dep_ == "acomp" else [adj]
    for holder in holders:
        for child in holder.children:
            if child.i > adj.i and child.dep_ in _OPEN:
                typed = _clause_type(child)
                if typed is not None:
                    return typed
    return None


def withholds(types: tuple[AnswerType | None, ...], accepted: tuple[AnswerType, ...]) -> bool:
    """Whether any of the withheld ``types`` may be the part's answer (``accepted``: its answer
    type and the others it accepts)."""
    asked = {_GROUPS.get(t, t) for t in accepted}
    return any(t is None or _GROUPS.get(t, t) in asked for t in types)


def _yes_or_no(verb: Token) -> Token | None:
    """The "whether" or "if" clause that is not told, if that is what is not told."""
    return next(
        (c for c in verb.children if c.dep_ in _CLAUSAL and _opens_matter(c)),
        None,
    )


def _names_figure(clause: Token) -> bool:
    """A noun of the clause names a figure ("cash", "price")."""
    return any(_noun_type(t) in FIGURE_TYPES for t in clause.subtree if t.pos_ == "NOUN")


def _fact_or_matter(verb: Token) -> bool:
    """What is not told is a clause with no wh-word that the sentence states ("did not
    disclose that a subsidiary employed ...", "wouldn't say I'm bitter"): no value a part asks
    for. Not a yes-or-no matter ("would not confirm whether it will be built into Windows XP or
    Longhorn"), which may leave open when, or which."""
    told = next((c for c in verb.children if c.dep_ in _TOLD), None)
    if told is not None:
        # "refused to confirm reports they plan to launch a rival airline": what is not told
        # is what the reports say, a clause on a noun with no type of its own.
        return (
            told.pos_ == "NOUN"
            and _noun_type(told) is None
            and any(
                c.dep_ in _CONTENT and c.pos_ in {"VERB", "AUX"} and not _asks(c)
                for c in told.children
            )
        )
    clause = next((c for c in verb.children if c.dep_ in _CLAUSAL and c.i > verb.i), None)
    if clause is None or clause.pos_ not in {"VERB", "AUX"}:
        return False
    return not _asks(clause)


def _asks(clause: Token) -> bool:
    """The clause leaves a matter open ("whether it will be built") or a wh-word asks ("which
    facilities would be affected"), whatever its type."""
    return _opens_matter(clause) or any(_is_wh(t) for t in clause.subtree)


def _opens_matter(clause: Token) -> bool:
    """The clause is opened by "whether" or "if"."""
    return any(c.dep_ == "mark" and c.lower_ in {"whether", "if"} for c in clause.children)


def _adjective_object(adj: Token) -> AnswerType | None:
    if adj.dep_ == "amod":
        # "an unnamed agent", "four unknown callers": whoever they are, their name.
        typed = _noun_type(adj.head)
        if typed is None and adj.lemma_.lower() in {"unnamed", "unknown"}:
            return AnswerType.PERSON
        return typed
    # Predicative: "The identity of the artist remains unknown".
    subject = next((c for c in adj.head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    return _noun_type(subject) if subject is not None else None


def _telling_object(verb: Token) -> AnswerType | None:
    # Whatever is named, or left unnamed, is a name: "has yet to name a successor", "the
    # guitarist has not been named".
    named = AnswerType.PERSON if verb.lemma_.lower() == "name" else None
    for child in verb.children:
        # "It is not known how many died": the expletive "it" stands for the clause.
        if child.dep_ in {"dobj", "nsubjpass"} and not (child.lower_ == "it" and verb.i > child.i):
            return _noun_type(child) or named
        if child.dep_ in _CLAUSAL:
            return _clause_type(child)
    passive = any(c.dep_ == "auxpass" for c in verb.children)
    if verb.dep_ == "xcomp" and passive:
        # "The fee has yet to be revealed": what is told is the subject of "has".
        subject = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
        if subject is not None and subject.pos_ != "PRON":
            return _noun_type(subject) or named
    return named


def _anonymous(verb: Token) -> bool:
    """A source who "declined to be named" or "asked not to be named": what is withheld is the
    name of whoever is speaking, not a fact reported."""
    children = {c.dep_ for c in verb.children}
    return (
        verb.lemma_.lower() == "name"
        and verb.dep_ == "xcomp"
        and verb.head.lemma_.lower() in _UNNAMED_WISH
        and "auxpass" in children
        and "nsubjpass" not in children
    )


def _clause_type(head: Token) -> AnswerType | None:
    """The type a clause's wh-word asks ("why the three had been detained": a reason)."""
    for tok in head.subtree:
        word = tok.lower_
        if word in _WH_TYPES:
            return _WH_TYPES[word]
        if word == "how":
            after = tok.doc[tok.i + 1].lower_ if tok.i + 1 < len(tok.doc) else ""
            if after in {"much", "many"}:
                return AnswerType.AMOUNT if after == "much" else AnswerType.COUNT
            if tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].tag_ in _DEGREE_TAGS:
                return AnswerType.QUANTITY  # "how long", "how far"
            # "no details of how the records disappeared": a manner, told in words.
            return AnswerType.DESCRIPTION
        if word in {"which", "what"} and tok.dep_ == "det":
            return _noun_type(tok.head)
        if word == "what" and tok.dep_ in {"nsubj", "nsubjpass"}:
            # "not prepared to say what happened": an event, told in words; no figure or name.
            return AnswerType.DESCRIPTION
    return None


def _noun_type(noun: Token | None, depth: int = 0) -> AnswerType | None:
    if noun is None or depth > 2:
        return None
    lemma = noun.lemma_.lower()
    if lemma in _NAME_NOUNS:
        return AnswerType.PERSON
    if lemma in _VAGUE:
        if any(c.lemma_.lower() in _FINANCIAL for c in noun.children):
            return AnswerType.AMOUNT
        for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"):
            for obj in (c for c in prep.children if c.dep_ in {"pobj", "pcomp"}):
                if obj.dep_ == "pcomp":
                    return _clause_type(obj)
                return _noun_type(obj, depth + 1)
        # "gave no figure", "without giving detailed figures": a number.
        return AnswerType.COUNT if lemma == "figure" else None
    typed = type_of_noun(lemma, set())
    if typed is None or typed[0] in {AnswerType.DESCRIPTION, AnswerType.STATEMENT}:
        return None
    return typed[0]
