"""A question into its analysed parts (:func:`analyse`), and what a later part inherits."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer.mood import is_prospective
from bot.answer.question.alternatives import _alternatives
from bot.answer.question.classify import _classify, _find_wh
from bot.answer.question.clause import (
    _clause_head,
    _inverted_clause,
    _mistagged_verb,
    _said_terms,
    _topic_terms,
    _verb_and_subject,
    _verb_lexicon,
)
from bot.answer.question.coordinated import coordinated
from bot.answer.question.distributed import each_distributed
from bot.answer.question.frames import _frame_part, _repeated_phrase
from bot.answer.question.mentions import _content_terms, _mentions, _name_of
from bot.answer.question.meta import meta_reference
from bot.answer.question.pronouns import refer_back, refers_back
from bot.answer.question.short_names import full_names
from bot.answer.question.types import (
    FIGURE_TYPES,
    AnswerType,
    Mention,
    QuestionAnalysis,
    QuestionPart,
    Relation,
)
from bot.answer.question.words import (
    _COORDINATORS,
    _FOCUS_NOUNS,
    _JOINING_PUNCT,
    _LIGHT_VERBS,
    _MEASURING_VERBS,
    _SUBJECT_DEPS,
    THIRD_PERSON_PRONOUNS,
    _is_wh,
    is_definite,
    names_within,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


def analyse(question: str, nlp: Language, doc: Doc | None = None) -> QuestionAnalysis:
    """Analyse one question with the given spaCy pipeline (pure: no state is kept). ``doc``: the
    pipeline's parse of the stripped question, when the caller has it already (cached)."""
    text = question.strip()
    if not text:
        return QuestionAnalysis(question, (QuestionPart("", 0, 0, AnswerType.DESCRIPTION),))
    offset = question.index(text[0])
    if doc is None or doc.text != text:
        doc = nlp(text)
    verbs = _verb_lexicon(nlp)
    segments = _split(doc)
    distributed = each_distributed(doc, segments[0][1]) if len(segments) == 1 else []
    if distributed:
        each = [_each_part(doc, idx, own, subject, verbs) for idx, own, subject in distributed]
        return QuestionAnalysis(question, tuple(_shift(p, offset) for p in each))
    parts: list[QuestionPart] = []
    offered = _alternatives(doc, segments[0][1]) if segments[0][0] == "clause" else []
    if offered:
        parts = [_each_part(doc, idx, own, subject, verbs) for idx, own, subject in offered]
        # Every alternative is asked the same thing: the first one's parse says what (the
        # parse of another may be thrown by its words: "... or the finale of I'm a Celebrity").
        asked = parts[0]
        parts = [asked] + [
            replace(p, answer_type=asked.answer_type, also_accept=asked.also_accept)
            for p in parts[1:]
        ]
    for kind, tokens in segments[1:] if offered else segments:
        if kind == "frame" and parts:
            parts.append(_frame_part(doc, tokens, parts[0], segments[0][1]))
        else:
            part = _clause_part(doc, tokens, verbs)
            if parts:
                part = _inherit_subject(part, parts[0], doc, tokens)
                part = refer_back(part, parts[0], doc, tokens, segments[0][1])
                part = full_names(part, parts[0], doc, tokens)
            parts.append(part)
    if len(parts) > 1 and segments[0][0] != "frame" and not _has_verb(doc, segments[0][1]):
        # "When and where did A marry B?": the first part is a bare wh-word; it asks about the
        # second part's event, and takes its frame as a later verbless part takes the first's.
        parts[0] = _inherit_subject(parts[0], parts[1], doc, segments[0][1])
    apart: list[QuestionPart] = []
    if len(parts) == 1 and len(segments) == 1 and segments[0][0] == "clause" and not offered:
        # Two named things in one clause: offered for the evidence stage to take or leave.
        apart = [_each_part(doc, *seg, verbs) for seg in coordinated(doc, segments[0][1])]
    if offset:
        parts = [_shift(p, offset) for p in parts]
        apart = [_shift(p, offset) for p in apart]
    return QuestionAnalysis(question, tuple(parts), tuple(apart))


