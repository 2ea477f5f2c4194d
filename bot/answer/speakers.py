"""Who says what in a news sentence: speakers, quotes and reported speech, for the extractive
generator's attribution feature and the decision's speaker-topic feature ("What did X say about
Y?"): language analysis of the answering core, so the decision stage depends on no generator.

Everything is read from spaCy's parse of the sentence (the Docs the evidence stage made and
cached, :mod:`bot.answer.cache`): the speaker is the subject of a reporting verb (by lemma, the
one list in :mod:`bot.answer.question.words`), the agent of a passive one ("was described by X"),
the subject a participle or a coordinated verb inherits (", adding ...", "and warned"), the
object of "according to"; never a reporting verb inside a quotation, nor a passive without agent
("is said to have ..."). The subject is then a **name** (a PERSON, ORG, GPE or NORP entity, or
proper nouns the NER missed), a **role** (a definite description: "the Foreign Secretary",
"his spokesman"), a **pronoun** ("he") or something else ("analysts"). Roles are learned from a
name written with its title or apposition ("US President Donald Trump", "Boris Johnson, the
Foreign Secretary,"); a pronoun or a role means the most recent speaker of the article (see
:mod:`bot.generators.extractive.candidates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.answer.question.words import (
    REPORTING_VERBS,
    STATEMENT_VERBS,
    THIRD_PERSON_PRONOUNS,
    is_definite,
)
from retrieval.text import HONORIFICS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Entity labels that name someone (or a body) whose words can be reported.
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_SUBJECTS = frozenset({"nsubj", "csubj"})
_PASSIVE = frozenset({"nsubjpass", "csubjpass", "auxpass"})
# A verb that shares its head's subject: ", adding ..." (advcl), "and warned" (conj),
# "went on to say" (xcomp).
_INHERITS = frozenset({"advcl", "conj", "xcomp"})
_DOUBLE_QUOTES = frozenset({'"', "“", "”"})
_QUOTE_CHARS = '"“”'

Kind = Literal["name", "role", "pronoun", "other"]


@dataclass(frozen=True, slots=True)
class Person:
    """A named speaker: the tokens of the name, lower-cased; the surname is the last one."""

    tokens: tuple[str, ...]

    @property
    def surname(self) -> str:
        return self.tokens[-1]

    def matches(self, other: Person) -> bool:
        return self.surname in other.tokens or other.surname in self.tokens


@dataclass(frozen=True, slots=True)
class Mention:
    """Who a sentence reports as speaking: ``text`` as written, and its ``kind``."""

    kind: Kind
    text: str


def person_named(name: str) -> Person | None:
    """The person a written name means ("Mr Johnson's" -> johnson), or None for no name."""
    words = [w.strip(".'’").lower() for w in name.split()]
    words = [w.removesuffix("'s").removesuffix("’s") for w in words if w]
    words = [w for w in words if w and w not in HONORIFICS]
    return Person(tuple(words)) if words else None


# --- quotations ----------------------------------------------------------------------------------


def quoted_tokens(doc: Doc) -> frozenset[int]:
    """Indices of the tokens inside double quotation marks (the marks included). A quotation
    left open runs to the end of the sentence (it closes in a later one); one closed without
    having opened began in an earlier sentence, so it runs from the start. Whether a straight
    mark opens or closes is the tagger's call (tags ``` `` ``` and ``''``)."""
    inside: set[int] = set()
    open_at: int | None = None
    for tok in doc:
        if tok.text not in _DOUBLE_QUOTES:
            continue
        opening = tok.text == "“" or (tok.text == '"' and tok.tag_ == "``")
        if open_at is None and opening:
            open_at = tok.i
        elif open_at is not None:
            inside.update(range(open_at, tok.i + 1))
            open_at = None
        elif not inside:
            inside.update(range(0, tok.i + 1))  # closes a quotation opened before
    if open_at is not None:
        inside.update(range(open_at, len(doc)))
    return frozenset(inside)


def has_quote(text: str) -> bool:
    return any(c in text for c in _QUOTE_CHARS)


def quotation_ends(text: str) -> tuple[bool, bool]:
    """(whether ``text`` begins inside a quotation, whether it ends inside one): the sentence
    closes a double quotation it did not open ('It was a professional sort of performance," the
    Dutchman said.'), or opens one it does not close ('"We had the initiative but it wasn't
    easy.'), whose speaker is often named in the next sentence ('"We will win. ... ," said
    X.'). Curly quotes say which they are; a straight one opens when it starts the text or
    follows a space or an opening bracket or dash, and is followed by a non-space (a closing
    quote the segmenter put at the start of the next sentence, '" Hailey later recalled.',
    closes)."""
    starts_inside = inside = False
    for i, ch in enumerate(text):
        if ch not in _QUOTE_CHARS:
            continue
        if ch == '"':
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            opening = (before.isspace() or before in "([{—–-:") and not after.isspace()
        else:
            opening = ch == "“"
        if opening:
            inside = True
        elif inside:
            inside = False
        else:
            starts_inside = True
    return starts_inside, inside


