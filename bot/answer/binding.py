"""Whether a window says what the part asks, read from the spaCy parse of its sentences.

The other evidence measurements count words: the constraints, the value, the verb are all in
the window. A near miss has all of them and still does not answer: another company bought the
firm ("SBC agreed to buy AT&T for $16bn" for "How much did Verizon pay for AT&T?"), the event
has not happened ("were hopeful of finding a buyer", "may sue"), the speaker talks about
something else. Here each occurrence of the part's verb (by lemma) in the window's sentences is
read from the parse the evidence stage already made (no new spaCy pass):

* its doer (:func:`bot.citations.roles.doer`: the subject, a passive's agent, the subject
  inherited through "agreed to buy"), compared with the part's subject;
* whether it is reported as having happened (:func:`is_realis`): not under a modal ("may",
  "will"), not negated, not an infinitive or gerund under an adjective or noun ("hopeful of
  finding") or under a verb of intending ("plans to buy", "is to contest"); for a part that
  asks what will or could happen (``Relation.prospective``), a plan or prospect reports it;
* whether its own time phrase dates it to a year the part does not give (:func:`another_year`:
  "won the race in 2002" for a question about the 2005 race is another event of the kind, and
  counts neither as the part's doer nor as its event having happened).

For statements, the speaker's own sentences (:func:`bot.answer.speakers.speaker_mention`) and
what they say (``speech_text``) are checked for the topic terms, so a speaker and a topic merely
sharing a window no longer count.

Every function is a pure function of the Docs and the part; results per sentence are kept in the
Doc's ``user_data`` like the other evidence measurements. A window with fewer parsed sentences
simply has fewer occurrences to find.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from bot.answer.doc_checks import memo
from bot.answer.mood import is_realis
from bot.answer.question.types import QuestionPart
from bot.answer.question.words import NAME_FILLER as _FILLER
from bot.answer.question.words import THIRD_PERSON_PRONOUNS
from bot.answer.speakers import has_quote, speaker_mention, speech_text
from bot.citations.roles import LIGHT_VERBS, Doer, doer, may_be
from retrieval.text import term_or_demonym_in

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

T = TypeVar("T")

_WORD = re.compile(r"\w+")


def _subject_doer(part: QuestionPart) -> Doer | None:
    """The part's subject as a doer to compare with, or None when it names nobody (none, a
    pronoun: "what did it pay")."""
    subject = part.relation.subject
    if not subject:
        return None
    words = frozenset(w for w in _WORD.findall(subject.lower()) if w not in _FILLER)
    if not words or words <= THIRD_PERSON_PRONOUNS:
        return None
    return Doer(words, named=True)


def _verbs(doc: Doc) -> dict[str, tuple[int, ...]]:
    """The positions of the Doc's verbs (VERB, AUX), by lower-case lemma, in order: read once
    per sentence rather than once per window, part and verb asked about (a scan of every token
    each time was most of the evidence stage's time after the parse and the embedding)."""
    found: dict[str, list[int]] = {}
    for t in doc:
        if t.pos_ in {"VERB", "AUX"}:
            found.setdefault(t.lemma_.lower(), []).append(t.i)
    return {lemma: tuple(ids) for lemma, ids in found.items()}


def _occurrences(doc: Doc, lemma: str) -> list[Token]:
    # Positions, not Tokens, are kept: a Token refers back to its Doc.
    return [doc[i] for i in _memo(doc, "verbs", _verbs).get(lemma, ())]


@dataclass(frozen=True)
class Binding:
    """How the part's verb occurs in one window (all False when the part has no verb to find)."""

    verb: bool  # the verb (by lemma) occurs
    doer_match: bool  # an occurrence's doer may be the part's subject
    doer_conflict: bool  # occurrences name their doers, and none may be the part's subject
    realis: bool  # an occurrence reported as having happened (doer not another, year not another)


_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")

# A verb's dependents that can date it: a prepositional phrase ("won in 2002") or a bare noun
# phrase of time ("npadvmod", "tmod"). A year inside its object ("forecast growth of 3.6% in
# 2004") dates the thing, not the event.
_TIME_DEPS = frozenset({"prep", "npadvmod", "tmod"})


def _years(part: QuestionPart) -> frozenset[str]:
    """The years the part's dates name ("in 2005", "17 April 2005")."""
    return frozenset(w for m in part.dates for w in _WORD.findall(m.text) if _YEAR.match(w))


def another_year(verb: Token, years: frozenset[str]) -> bool:
    """Whether the verb's own clause dates it to a year the part does not give ("won the race in
    2002" for a question about the 2005 race): that occurrence is another event of the kind."""
    return any(
        child.dep_ in _TIME_DEPS and _dates_to_another_year(child, years) for child in verb.children
    )


def _dates_to_another_year(phrase: Token, years: frozenset[str]) -> bool:
    """A year other than ``years`` in the phrase, not inside a clause of its own ("before
    retiring in 2002" dates the retiring)."""
    return any(
        t.ent_type_ == "DATE"
        and _YEAR.match(t.text) is not None
        and t.text not in years
        and not _in_clause(t, phrase)
        for t in phrase.subtree
    )


def _in_clause(token: Token, phrase: Token) -> bool:
    """Whether a verb stands between ``token`` and the ``phrase`` it is inside."""
    if token.i == phrase.i:
        return False
    head = token.head
    while head.i != phrase.i and head.head.i != head.i:
        if head.pos_ in {"VERB", "AUX"}:
            return True
        head = head.head
    return False


def bind(part: QuestionPart, docs: Sequence[Doc]) -> Binding | None:
    """How the part's verb occurs in a window's ``docs``. None when the part has no event verb
    to look for (a copula, a light verb). (A value of the asked-for type inside the verb's
    clause was measured too, as a feature: no cross-validated gain on the training set.)"""
    lemma = (part.relation.predicate or "").lower()
    if not lemma or lemma in LIGHT_VERBS:  # "What did X do?" has no event to bind
        return None
    subject = _subject_doer(part)
    years = _years(part)
    found = match = realis = False
    named_doers: list[Doer] = []
    unknown = False
    for doc in docs:
        for verb in _occurrences(doc, lemma):
            found = True
            if years and another_year(verb, years):
                continue  # another year's event: neither its doer nor its mood is the part's
            d = doer(verb)
            if d is None or not d.words:
                unknown = True
                ok = True
            else:
                named_doers.append(d)
                ok = subject is None or may_be(subject, d)
                if subject is not None and ok:
                    match = True
            # Asked what will or could happen, a report of it as planned or possible answers.
            if ok and (part.relation.prospective or is_realis(verb)):
                realis = True
    conflict = (
        subject is not None
        and bool(named_doers)
        and not unknown
        and not any(may_be(subject, d) for d in named_doers)
    )
    return Binding(found, match, conflict, realis)


def _speech_words(doc: Doc) -> frozenset[str]:
    """Lower-case words and lemmas of what a sentence reports as said."""
    said = set(_WORD.findall(speech_text(doc).lower()))
    lemmas = {t.lemma_.lower() for t in doc if t.lower_ in said}
    return frozenset(said | lemmas)


def speaker_topic(part: QuestionPart, docs: Sequence[Doc], title: str = "") -> float:
    """Statements: the best share of the part's topic terms in what one sentence attributed to
    the speaker says (1.0 when the part names no topic and the speaker speaks; 0.0 when the
    speaker speaks nowhere). A sentence attributes words to the speaker when its speaker
    (:func:`speaker_mention`) is the speaker's surname, or a third-person pronoun while the
    speaker is named earlier in the window or in the title; a quotation right after such a
    sentence, with no speaker of its own, goes on in the speaker's words. A part that names no
    speaker ("What was said about ...?") takes anyone's reported words."""
    speaker = part.relation.speaker or part.relation.subject
    names = [w for w in _WORD.findall((speaker or "").lower()) if w not in _FILLER]
    topic = [t.lower() for t in part.relation.topic_terms]
    if not names:
        # "What was said about North Korea and China?": anyone's words count. Not a speaker the
        # part gives as a pronoun ("what did he say ...?"): someone, not anyone.
        if speaker:
            return 0.0
        return max((_anyone_says(doc, topic) for doc in docs), default=0.0)
    surname = names[-1]
    named_before = surname in _WORD.findall(title.lower())
    best = 0.0
    speaking = False
    for doc in docs:
        mention = _memo(doc, "speaker", speaker_mention)
        if mention is None:
            speaking = speaking and has_quote(doc.text)
        else:
            speaking = (
                mention.kind != "pronoun" and surname in _WORD.findall(mention.text.lower())
            ) or (mention.kind == "pronoun" and named_before)
        if speaking:
            said = _memo(doc, "speech", _speech_words) if mention is not None else _doc_words(doc)
            best = max(best, topic_share(topic, said))
        named_before = named_before or surname in {t.lower_ for t in doc}
    return best


def _anyone_says(doc: Doc, topic: Sequence[str]) -> float:
    """The share of ``topic`` in what ``doc`` reports someone (anyone) as saying, or 0.0 when it
    reports nobody's words."""
    if _memo(doc, "speaker", speaker_mention) is None and not has_quote(doc.text):
        return 0.0
    return topic_share(topic, _memo(doc, "speech", _speech_words))


def topic_share(topic: Sequence[str], words: set[str] | frozenset[str]) -> float:
    """Share of the (lower-case) topic terms that ``words`` name, demonyms counting
    (:func:`retrieval.text.term_or_demonym_in`); 1.0 when there is no topic."""
    if not topic:
        return 1.0
    return sum(1 for t in topic if term_or_demonym_in(t, words)) / len(topic)


def _doc_words(doc: Doc) -> frozenset[str]:
    return _memo(doc, "words", _words)


def _words(doc: Doc) -> frozenset[str]:
    return frozenset({t.lower_ for t in doc} | {t.lemma_.lower() for t in doc})


def _memo(doc: Doc, key: str, compute: Callable[[Doc], T]) -> T:
    """:func:`bot.answer.doc_checks.memo`, under keys of this module's own."""
    return memo(doc, "binding." + key, compute)