def _shift(part: QuestionPart, offset: int) -> QuestionPart:
    def move(ms: tuple[Mention, ...]) -> tuple[Mention, ...]:
        return tuple(replace(m, start=m.start + offset, end=m.end + offset) for m in ms)

    return replace(
        part,
        start=part.start + offset,
        end=part.end + offset,
        entities=move(part.entities),
        numbers=move(part.numbers),
        dates=move(part.dates),
    )


# Splitting. A segment is ("clause" | "frame", token indices in order).
Segment = tuple[str, list[int]]


def _split(doc: Doc) -> list[Segment]:
    """Token index ranges of the question's parts, each tagged clause or frame."""
    starts: list[tuple[int, str]] = [(0, "clause")]
    meta = meta_reference(doc)  # "in these reports": no passage writes it
    first_wh = next((t.i for t in doc if _is_wh(t)), None)
    for tok in doc:
        i = tok.i
        if i == 0:
            continue
        # A coordinated clause with its own wh-word: "..., and what was ...", "and who won",
        # "and for how long ...", "who won A, who won B and which film won C".
        if _is_wh(tok) and first_wh is not None and i > first_wh:
            j = i
            while j > 0 and doc[j - 1].pos_ == "ADP":
                j -= 1
            prev = j - 1
            # "..., and why ...", "and when?": after a coordinator. After a bare comma only a
            # clause with a finite verb ("who won A, who won B"): "What did X say, when asked
            # about Y?" stays one part.
            if prev >= 0 and (
                doc[prev].lower_ in _COORDINATORS
                or (
                    doc[prev].text == ","
                    and _finite_clause_follows(doc, i)
                    and not _describes_name(doc, i, prev)
                )
            ):
                starts.append((j, "clause"))
                continue
        # A repeated preposition: "say about truancy and about discrimination".
        if tok.pos_ == "ADP" and doc[i - 1].lower_ in _COORDINATORS:
            begin = starts[-1][0]
            if any(doc[k].lower_ == tok.lower_ and doc[k].pos_ == "ADP" for k in range(begin, i)):
                starts.append((i, "frame"))
    segments: list[Segment] = []
    for n, (start, kind) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(doc)
        idx = [i for i in range(start, end) if i not in meta]
        # Without the coordinator and commas that join this part to its neighbours.
        while idx and (doc[idx[0]].text in _JOINING_PUNCT or doc[idx[0]].lower_ in _COORDINATORS):
            idx.pop(0)
        while idx and (doc[idx[-1]].text in _JOINING_PUNCT or doc[idx[-1]].lower_ in _COORDINATORS):
            idx.pop()
        if idx:
            segments.append((kind, idx))
    return segments or [("clause", [t.i for t in doc])]


def _each_part(
    doc: Doc, tokens: list[int], own: set[int], subject: bool, verbs: AbstractSet[str]
) -> QuestionPart:
    """The clause asked of one conjunct (:mod:`bot.answer.question.distributed`): its text
    without the others ("How much did Monsanto agree to pay ..."), and that conjunct as the
    subject when the coordination was the subject (the parse gives the whole coordination's
    name)."""
    part = _clause_part(doc, tokens, verbs)
    text = "".join(doc[i].text_with_ws for i in tokens).strip()
    part = replace(part, text=text)
    if subject:
        name = _name_of(doc, own)
        speaker = name if part.answer_type is AnswerType.STATEMENT else None
        part = replace(part, relation=replace(part.relation, subject=name, speaker=speaker))
    return part


def _describes_name(doc: Doc, i: int, comma: int) -> bool:
    """ "... according to the Halifax, which had forecast a 2% fall?": "which" or "who" (token
    ``i``) after a name and a comma opens a relative clause about the name, not another question
    ("who won the men's title, who won the women's?" follows a common noun)."""
    tok = doc[i]
    return (
        tok.lower_ in {"which", "who"}
        and comma >= 1
        and doc[comma - 1].pos_ == "PROPN"
        and tok.head.dep_ == "relcl"
    )


def _finite_clause_follows(doc: Doc, i: int) -> bool:
    """A finite verb between token ``i`` and the next comma, coordinator or end."""
    for tok in doc[i + 1 :]:
        if tok.text == "," or tok.lower_ in _COORDINATORS:
            return False
        if tok.tag_ in {"VBD", "VBZ", "VBP", "MD"}:
            return True
    return False


