"""Checks on one sentence's parse that the evidence stage makes for every window it sits in,
kept on the Doc (:func:`memo`): its words, its values of a type, whether it withholds what is
asked, names the asked noun without a name, or speaks of a plan ("will", "would")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from bot.answer.constraints import initialisms as _initialisms
from bot.answer.question.types import AnswerType, QuestionPart
from bot.answer.question.words import NAME_LABELS
from bot.answer.titled import names_by_title
from bot.answer.unnamed import unnamed_mention
from bot.answer.values import value_spans
from bot.answer.withheld import not_told, withheld_types, withholds

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from bot.answer.passages import Sentence

T = TypeVar("T")
_MISSING = object()


def memo(doc: Doc, key: str, compute: Callable[[Doc], T]) -> T:
    """``compute(doc)``, kept in the Doc's ``user_data``: a sentence sits in up to three windows
    and is measured for every part of every question it is retrieved for, and the cached Docs
    (:mod:`bot.answer.cache`) carry these results with them. A pure function of the Doc, so a
    result kept is the result computed, ``None`` included."""
    slot = "newsdesk.evidence." + key
    data: dict[str, Any] = doc.user_data
    found = data.get(slot, _MISSING)
    if found is _MISSING:
        found = compute(doc)
        data[slot] = found
    return cast(T, found)


def doc_words(doc: Doc) -> frozenset[str]:
    found: set[str] = set()
    for tok in doc:
        found.add(tok.lower_)
        found.add(tok.lemma_.lower())
    return frozenset(found) | _initialisms(doc)  # a name asked by its initials ("RICS")


def words_of(docs: Sequence[Doc]) -> set[str]:
    found: set[str] = set()
    for doc in docs:
        found |= memo(doc, "words", doc_words)
    return found


def values_of(doc: Doc, answer_type: AnswerType) -> tuple[tuple[int, int, str], ...]:
    """:func:`bot.answer.values.value_spans`, memoised on the Doc."""
    return memo(doc, "values:" + answer_type.value, lambda d: tuple(value_spans(d, answer_type)))


def named_as(doc: Doc, noun: str) -> tuple[tuple[int, int, str], ...]:
    """Names whose last word is ``noun`` (a lemma): asked "which theatre", "the Ethel Barrymore
    Theatre" is a theatre's name, whatever label the entity recogniser gave it (ORG here).
    Character spans in the Doc, with the entity's label."""

    def find(d: Doc) -> tuple[tuple[int, int, str], ...]:
        return tuple(
            (e.start_char, e.end_char, e.label_)
            for e in d.ents
            if e.label_ in NAME_LABELS and len(e) > 1 and e[-1].lemma_.lower() == noun
        )

    return memo(doc, "named-as:" + noun, find)


def withheld_in(docs: Sequence[Doc], accepted: tuple[AnswerType, ...], teller: str | None) -> bool:
    """Whether a sentence says the thing asked for is not given (:mod:`bot.answer.withheld`).
    For a statement, only a telling verb's negation by the speaker (``teller``, the last word of
    the speaker's name) counts: "The unnamed woman from Georgia says ..." withholds her name,
    not her words."""
    if teller is not None:
        return any(memo(d, "not-told:" + teller, lambda d: not_told(d, teller)) for d in docs)
    return any(withholds(memo(doc, "withheld", withheld_types), accepted) for doc in docs)


# Asked for by "which" with a noun ("which cabinet ministers", "which insurers"): a person's, a
# body's or a place's name. Not a description: "which issues" is answered by "national issues
# like education".
NAME_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE})


def unnamed_in(
    part: QuestionPart,
    sents: Sequence[Sentence],
    docs: Sequence[Doc],
    values: Sequence[tuple[int, int, str]],
) -> bool:
    """A sentence of the window mentions the noun asked about without a name
    (:mod:`bot.answer.unnamed`) and gives no value of the asked-for type ("Mutu is to begin talks
    with Juventus as he looks for a new club" names the club it is about), and none names
    anyone by that noun (:func:`bot.answer.titled.names_by_title`)."""
    focus = (part.focus or "").lower()
    if not focus or part.answer_type not in NAME_TYPES or not part.wh or " " not in part.wh:
        return False
    # "... to oust three directors. Commercial director Andy Anson ... were voted out."
    if any(memo(doc, "titled:" + focus, lambda d: names_by_title(d, focus)) for doc in docs):
        return False
    return any(
        memo(doc, f"unnamed:{part.wh}", lambda d: unnamed_mention(d, focus, part.wh))
        and not any(s.start <= v[0] < s.end for v in values)
        for s, doc in zip(sents, docs, strict=True)
    )


def _doc_modal(doc: Doc) -> bool:
    roots = [t for t in doc if t.dep_ == "ROOT"]
    return any(c.tag_ == "MD" for r in roots for c in r.children)


def modal_share(docs: Sequence[Doc]) -> float:
    if not docs:
        return 0.0
    modal = sum(1 for doc in docs if memo(doc, "modal", _doc_modal))
    return modal / len(docs)