# --- the speaker of a sentence -------------------------------------------------------------------


def _subject(verb: Token) -> list[Token]:
    """Who does ``verb``: its subject, a passive's agent, or the subject it inherits from the verb
    it hangs on (", adding", "and warned"); [] when the parse names nobody (a passive without
    agent: "is said to have been impressed")."""
    for _ in range(4):
        subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
        agents = [g for a in verb.children if a.dep_ == "agent" for g in a.children]
        if subjects or agents:
            if verb.dep_ == "relcl" and any(s.tag_ in {"WP", "WDT"} for s in subjects):
                return [verb.head]  # "Mr Brown, who said ...": Mr Brown
            return subjects + agents
        if _is_passive(verb):
            return []
        if verb.dep_ not in _INHERITS or verb.head.i == verb.i:
            return []
        verb = verb.head
    return []


def _entity_of(tok: Token) -> Span | None:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end and ent.label_ in _NAME_LABELS:
            return ent
    return None


def _proper_run(head: Token) -> str:
    """The head with its proper-noun compounds ("Mr Brown", "Foreign Secretary")."""
    words = [c for c in head.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
    return " ".join(t.text for t in (*words, head))


def _role_key(tokens: Iterable[Token]) -> str:
    """A role as a lookup key: its words, lower-case, without place names ("US President" ->
    "president")."""
    return " ".join(
        t.lower_ for t in tokens if t.ent_type_ not in {"GPE", "NORP"} and t.pos_ != "DET"
    )


def _role_tokens(head: Token) -> list[Token]:
    """A description's head with its compounds and adjectives ("the Foreign Secretary")."""
    mods = [c for c in head.lefts if c.dep_ in {"compound", "amod"}]
    return [*mods, head]


def classify(head: Token) -> Mention | None:
    """What kind of speaker the phrase headed by ``head`` is (see the module docstring)."""
    if head.pos_ == "PRON":
        # Only a third person stands for someone named earlier ("I" and "we" are quoted).
        lower = head.lower_
        return Mention("pronoun", lower) if lower in THIRD_PERSON_PRONOUNS else None
    ent = _entity_of(head)
    if ent is not None:
        return Mention("name", ent.text)
    # "the minister, John Smith, said": the apposition names them.
    for child in head.children:
        if child.dep_ == "appos":
            ent = _entity_of(child)
            if ent is not None and ent.label_ == "PERSON":
                return Mention("name", ent.text)
    if is_definite(head):
        return Mention("role", " ".join(t.text for t in _role_tokens(head)))
    if head.pos_ == "PROPN":
        return Mention("name", _proper_run(head))
    # "An Electoral Commission spokeswoman", "a Capital Economics statement": the body named
    # inside an indefinite description speaks through it.
    inner = _inner_entity(head)
    if inner is not None:
        return Mention("name", inner.text)
    return Mention("other", head.text)


def _inner_entity(head: Token) -> Span | None:
    """A PERSON, else an ORG entity among the words before ``head`` in its phrase."""
    found = [
        ent
        for ent in head.doc.ents
        if ent.label_ in {"PERSON", "ORG"} and head.left_edge.i <= ent.start and ent.end <= head.i
    ]
    found.sort(key=lambda ent: ent.label_ != "PERSON")
    return found[0] if found else None


def speaker_mention(doc: Doc) -> Mention | None:
    """Who ``doc`` (one sentence) reports as speaking, or None: the first reporting verb outside
    quotation marks whose doer the parse names, or the object of "according to"."""
    quoted = quoted_tokens(doc)
    for tok in doc:
        if tok.i in quoted:
            continue
        if tok.lower_ == "according":
            for obj in (g for p in tok.children if p.lower_ == "to" for g in p.children):
                if obj.dep_ == "pobj":
                    found = classify(obj)
                    if found is not None:
                        return found
            continue
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in REPORTING_VERBS:
            continue
        subjects = _subject(tok)
        for subject in subjects:
            found = classify(subject)
            if found is not None:
                return found
        if not subjects and tok.dep_ == "ROOT" and not _is_passive(tok):
            # A main verb the parse gave no subject (a misread phrase before it: "Philip Wride,
            # who co-manages the team, said"): the person the sentence opens with.
            person = _first_person_before(doc, tok, quoted)
            if person is not None:
                return person
    return None


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in _PASSIVE for c in verb.children)


def _first_person_before(doc: Doc, verb: Token, quoted: frozenset[int]) -> Mention | None:
    for ent in doc.ents:
        if ent.start >= verb.i:
            break
        if ent.label_ == "PERSON" and ent.start not in quoted:
            return Mention("name", ent.text)
    return None