def _clause_part(doc: Doc, idx: list[int], verbs: AbstractSet[str]) -> QuestionPart:
    members = set(idx)
    wh = _find_wh(doc, idx)
    head = _clause_head(doc, idx)
    inverted = _inverted_clause(doc, idx, verbs)
    verb, subject_ids = inverted or _verb_and_subject(doc, head, members)
    answer, also, focus = _classify(doc, idx, wh, verb)
    # The asking words: "how much", "which club", and the noun a copula asks about ("What was
    # the price of X?"): not the subject, not content. "how many jobs": the noun is content.
    wh_tokens: set[int] = set()
    if wh.token is not None:
        wh_tokens.add(wh.token.i)
        if wh.after is not None:
            wh_tokens.add(wh.after.i)
    asked_by_how = wh.token is not None and wh.token.lower_ == "how"
    if (
        focus is not None
        and not asked_by_how
        and (answer is not AnswerType.DESCRIPTION or wh.focus is not None)
    ):
        wh_tokens.add(focus.i)
        wh_tokens.update(c.i for c in focus.children if c.dep_ == "det")
    if subject_ids & wh_tokens or any(_is_wh(doc[i]) for i in subject_ids):
        subject_ids = set()
    if verb.lemma_ == "be" and wh.token is not None and wh.token.dep_ in {"attr", "nsubj"}:
        # "Who is the new chief executive of X?", "What is the Kyoto protocol?": the other
        # argument is what is asked about, not a subject.
        subject_ids = set()
    if focus is not None and (
        focus.i in subject_ids or any(doc[i].head == focus for i in subject_ids)
    ):
        # "Which two UK gamers won places?": the subject is the noun phrase asked about.
        subject_ids = set()
    subject_name = _name_of(doc, subject_ids) if subject_ids else None
    has_verb = (
        inverted is not None
        or verb.pos_ in {"VERB", "AUX"}
        or verb.i != head.i
        or _mistagged_verb(verb)
    )
    predicate = None if verb.lemma_ == "be" or not has_verb else verb.lemma_.lower()
    if predicate in _MEASURING_VERBS and answer in FIGURE_TYPES:
        # "How many users did Ofcom count?": the source's act of measuring, which passages
        # write "according to Ofcom, there were ..."; the figure's own verb is not asked.
        predicate = None
        wh_tokens.add(verb.i)
    # Complements: the clause minus its subject and the asking words.
    skip = wh_tokens | subject_ids
    complement = [doc[i] for i in idx if i not in skip and i != verb.i]
    object_terms = _content_terms(t for t in complement if t.pos_ != "AUX")
    speaker = None
    topic_terms: tuple[str, ...] = ()
    if answer is AnswerType.STATEMENT:
        speaker = subject_name
        topic_terms = _topic_terms(doc, verb, members, skip) or _said_terms(complement)
    entities, numbers, dates = _mentions(doc, idx, asked=focus)
    seg = doc[idx[0] : idx[-1] + 1]
    return QuestionPart(
        text=seg.text,
        start=seg.start_char,
        end=seg.end_char,
        answer_type=answer,
        also_accept=also,
        wh=wh.phrase,
        focus=focus.lemma_.lower() if focus is not None else None,
        entities=tuple(entities),
        numbers=tuple(numbers),
        dates=tuple(dates),
        relation=Relation(
            predicate=predicate,
            subject=subject_name,
            object_terms=() if answer is AnswerType.STATEMENT else object_terms,
            speaker=speaker,
            topic_terms=topic_terms,
            prospective=predicate is not None and is_prospective(verb),
        ),
        terms=_with(
            None if verb.is_stop else predicate, _content_terms((doc[i] for i in idx), wh_tokens)
        ),
    )


def _with(term: str | None, terms: tuple[str, ...]) -> tuple[str, ...]:
    """The terms and the verb, which a mis-tagged verb ("close" as an adverb) would lose."""
    if term is None or term in terms or term in _LIGHT_VERBS:
        return terms
    return (*terms, term)


