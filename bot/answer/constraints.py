"""The names, numbers and dates a question part gives, as the evidence stage looks for them in
passages (:mod:`bot.answer.evidence`): which words of each must appear, where a sentence writes
them, and whether a value found near them is one of them again or belongs to another match.

Pure functions of text and spaCy Docs; nothing is loaded here.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.answer.question.mentions import _SCORE
from bot.answer.question.words import _DATE_LABELS, _NUMBER_LABELS
from bot.answer.question.words import NAME_FILLER as _FILLER
from bot.answer.question.words import PERSON_LABELS as _PERSON_LABELS
from retrieval.text import demonym_places, term_or_demonym_in

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from bot.answer.question.types import Mention

# Month names and their abbreviations, lower case (the standard library's English ones).
_MONTHS = frozenset(m.lower() for m in (*calendar.month_name, *calendar.month_abbr) if m)
_WORD = re.compile(r"\w+")
_VERSION = re.compile(r"^v?\d+(?:\.\d+)+$")

# Entity labels of a match's sides: players, clubs, national teams. Not NORP: "the Indian
# teenager beat the Russian 6-4 6-2" describes the question's own players.
_SIDE_LABELS = frozenset({"PERSON", "ORG", "GPE"})
_PLACE_LABELS = frozenset({"GPE", "LOC"})


@dataclass(frozen=True)
class Constraint:
    """A name, number or date the part gives, and the words of it a passage must write."""

    text: str
    lower: str
    words: tuple[str, ...]  # content words, lower case
    surname: str | None  # a person's last word, which names them on its own
    # A person, organisation or place: a side of a match ("another_match").
    side: bool = False
    label: str = ""  # the question's entity label for it
    # An ordinal with the noun it counts ("second leg", "eighth studio album"): the passage must
    # write the ordinal before that noun, not the ordinal anywhere ("the second half").
    ordinal: tuple[str, str] | None = None
    # A country, city or region: "North America" is named by "the North American box office"
    # too (its words, or their regular demonyms: retrieval.text.term_or_demonym_in).
    place: bool = False
    # A people named by a regular demonym ("Californians", "Syrians"): a passage names them by
    # their place too ("California"). The place names it may be written as.
    places: tuple[str, ...] = ()

    @classmethod
    def of(cls, mention: Mention) -> Constraint:
        lower = mention.text.lower().strip()
        words = tuple(w for w in _WORD.findall(lower) if w not in _FILLER)
        if mention.label in _DATE_LABELS:
            # A date is its numbers and months: "the end of 2004" is "in the closing months of
            # 2004" too. A date without them ("last season") keeps its words.
            exact = tuple(w for w in words if w.isdigit() or w in _MONTHS)
            words = exact or words
        if mention.label not in _DATE_LABELS | _NUMBER_LABELS:
            # "Opera 8.0": a release is named by its product's name alone as well ("Opera can
            # also magnify text"). Only a dotted number is taken for a version: a plain one is
            # often the name itself ("Channel 4", "Under-21").
            name, _, last = lower.rpartition(" ")
            if name and _VERSION.match(last):
                words = tuple(w for w in _WORD.findall(name) if w not in _FILLER) or words
        surname = words[-1] if mention.label in _PERSON_LABELS and len(words) > 1 else None
        if mention.label == "ORDINAL" and len(words) > 1:
            return cls(mention.text, lower, (), None, ordinal=(words[0], words[-1]))
        side = mention.label in _SIDE_LABELS
        place = mention.label in _PLACE_LABELS
        places = demonym_places(words[0]) if mention.label == "NORP" and len(words) == 1 else ()
        return cls(
            mention.text,
            lower,
            words,
            surname,
            side=side,
            label=mention.label,
            place=place,
            places=places,
        )


@lru_cache(maxsize=4096)
def pattern(needle: str) -> re.Pattern[str]:
    """``needle`` as a whole word; a number may carry a unit written onto it ("the 5,000m" for
    "5,000"), but not more digits ("5,0001", "5,000.5")."""
    end = r"(?![\d]|[.,]\d)" if needle[-1].isdigit() else r"(?!\w)"
    return re.compile(r"(?<!\w)" + re.escape(needle) + end)


@lru_cache(maxsize=512)
def ordinal_pattern(ordinal: str, noun: str) -> re.Pattern[str]:
    """The ordinal, then at most two words, then the noun or its plural ("second leg", "third-
    round", "eighth studio album", "fourth series")."""
    return re.compile(
        r"(?<!\w)"
        + re.escape(ordinal)
        + r"(?:[\s-]+[\w']+){0,2}?[\s-]+"
        + re.escape(noun)
        + r"(?:s|es)?(?!\w)"
    )


def present(c: Constraint, text_lower: str, words: set[str]) -> bool:
    if c.ordinal is not None:
        return ordinal_pattern(*c.ordinal).search(text_lower) is not None
    if c.lower and pattern(c.lower).search(text_lower):
        return True
    if c.words and all(w in words for w in c.words):
        return True
    if c.place and c.words and all(term_or_demonym_in(w, words) for w in c.words):
        return True
    if any(p in words for p in c.places):
        return True
    return c.surname is not None and c.surname in words


def positions(c: Constraint, text: str, start: int = 0) -> list[tuple[int, int]]:
    """Spans where the constraint (or one of its content words) is written in ``text``, offset
    by ``start`` (a sentence's place in its article; 0 for a title)."""
    lower = text.lower()
    found: list[tuple[int, int]] = []
    if c.ordinal is not None:
        return [
            (start + m.start(), start + m.end())
            for m in ordinal_pattern(*c.ordinal).finditer(lower)
        ]
    for needle in (c.lower, *c.words, *c.places):
        if not needle:
            continue
        for m in pattern(needle).finditer(lower):
            found.append((start + m.start(), start + m.end()))
    return found


def names_constraint(value: str, constraints: Sequence[Constraint]) -> bool:
    """The value names something the question names: its text, or only words of one
    constraint ("Spears", tagged an organisation in the headline "Spears seeks aborted tour
    payment", is Britney Spears again, not the insurers asked for). A value that adds a word
    ("Manchester United" for "Manchester") is a value of its own, unless the word is the
    constraint's initials ("China Aviation Oil (CAO)")."""
    lower = value.lower().strip()
    words = {w for w in _WORD.findall(lower) if w not in _FILLER}
    return any(
        lower == c.lower or (words and words - {_initials(c)} <= set(c.words)) for c in constraints
    )


def _initials(c: Constraint) -> str:
    """ "cao" for China Aviation Oil; empty for a one-word constraint."""
    return "".join(w[0] for w in c.words) if len(c.words) > 1 else ""


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
