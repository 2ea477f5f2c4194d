"""Whether a score in a passage is the one asked for or another match's.

"What was the score of Roddick's final against Saulnier?" is not answered by "The American top
seed overcame Germany's Tommy Haas 7-6 6-3": a score belongs to the sides its clause names, or,
when it names none, to the match of the sentence before. Read from spaCy's parse of the
sentence the evidence stage already made (:mod:`bot.answer.evidence`); nothing is loaded here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.answer.constraints import _SIDE_LABELS, Constraint, names_constraint, positions
from bot.answer.question.mentions import _SCORE

if TYPE_CHECKING:
    from spacy.tokens import Doc


def another_match(
    doc: Doc, named: Sequence[Constraint], before: Doc | None = None, at: int | None = None
) -> bool:
    """A score in a sentence that names a side and none of the sides, players or events the
    question names is another match's ("Roddick will play Saulnier in the final. The American
    top seed overcame Germany's Tommy Haas 7-6 6-3."). A sentence naming no side at all (a
    quotation: "we won 4-2 on aggregate"; "The world number one took two hours to earn his
    4-6 6-3 7-6 victory") goes on with the match of the sentence ``before`` it, if any: the
    score asked for, unless that sentence names, beside a side the question names, another of
    the same kind (Federer "squeezing past Juan Carlos Ferrero"; a scorer beside the clubs asked
    about is not one).

    With the score's offset ``at``, only its own clause counts: a player named in a clause about
    the next meeting ("won 5-7 6-0 6-2 to earn a second round meeting with Anastasia Myskina",
    "will face Marat Safin in Sunday's final after coming through 3-6 7-6 7-6 6-1") is not a
    side of the score's match."""
    inside = _clause_of(doc, at)
    sides = [e for e in doc.ents if e.label_ in _SIDE_LABELS and e.start in inside]
    # A proper noun the NER left out that is a subject ("Lopez, who lost to Federer last year,
    # won 6-2 3-6 6-3"): a side too, of any kind.
    unlabelled = [
        " ".join(t.text for t in (*tok.lefts, tok) if t.dep_ == "compound" or t.i == tok.i)
        for tok in doc
        if tok.i in inside
        and tok.dep_ in {"nsubj", "nsubjpass"}
        and tok.pos_ == "PROPN"
        and not tok.ent_type_
    ]
    if not sides and not unlabelled:
        return before is not None and _other_side(before, named)
    chars = {c for t in doc if t.i in inside for c in range(t.idx, t.idx + len(t))}
    found = [c for c in named if any(a in chars for a, _ in positions(c, doc.text))]
    if not found:
        return True
    # Asked about two sides ("did Nadal beat Puerta"), a sentence naming only one of them and a
    # side of the same kind the question does not name gives another of that side's matches
    # ("Nadal saw off Guillermo Canas 7-5 6-3"); a scorer or manager beside a club is not one.
    asked = [c for c in named if c.side]
    met = [c for c in asked if c in found]
    if len(asked) < 2 or len(met) != 1:
        return False
    kinds = {e.label_ for e in sides if names_constraint(e.text, met)}
    if any(e.label_ in kinds and not names_constraint(e.text, named) for e in sides) or any(
        not names_constraint(text, named) for text in unlabelled
    ):
        return True
    # The opponent described, not named ("saw off the Argentine third seed 7-5 6-3"): the
    # sentence before says who it was ("... to beat Guillermo Canas and reach the semis").
    return before is not None and _other_side(before, named)


def _other_side(doc: Doc, named: Sequence[Constraint]) -> bool:
    """The sentence names a side the question names and another of a kind the question's sides
    are, by the question's labels (the NER may call "Veteran Spaniard Conchita Martinez" an
    organisation in a passage; "US Open champion Svetlana Kuznetsova" names no other side of
    a question about two players in Dubai). In the score's own sentence :func:`another_match`
    goes by the NER's label of the side it names instead: the question's labels there lost an
    answerable training question ("by what score did Serena Williams beat her", CHANGELOG)."""
    asked = [c for c in named if c.side]
    if not any(positions(c, doc.text) for c in asked):
        return False
    # The kind most of them are: two players and a city they play in are players.
    counts = Counter(c.label for c in asked)
    kinds = {label for label, n in counts.items() if n == max(counts.values())}
    return any(
        e.label_ in kinds and not names_constraint(e.text, named)
        for e in doc.ents
        if e.label_ in _SIDE_LABELS
    )


# Dependents that open a clause of their own: a side named in one belongs to another event
# than the score's verb ("to earn a meeting with ...", "who lost to ...", "and now meets ...").
_CLAUSES = frozenset({"advcl", "xcomp", "ccomp", "relcl", "acl", "conj", "pcomp", "parataxis"})


def _run_start(text: str, at: int) -> int:
    """Where the run of set scores holding the one at ``at`` starts ("3-6 7-6 (7-3) 6-1"): the
    parse hangs the later sets anywhere, the first one where the match's verb is."""
    start = at
    for match in reversed([m for m in _SCORE.finditer(text) if m.start() < at]):
        if text[match.end() : start].strip(" ()"):
            break
        start = match.start()
    return start


def _clause_of(doc: Doc, at: int | None) -> set[int]:
    """Token indices of the clause the character offset ``at`` is in: from its nearest verb
    ancestor down, without the clauses below that verb which do not hold ``at``. All of the
    sentence when ``at`` is None."""
    if at is not None:
        at = _run_start(doc.text, at)
    tok = None if at is None else next((t for t in doc if t.idx <= at < t.idx + len(t)), None)
    if tok is None:
        return {t.i for t in doc}
    verb = tok
    while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
        verb = verb.head
    inside = {t.i for t in verb.subtree}
    for t in verb.subtree:
        if t.i != verb.i and t.dep_ in _CLAUSES and not (t.i == tok.i or t.is_ancestor(tok)):
            inside -= {u.i for u in t.subtree}
    return inside