def _inherit_subject(
    part: QuestionPart, first: QuestionPart, doc: Doc, idx: list[int]
) -> QuestionPart:
    """What a later part takes from the first part (or a bare wh-word first part, "When and
    where did ...", from the second).

    * No verb of its own ("..., and when?"): the first part's relation, names and terms.
    * No subject, a pronoun ("who is its biggest creditor", "what did he say"), or no names of
      its own ("why was the win historic"): the first part's subject (and, for a statement, its
      speaker); the subject's names are added to the part's entities, marked inherited.
    * A pronoun subject when the first part has no one subject: all the first part's names.
    * A definite subject that names nothing ("how badly had the business been losing
      customers?"), where nothing else was taken: all the first part's names.
    """
    if not _has_verb(doc, idx):
        # "..., and who for Euronext?": a preposition the first part has too puts the part's
        # phrase in place of the first part's ("for Deutsche Boerse"), as a frame part does.
        replaced = _repeated_phrase(doc, idx, first)
        gone = set(_content_terms(replaced))
        spans = [(t.idx, t.idx + len(t)) for t in replaced]

        def carried(ms: tuple[Mention, ...]) -> tuple[Mention, ...]:
            return tuple(
                replace(m, inherited=True)
                for m in ms
                if not any(a <= m.start < b for a, b in spans)
            )

        relation = first.relation
        kept_objects = tuple(t for t in relation.object_terms if t not in gone)
        relation = replace(
            relation,
            object_terms=kept_objects
            + tuple(t for t in part.terms if gone and t not in kept_objects),
        )
        if part.answer_type is not AnswerType.STATEMENT:
            relation = replace(relation, speaker=None, topic_terms=())
            if first.answer_type is AnswerType.STATEMENT:
                topic = tuple(t for t in first.relation.topic_terms if t not in gone)
                relation = replace(relation, object_terms=topic)
        kept_terms = tuple(t for t in first.terms if t not in gone)
        if part.wh == first.wh and part.focus is None:
            # "By how much did spending rise in 2004, and by how much in January?": the
            # question asked again, of its elided verb and noun.
            part = replace(
                part,
                answer_type=first.answer_type,
                also_accept=first.also_accept,
                focus=first.focus,
            )
        return replace(
            part,
            entities=carried(first.entities) + part.entities,
            numbers=carried(first.numbers) + part.numbers,
            dates=carried(first.dates) + part.dates,
            relation=relation,
            terms=kept_terms + tuple(t for t in part.terms if t not in kept_terms),
            inherited=("frame", "subject") if first.relation.subject else ("frame",),
        )
    referent = _referent(first)
    if referent is not None:
        referent = _thing_referent(referent, first, doc, idx)
    own = part.relation.subject
    subject_is_pronoun = own is not None and own.lower() in THIRD_PERSON_PRONOUNS
    pronoun = any(refers_back(doc[i], part) for i in idx)
    if referent is None:
        if not (subject_is_pronoun or pronoun) or any(not m.inherited for m in part.entities):
            return part
        # "..., and what did it pay?" after a first part naming several things and no subject
        # ("Which company won the eBay auction for space on Andrew Fisher's forehead"): which
        # of them "it" is, the parse cannot tell (spaCy's small model labels people as ORG
        # too often to go by the label), but it is one of them: the part is about the same
        # story, and evidence for it must name what the first part names, not "pay" anywhere.
        # So too a pronoun elsewhere in a part that names nothing of its own ("how much did the
        # buyers pay for it?" after "Who bought London's Savoy hotel from Quinlan Private").
        names = _carried_names(first)
        return replace(part, entities=names, inherited=("names",)) if names else part
    # "which album was named ...": the asking phrase is the subject. The parse may hang "which"
    # off the verb ("which Keane album went back ..."), so the noun of the asking phrase as the
    # subject is the asking phrase too (not the noun a copula asks about: "what was the score?"
    # has no asking phrase of its own and refers back).
    phrase_noun = part.focus if part.wh is not None and " " in part.wh else None
    wh_subject = any(
        doc[i].dep_ in _SUBJECT_DEPS
        and (any(_is_wh(d) for d in doc[i].subtree) or doc[i].lemma_.lower() == phrase_noun)
        for i in idx
    )
    named_subject = (
        own is not None
        and not subject_is_pronoun
        and any(m.start >= 0 and names_within(m.text, own) for m in part.entities)
    )
    takes_subject = subject_is_pronoun or (own is None and not wh_subject)
    # A pronoun elsewhere refers back to the first part, unless the part names its own subject
    # ("which bank does Yukos accuse over the sale of its unit": "its" is Yukos).
    if not takes_subject and not (pronoun and not named_subject):
        return _definite_subject(part, first, doc, idx)
    subject_mentions = tuple(
        replace(m, inherited=True)
        for m in first.entities
        if not m.inherited and names_within(m.text, referent)
    )
    if not subject_mentions and not any(not m.inherited for m in part.entities):
        # The first part's subject holds none of its names ("How big an accounting fraud is
        # ... Richard Scrushy accused of directing, and what verdict did the jury reach at the
        # end of his trial?": the parse makes "fraud" the subject): the part still refers back
        # to the first part's story, and names nothing of its own, so it takes all its names.
        subject_mentions = _carried_names(first)
    entities = part.entities + tuple(m for m in subject_mentions if m not in part.entities)
    relation = part.relation
    inherited = ["subject"]
    if takes_subject:
        relation = replace(relation, subject=referent)
        if part.answer_type is AnswerType.STATEMENT:
            relation = replace(relation, speaker=referent)
            inherited.append("speaker")
    return replace(part, entities=entities, relation=relation, inherited=tuple(inherited))


