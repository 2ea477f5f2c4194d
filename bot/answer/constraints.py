"""The names, numbers and dates a question part gives, as the evidence stage looks for them in
passages (:mod:`bot.answer.evidence`): which words of each must appear, where a sentence writes
them, and whether a value found near them is one of them again (whether a score belongs to
another match: :mod:`bot.answer.matches`).

Pure functions of text and spaCy Docs; nothing is loaded here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from text_to_num import alpha2digit

from bot.answer.question.dates import MONTHS as _MONTHS
from bot.answer.question.words import _DATE_LABELS, _NUMBER_LABELS
from bot.answer.question.words import NAME_FILLER as _FILLER
from bot.answer.question.words import PERSON_LABELS as _PERSON_LABELS
from retrieval.text import HONORIFICS, STOPWORDS, demonym_places, term_or_demonym_in

if TYPE_CHECKING:
    from collections.abc import Iterable

    from spacy.tokens import Doc

    from bot.answer.question.types import Mention, QuestionPart

# Numbers and dates: a passage may spell them in words or in digits.
_NUMERIC = _DATE_LABELS | _NUMBER_LABELS

_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"(?:19|20)\d\d")
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
    # A people named by a regular demonym ("Californians", "Syrians", "North American"): a
    # passage names them by their place too ("California", "North America"). The place names
    # its last word may be written as.
    places: tuple[str, ...] = ()
    # A number or date the question spells in words, in digits ("within ten years" -> "within
    # 10 years"): a passage may write it either way. Empty when the question writes digits.
    spelled: str = ""

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
        # "North American": "North America", its last word's place after the words before it.
        places = demonym_places(words[-1]) if mention.label == "NORP" and words else ()
        spelled = digits(lower) if mention.label in _NUMERIC else lower
        return cls(
            mention.text,
            lower,
            words,
            surname,
            side=side,
            label=mention.label,
            place=place,
            places=places,
            spelled="" if spelled == lower else spelled,
        )


@lru_cache(maxsize=4096)
def digits(text: str) -> str:
    """``text`` with every number written in words in digits ("six to ten times" -> "6 to 10
    times"; text2num's English parser, every number however small)."""
    return alpha2digit(text, "en", threshold=0)


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
    if c.spelled and pattern(c.spelled).search(text_lower):
        return True
    if c.label in _NUMERIC and any(ch.isdigit() for ch in c.lower):
        # The question's digits, the passage's words ("10 years", "ten years").
        spelled = digits(text_lower)
        if spelled != text_lower and pattern(c.lower).search(spelled):
            return True
    if c.words and all(w in words for w in c.words):
        return True
    if c.label in _DATE_LABELS and _year_unsaid(c.words, words):
        return True
    if c.place and c.words and all(_place_word_in(w, words) for w in c.words):
        return True
    if c.places and all(w in words for w in c.words[:-1]) and any(p in words for p in c.places):
        return True
    if _acronym(c) in words:
        return True
    return c.surname is not None and c.surname in words


def _year_unsaid(date: tuple[str, ...], words: set[str]) -> bool:
    """A month and its year ("January 2005") written as the month alone ("reached 5.037
    million in January"): news leaves the current year unsaid. Not where the passage writes
    another year, whose January it may be."""
    years = [w for w in date if _YEAR.fullmatch(w)]
    months = [w for w in date if w in _MONTHS]
    if len(years) != 1 or not months or len(years) + len(months) != len(date):
        return False
    others = any(_YEAR.fullmatch(w) and w != years[0] for w in words)
    return not others and all(m in words for m in months)


def _place_word_in(word: str, words: set[str]) -> bool:
    """A place's word or its demonym ("North American" for "North America"); a plural place by
    its singular, as its adjective is written ("the Balkan peninsula", "Falkland islanders")."""
    return term_or_demonym_in(word, words) or (
        len(word) > 4 and word.endswith("s") and word[:-1] in words
    )


def _acronym(c: Constraint) -> str:
    """ "ppi" for the Pensions Policy Institute: a name of three words or more is written by
    its initials once introduced ("the PPI said"). Not a common word ("who"). A two-word name
    by its initials in capitals ("GE" for General Electric, :func:`initialisms` keeps them
    so): two lower-case letters are too often a word."""
    initials = _initials(c)
    if c.label in _NUMERIC or initials in STOPWORDS:
        return ""
    if len(c.words) >= 3:
        return initials
    return initials.upper() if len(c.words) == 2 and c.surname is None else ""


def initialisms(doc: Doc) -> frozenset[str]:
    """ "rics" for "the Royal Institute of Chartered Surveyors": the initials of each name of
    three capitalised words or more that a passage writes in full, for a question that names it
    by its initials (the converse of :func:`_acronym`; the article's first mention is in full,
    and that sentence may hold the answer); and every two-letter word in capitals as written
    ("GE"), which no lower-case word can be."""
    found = {t.text for t in doc if len(t) == 2 and t.is_upper and t.is_alpha}
    for ent in doc.ents:
        caps = [t.lower_[0] for t in ent if t.is_alpha and t.text[0].isupper() and not t.is_stop]
        if len(caps) >= 3:
            found.add("".join(caps))
    return frozenset(found)


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
    for needle in (c.lower, c.spelled, _acronym(c), *c.words, *c.places):
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


def part_constraints(part: QuestionPart, docs: Iterable[Doc]) -> list[Constraint]:
    """The part's names, numbers and dates as constraints (:func:`as_people` against the
    passages' ``docs``), each once (an inherited subject may name one again). A "mention" with
    no letter or digit (a replacement character, a stray symbol) names nothing."""
    unique: dict[str, Constraint] = {}
    for m in (*part.entities, *part.numbers, *part.dates):
        if _WORD.search(m.text):
            c = Constraint.of(m)
            unique.setdefault(c.lower, c)
    return as_people(list(unique.values()), docs)


def as_people(constraints: list[Constraint], docs: Iterable[Doc]) -> list[Constraint]:
    """The constraints, with a name the question's NER took for something else ("according to
    Jakob Nielsen": an organisation) named by its last word too where the passages' NER calls
    that name, or its last word, a person ("Jakob Nielsen", "Dr Nielsen said"), as a person's
    name is. spaCy's small pipeline labels a name in a short question with less context than
    in an article's sentence."""
    unsure = [
        c
        for c in constraints
        if c.surname is None and len(c.words) > 1 and c.label not in _NUMERIC | {"ORDINAL"}
    ]
    if not unsure:
        return constraints
    people = [
        tuple(w for w in _WORD.findall(e.text.lower()) if w not in HONORIFICS)
        for d in docs
        for e in d.ents
        if e.label_ in _PERSON_LABELS
    ]
    return [
        replace(c, surname=c.words[-1]) if c in unsure and _person_named(c, people) else c
        for c in constraints
    ]


def _person_named(c: Constraint, people: list[tuple[str, ...]]) -> bool:
    """Some person's name ends on the constraint's last word, and its other words are the
    constraint's: "nielsen" or "jakob nielsen" for "Jakob Nielsen"."""
    return any(p and p[-1] == c.words[-1] and set(p) <= set(c.words) for p in people)
