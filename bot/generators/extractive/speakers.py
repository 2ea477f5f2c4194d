"""Who says what in a news sentence: speakers, quotes and reported speech, for the extractive
generator's attribution feature ("What did X say about Y?").

"X said", "X told reporters", "he added", "the Foreign Secretary warned", quoted text: a sentence's
speaker is resolved to a person, where "he" / "the Foreign Secretary" / "Mr Johnson" mean the most
recently named speaker of the article (or the person a role was seen with).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.text import (
    CALENDAR_WORDS,
    HONORIFICS,
    OFFICE_TITLES,
    SAYING_VERBS,
    SENTENCE_OPENERS,
    word_set,
)

# --- words and patterns --------------------------------------------------------------------------

_VERBS = (
    "said says say told tells added adds warned warns claimed claims argued argues insisted "
    "insists explained explains stated states admitted admits believes believed noted notes "
    "suggested suggests urged urges described describes accused accuses denied denies confirmed "
    "confirms announced announces defended defends stressed stresses predicted predicts promised "
    "promises revealed reveals maintained maintains conceded concedes acknowledged acknowledges "
    "commented comments continued continues replied replies responded responds hoped hopes wrote "
    "writes thinks thought blamed blames reckons feels felt called calls branded brands "
    "dismissed dismisses criticised criticises praised praises agreed agrees vowed vows "
    "pledged pledges"
)
REPORTING_VERBS = frozenset(_VERBS.split())
_PARTICIPLES = word_set(
    "saying adding warning claiming arguing insisting explaining branding calling describing "
    "accusing telling urging admitting"
)
# The verbs that introduce the words themselves (others, like "defended", only hint at speech).
_SPEECH_VERBS = word_set(
    "said says told tells added adds warned warns insisted insists claimed claims argued argues "
    "explained explains stated states saying adding warning claiming arguing insisting explaining "
    "according to"
) | {"according to"}
_VERB_RE = re.compile(
    r"\b(" + "|".join(sorted(REPORTING_VERBS | _PARTICIPLES, key=len, reverse=True)) + r")\b"
    r"|\baccording to\b",
    re.IGNORECASE,
)
# Titles before a name: "Mr", "Dame", "Prof", "President" or "Chancellor" (with a full stop or not).
_PERSONAL_TITLES = HONORIFICS | word_set("prof professor")
_TITLES = (
    r"(?:"
    + "|".join(sorted(w.capitalize() for w in _PERSONAL_TITLES | {"president", "chancellor"}))
    + r")\.?"
)
_NAME_WORD = r"[A-Z][a-zA-Z'’\-]+"
_NAME_RE = re.compile(
    rf"\b(?:{_TITLES}\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?"
    rf"|{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|[A-Z]\.|de|van|von|al-\w+|bin))*)"
)
_PRONOUN_RE = re.compile(r"\b(he|she|it|they)\b", re.IGNORECASE)
_ROLE_NOUNS = (
    "defender striker midfielder keeper goalkeeper forward winger player star actor actress "
    "singer rapper musician director producer chancellor minister secretary president premier "
    "leader spokesman spokeswoman spokesperson boss manager coach chief executive chairman "
    "chairwoman head firm company group bank club side team band mayor officer analyst "
    "economist official court judge government party union campaigner veteran teenager "
    "youngster champion winner captain founder owner author writer comedian presenter host "
    "governor senator mp candidate commissioner regulator watchdog report study survey"
)
_ROLE_RE = re.compile(
    r"\bthe\s+(?:[\w\-]+\s+){0,2}?(?:\d+-year-old|(?:" + "|".join(_ROLE_NOUNS.split()) + r")s?)\b",
    re.IGNORECASE,
)
_REPORTING_NEXT = re.compile(
    r"\s+(?:has\s+|had\s+|also\s+)?(?:"
    + "|".join(sorted(REPORTING_VERBS, key=len, reverse=True))
    + r")\b"
)
# "is said to have been impressed": passive, nobody is speaking.
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|been|be|being)\s+$", re.IGNORECASE)
# Capitalised words that are not people: sentence openers, months, days, and the like.
NOT_NAMES = SENTENCE_OPENERS | CALENDAR_WORDS | word_set("speaking asked writing talking you")
# What a question may ask someone did with words: "What did X say / describe / blame ...?".
_QUESTION_VERBS = SAYING_VERBS | word_set("describe react blame hope expect criticise praise")
_QUESTION_ATTRIBUTION = re.compile(
    r"\b(?:did|does|do|has|have|had|will|would|was|is)\s+(?P<who>.+?)\s+"
    r"(?P<verb>" + "|".join(sorted(_QUESTION_VERBS)) + r")\b",
    re.IGNORECASE,
)
_ACCORDING_TO = re.compile(r"\baccording to\s+(?P<who>[^,?]+)", re.IGNORECASE)
_QUOTE_CHARS = '"“”'
# Words of titles and roles: "US President Donald Trump" teaches that "the President" is Trump.
ROLE_WORDS = OFFICE_TITLES | word_set(
    "chair executive boss manager coach captain head attorney home deputy shadow us uk vice "
    "senior officer founder striker midfielder defender keeper"
)


@dataclass(frozen=True, slots=True)
class Person:
    """A named speaker: the tokens of the name, lower-cased; the surname is the last one."""

    tokens: tuple[str, ...]

    @property
    def surname(self) -> str:
        return self.tokens[-1]

    def matches(self, other: Person) -> bool:
        return self.surname in other.tokens or other.surname in self.tokens


def person_named(name: str) -> Person | None:
    words = [w.strip(".'’").lower() for w in name.split()]
    words = [w.removesuffix("'s") for w in words if w]
    words = [w for w in words if w not in _PERSONAL_TITLES]
    if not words or (words[0] in NOT_NAMES and len(words) == 1):
        return None
    return Person(tuple(words))


def question_people(question: str) -> list[Person]:
    """The people (or bodies) whose words an attribution question asks about."""
    who = None
    m = _QUESTION_ATTRIBUTION.search(question)
    if m:
        who = m.group("who")
    else:
        m2 = _ACCORDING_TO.search(question)
        if m2:
            who = m2.group("who")
    if not who:
        return []
    # "Microsoft's Mike Nash" -> "Mike Nash"; "Middlesbrough mayor Ray Mallon" -> "Ray Mallon".
    people = []
    for part in re.split(r"\s+(?:and|&)\s+|,\s*", who):
        runs = re.findall(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*", part.split("'s ")[-1])
        runs = [r for r in runs if r.split()[0].lower() not in NOT_NAMES or len(r.split()) > 1]
        if runs:
            person = person_named(runs[-1])
            if person:
                people.append(person)
    return people


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    regions = []
    for m in re.finditer(r"[\"“]([^\"“”]*)[\"”]", text):
        regions.append((m.start(), m.end()))
    return regions


def find_mentions(sentence: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, text) of names, pronouns and role nouns outside quotes."""
    quoted = _quoted_regions(sentence)

    def outside(a: int) -> bool:
        return not any(x <= a < y for x, y in quoted)

    found: list[tuple[int, int, str, str]] = []
    for m in _NAME_RE.finditer(sentence):
        first = m.group(0).split()[0].lower()
        if first in NOT_NAMES and len(m.group(0).split()) == 1:
            continue
        if m.group(0).lower() in REPORTING_VERBS:
            continue
        if not outside(m.start()):
            continue
        start, words = m.start(), m.group(0).split()
        if start == 0 and len(words) == 1 and not _REPORTING_NEXT.match(sentence, m.end()):
            # "Early talks have ...": a capitalised first word is not a name on its own,
            # unless a reporting verb follows ("Dunne said").
            continue
        led_by_the = False
        # "But Mr Johnson", "The Foreign Secretary": leading function words are not the name.
        while words and words[0].lower() in NOT_NAMES:
            led_by_the = led_by_the or words[0].lower() == "the"
            start = sentence.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        if not words:
            continue
        # "the Foreign Secretary", "the President": a role, resolved like a pronoun.
        led_by_the = led_by_the or bool(
            re.search(r"\bthe\s+$", sentence[max(0, start - 5) : start], re.IGNORECASE)
        )
        all_roles = all(w.lower() in ROLE_WORDS for w in words)
        kind = "role" if led_by_the or all_roles else "name"
        found.append((start, m.end(), kind, " ".join(words)))
    for m in _PRONOUN_RE.finditer(sentence):
        if outside(m.start()):
            found.append((m.start(), m.end(), "pronoun", m.group(0)))
    for m in _ROLE_RE.finditer(sentence):
        if outside(m.start()) and not any(a <= m.start() < b for a, b, _, _ in found):
            found.append((m.start(), m.end(), "role", m.group(0)))
    found.sort()
    return found