def _definite_subject(
    part: QuestionPart, first: QuestionPart, doc: Doc, idx: list[int]
) -> QuestionPart:
    """ "..., and how badly had the business been losing customers?": a definite subject, in a
    part that names nothing, stands for something of the first part's story, as "it" would."""
    if any(not m.inherited for m in part.entities):
        return part
    if not any(
        doc[i].dep_ in _SUBJECT_DEPS and doc[i].pos_ == "NOUN" and is_definite(doc[i]) for i in idx
    ):
        return part
    names = _carried_names(first)
    return replace(part, entities=part.entities + names, inherited=("names",)) if names else part


def _carried_names(first: QuestionPart) -> tuple[Mention, ...]:
    """The first part's own names, marked as taken over by a later part."""
    return tuple(replace(m, inherited=True) for m in first.entities if not m.inherited)


def _has_verb(doc: Doc, idx: list[int]) -> bool:
    return any(doc[i].pos_ in {"VERB", "AUX"} or _mistagged_verb(doc[i]) for i in idx)


# "it"/"its" refers to a thing, never to a person: "how big was its backlog?" after "What did
# Work and Pensions Secretary Alan Johnson call the option of scrapping the Child Support
# Agency" is the agency's backlog, not the secretary's.
_NEUTER = frozenset({"it", "its", "itself"})
_THING_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "FAC", "EVENT", "LAW"})


def _thing_referent(referent: str, first: QuestionPart, doc: Doc, idx: list[int]) -> str:
    """The first part's one named thing, when the part's only pronouns are "it"/"its" and
    ``referent`` is a person; else ``referent``."""
    pronouns = {
        doc[i].lower_
        for i in idx
        if doc[i].pos_ == "PRON" and doc[i].lower_ in THIRD_PERSON_PRONOUNS | _NEUTER
    }
    if not pronouns or not pronouns <= _NEUTER:
        return referent
    # A person by a title word in the name ("Secretary", "boss"), not by spaCy's PERSON label,
    # which the small model gives companies and robots too ("Shanda", "Asimo").
    if not {w.lower() for w in referent.split()} & _FOCUS_NOUNS[AnswerType.PERSON]:
        return referent
    things = [
        m
        for m in first.entities
        if not m.inherited and m.label in _THING_LABELS and m.text not in referent
    ]
    return things[0].text if len(things) == 1 else referent


def _referent(first: QuestionPart) -> str | None:
    """What a later part's "he"/"it" refers to: the first part's subject, or its only name
    ("Who was Sir Anthony Meyer, and what was he known for?")."""
    if first.relation.subject is not None:
        return first.relation.subject
    names = [m for m in first.entities if m.label in {"PERSON", "ORG", "PROPN"} and not m.inherited]
    return names[0].text if len(names) == 1 else None