def speech_text(doc: Doc) -> str:
    """The part of a sentence that reports speech: its quotations, and what the reporting verb
    reports (its clausal complement, "... could face sanctions, Boris Johnson has warned",
    or, without one, the verb's phrase without its subject: "told reporters about the plan").
    A sentence without either is all speech, as far as we can tell."""
    quoted = quoted_tokens(doc)
    parts: list[str] = []
    if quoted:
        parts.append(_text_of(doc, quoted))
    verbs = [
        tok
        for tok in doc
        if tok.i not in quoted and tok.pos_ == "VERB" and tok.lemma_.lower() in REPORTING_VERBS
    ]
    # The verb that introduces the words themselves has a clause ("..., saying that it was
    # important ..."); one with only an object ("defended his decision") just names a topic.
    verbs.sort(key=lambda v: not any(c.dep_ == "ccomp" for c in v.children))
    for tok in verbs[:1]:
        clauses = [c for c in tok.children if c.dep_ in {"ccomp", "xcomp", "advcl", "dobj"}]
        clauses += [c for c in tok.children if c.dep_ == "prep"]
        if clauses:
            parts.append(_text_of(doc, {t.i for c in clauses for t in c.subtree} - quoted))
    return " ".join(parts) if parts else doc.text


def _text_of(doc: Doc, ids: Iterable[int]) -> str:
    """The text of some tokens, as written (a gap between runs becomes one space)."""
    out: list[str] = []
    last = -2
    for i in sorted(ids):
        if out and i != last + 1:
            out.append(" ")
        out.append(doc[i].text_with_ws)
        last = i
    return "".join(out).strip()


# --- an article's people -------------------------------------------------------------------------


def people_in(doc: Doc) -> list[Person]:
    """The people (PERSON entities) a sentence names outside quotation marks."""
    quoted = quoted_tokens(doc)
    found = []
    for ent in doc.ents:
        if ent.label_ == "PERSON" and ent.start not in quoted:
            person = person_named(ent.text)
            if person is not None:
                found.append(person)
    return found


def opening_name(doc: Doc) -> Person | None:
    """The person a sentence opens with ('Mr Mallon provoked fury by branding the campaign
    "two-bit Tories"': the one quoted), or None."""
    for ent in doc.ents:
        if ent.label_ == "PERSON" and ent.start_char <= 3:
            return person_named(ent.text)
    return None


def salient_person(title: str, docs: Sequence[Doc]) -> Person | None:
    """The article's main person: the most mentioned surname (title mentions count double)."""
    counts: dict[str, float] = {}
    longest: dict[str, Person] = {}
    for doc in docs:
        for person in people_in(doc):
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


def learn_roles(doc: Doc, roles: dict[str, Person]) -> None:
    """Learn a role written with a name: "US President Donald Trump" (a title compound), "Boris
    Johnson, the Foreign Secretary," and "the Foreign Secretary, Boris Johnson," (apposition)."""
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        person = person_named(ent.text)
        if person is None:
            continue
        root = ent.root
        titles = [c for c in root.lefts if c.dep_ == "compound" and c.i < ent.start]
        if titles:
            key = _role_key(t for c in titles for t in c.subtree)
            if key:
                roles[key] = person
        described = [c for c in root.children if c.dep_ == "appos" and _entity_of(c) is None]
        if root.dep_ == "appos" and _entity_of(root.head) is None:
            described.append(root.head)
        for head in described:
            key = _role_key(_role_tokens(head))
            if key:
                roles[key] = person


def resolve_role(mention: str, roles: dict[str, Person]) -> Person | None:
    """The person a role was seen with ("the Foreign Secretary"), matched on all its words."""
    words = [w.lower() for w in mention.split()]
    for n in range(len(words)):
        found = roles.get(" ".join(words[n:]))
        if found is not None:
            return found
    return None


# --- the question --------------------------------------------------------------------------------


def question_people(doc: Doc) -> list[Person]:
    """The people (or bodies) whose words an attribution question asks about: the subject of its
    verb of saying ("What did Microsoft's Mike Nash say", "How did A and B react") or the object
    of "according to"."""
    heads: list[Token] = []
    for tok in doc:
        if tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in STATEMENT_VERBS:
            heads += [c for c in tok.children if c.dep_ in _SUBJECTS]
        elif tok.lower_ == "according":
            heads += [g for p in tok.children for g in p.children if g.dep_ == "pobj"]
    people: list[Person] = []
    for head in heads:
        for member in (head, *(c for c in head.subtree if c.dep_ == "conj" and c.head.i == head.i)):
            person = _name_in(member)
            if person is not None and person not in people:
                people.append(person)
    return people


def _name_in(head: Token) -> Person | None:
    """The name a subject phrase gives: its own entity, else a PERSON entity inside it
    ("Microsoft's Mike Nash"), else its proper nouns."""
    if head.pos_ == "PRON" or head.tag_ in {"WP", "WDT"}:
        return None
    ent = _entity_of(head)
    if ent is not None:
        return person_named(ent.text)
    inner = [
        e
        for e in head.doc.ents
        if e.label_ == "PERSON" and head.left_edge.i <= e.start and e.end <= head.right_edge.i + 1
    ]
    if inner:
        return person_named(inner[-1].text)
    if head.pos_ == "PROPN":
        return person_named(_proper_run(head))
    return None