def speaker_mention(sentence: str) -> tuple[str, str] | None:
    """(kind, text) of who a sentence reports as speaking, or None."""
    verbs = [
        m
        for m in _VERB_RE.finditer(sentence)
        if not _in_quote(sentence, m.start())
        and not _PASSIVE_BEFORE.search(sentence[max(0, m.start() - 8) : m.start()])
    ]
    if not verbs:
        return None
    mentions = find_mentions(sentence)
    if not mentions:
        return None
    for v in verbs:
        word = v.group(0).lower()
        if word in _PARTICIPLES:
            # ", saying ..." belongs to the sentence's subject: its first mention.
            before = [m for m in mentions if m[1] <= v.start()]
            if before:
                return before[0][2], before[0][3]
            continue
        if word == "according to":
            after = [m for m in mentions if m[0] >= v.end() and m[0] - v.end() <= 3]
            if after:
                return after[0][2], after[0][3]
            continue
        # Subject right before the verb ("Mr Johnson added", "Boris Johnson has warned",
        # "the Foreign Secretary said"), allowing an auxiliary or adverb in between.
        gap = r"\s*(?:,[^,]{1,70},)?\s*(?:(?:has|had|have|also|then|later|previously|again|was|is|"
        gap += r"once|had\s+previously|further)\s+)*$"
        for _start, end, kind, text in reversed(mentions):
            if end <= v.start() and re.match(gap, sentence[end : v.start()]):
                return kind, text
        # Inverted after a quote: '"...," said Mr Brown.' / 'said the chancellor'.
        for start, _end, kind, text in mentions:
            if start >= v.end() and re.fullmatch(r"\s*", sentence[v.end() : start]):
                return kind, text
        # Otherwise the sentence's subject, its first mention ("He was threatened by Kevin
        # Keegan but has since responded ..." is about "he", not Keegan).
        before = [m for m in mentions if m[1] <= v.start()]
        if before:
            return before[0][2], before[0][3]
    return None


def speech_text(sentence: str) -> str:
    """The part of a sentence that reports speech: quotes, and the clause the verb introduces.

    '..., saying that it was important X' -> after the verb; 'Senior officers could face
    sanctions, Boris Johnson has warned.' -> before it (the verb ends the sentence).
    """
    parts = [sentence[a:b] for a, b in _quoted_regions(sentence)]
    verbs = [m for m in _VERB_RE.finditer(sentence) if not _in_quote(sentence, m.start())]
    if verbs:
        core = [m for m in verbs if m.group(0).lower() in _SPEECH_VERBS]
        v = (core or verbs)[0]
        if v.end() >= 0.7 * len(sentence.rstrip(" .")):
            parts.append(sentence[: v.start()])
        else:
            parts.append(sentence[v.end() :])
    elif not parts:
        return sentence
    return " ".join(parts)


def _in_quote(text: str, pos: int) -> bool:
    return any(a <= pos < b for a, b in _quoted_regions(text))


def has_quote(text: str) -> bool:
    return any(c in text for c in _QUOTE_CHARS)


_NOT_PEOPLE = word_set(
    "city united street park club party council bank group corp corporation ltd inc plc fc "
    "association commission ministry office government news bbc house league cup union court "
    "committee department agency board company airlines airways motors university college "
    "school hospital police service services church museum festival awards academy society "
    "institute foundation fund trust exchange market markets stock times post telegraph "
    "guardian journal press radio tv records studios pictures network networks europe america "
    "africa asia kingdom republic states nations islands road square hall centre center "
    "stadium palace north south east west new old great royal national international "
    "federal world global"
)


def _is_personal(name: str) -> bool:
    words = [w.lower().strip(".'’") for w in name.split()]
    return bool(words) and not any(w in _NOT_PEOPLE for w in words)


def salient_person(title: str, sentences: Sequence[str]) -> Person | None:
    """The article's main person: the most mentioned surname (title mentions count double)."""
    counts: dict[str, float] = {}
    longest: dict[str, Person] = {}
    for text in sentences:
        for _s, _e, kind, mtext in find_mentions(text):
            if kind != "name" or not _is_personal(mtext):
                continue
            person = person_named(mtext)
            if person is None:
                continue
            counts[person.surname] = counts.get(person.surname, 0.0) + 1.0
            if len(person.tokens) > len(longest.get(person.surname, Person(())).tokens):
                longest[person.surname] = person
    title_words = {w.lower().strip(".'’").removesuffix("'s") for w in title.split()}
    for surname in counts:
        if surname in title_words:
            counts[surname] += 2.0
    # A single mention is no evidence of who the article is about.
    best = max(counts, key=lambda k: counts[k], default=None)
    if best is None or counts[best] < 2:
        return None
    return longest[best]


def learn_roles(text: str, roles: dict[str, Person]) -> None:
    """Learn "Role Words Firstname Surname" ("US President Donald Trump") as role -> person."""
    for m in _NAME_RE.finditer(text):
        words = m.group(0).split()
        role = [w for w in words if w.lower() in ROLE_WORDS]
        rest = [w for w in words if w.lower() not in ROLE_WORDS]
        if role and rest and words[: len(role)] == role:
            person = person_named(" ".join(rest))
            if person:
                roles[" ".join(w.lower() for w in role if w.lower() not in {"us", "uk"})] = person


def resolve_role(mention: str, roles: dict[str, Person]) -> Person | None:
    words = [w.lower() for w in mention.split() if w.lower() not in {"the", "us", "uk"}]
    key = " ".join(words)
    if key in roles:
        return roles[key]
    # "the President" also matches a role learned as "vice president"? No: only an exact role.
    return None
