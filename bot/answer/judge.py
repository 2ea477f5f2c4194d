"""Whether the retrieved passages answer a question, part by part: the engine's first three
stages run in order.

1. question analysis (:func:`bot.answer.question.analyse`): what each part asks for and names;
2. evidence (:mod:`bot.answer.evidence`): the passages' sentences measured against each part,
   and its strongest windows read with the question by a cross-encoder
   (:mod:`bot.answer.relevance`);
3. decision (:mod:`bot.answer.decision`): the fitted, calibrated answer-or-abstain per part.

:func:`judge` is a pure function of its inputs (the spaCy pipeline and the encoder are
deterministic); the core calls it after retrieval and before any generator runs, so whether to
answer never depends on a generator (nor on an LLM's opinion).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.answer.anchors import question_anchors
from bot.answer.cache import PassageCache
from bot.answer.decision import DecisionParams, QuestionDecision, decide
from bot.answer.evidence import Encode, Evidence, Passages, gather_evidence, prepare_passages
from bot.answer.question import QuestionAnalysis, analyse
from bot.answer.question.types import AnswerType, QuestionPart
from bot.answer.question.words import _DATE_LABELS, _FOCUS_NOUNS, _NUMBER_LABELS, WH_WORDS
from bot.answer.relevance import CrossEncoder, relevance
from bot.answer.titled import name_words, names_by_title
from bot.answer.values import VALUE_LABELS

if TYPE_CHECKING:
    from spacy.language import Language

    from retrieval.types import Hit


# Answer types whose value a sentence holds: a figure (an amount, a count, a date, a score) or a
# cause ("because ..."). Chosen on the 298 answerable training questions (CHANGELOG): with
# reasons, extractive coverage 0.8300 against 0.8266 for figures alone; with names asked for
# (a person, a club), 0.8210: the names in a window are mostly the story's own people.
_VALUE_TYPES = frozenset(
    {
        AnswerType.AMOUNT,
        AnswerType.COUNT,
        AnswerType.QUANTITY,
        AnswerType.DATE,
        AnswerType.SCORE,
        AnswerType.REASON,
    }
)


# Parts that ask for a name by a noun ("Which judge ...?"), whose sentence the answer quotes.
_TITLED_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION})


def titled_sentence(ev: Evidence, passages: Passages) -> tuple[str, int, int] | None:
    """``(article id, start, end)`` of a sentence in the article of the part's strongest window
    carrying every constraint that names someone of the asked-for kind by the part's noun
    (:func:`bot.answer.titled.names_by_title`; not one of the names the question gives), the
    one nearest that window's centre; None when the part asks no name by a noun, or no such
    sentence was retrieved."""
    part = ev.part
    noun = (part.focus or _held_title(part)).lower()
    window = next((w for w in ev.windows if w.constraint_share >= 1.0), None)
    if part.answer_type not in _TITLED_TYPES or not noun or window is None:
        return None
    labels = VALUE_LABELS[part.answer_type]
    given = name_words(ev.constraints)
    found = [
        (sentence.start, sentence.end)
        for h, hit in enumerate(passages.hits)
        if hit.article_id == window.article_id
        for sentence, doc in zip(passages.sentences[h], passages.docs[h], strict=True)
        if names_by_title(doc, noun, labels, given)
    ]
    if not found:
        return None
    at, inside = window.centre[0], (window.start, window.end)
    start, end = min(found, key=lambda se: (not inside[0] <= se[0] < inside[1], abs(se[0] - at)))
    return (window.article_id, start, end)


def _held_title(part: QuestionPart) -> str:
    """The title a copula's "who" part asks who holds ("Who is South Korea's central bank
    governor?": "governor"), or "". Not another verb's ("Who beat Federer's coach?" asks who
    beat)."""
    if part.wh != "who" or part.relation.predicate is not None:
        return ""
    titles = [t for t in part.relation.object_terms if t in _FOCUS_NOUNS[AnswerType.PERSON]]
    return titles[-1] if titles else ""


@dataclass(frozen=True)
class Judgement:
    """The analysis, the evidence per part and the decision per part, for one question."""

    analysis: QuestionAnalysis
    evidence: tuple[Evidence, ...]
    decision: QuestionDecision
    # Per part, the sentence naming the person or organisation asked for by the part's noun
    # (:func:`titled_sentence`), or None.
    titled: tuple[tuple[str, int, int] | None, ...] = ()

    @property
    def outcome(self) -> str:
        return self.decision.outcome

    def answered_parts(self) -> list[str]:
        """The answered parts, each with the names it took over from another part (its
        ``query``): asked alone, "when were the shares bought" would be answered from any
        article about shares; "Shanda Interactive Sina when were the shares bought" is asked of
        the story the decision answered it from."""
        return [
            ev.part.query
            for ev, d in zip(self.evidence, self.decision.parts, strict=True)
            if d.answer
        ]

    def asked(self, question: str) -> str:
        """What the generator answers: the question, or for a partial answer only the parts the
        passages answer (the others are named after it: "The articles don't say ..."). A
        question taken apart by its coordination (:func:`weigh_parts`) is asked as its parts
        joined, so that the generator answers them part by part too."""
        if self.outcome == "partial":
            return " ".join(self.answered_parts())
        if self.analysis.question == question and self.analysis.taken_apart:
            return joined_parts([p.text for p in self.analysis.parts])
        return question

    def parts_apart(self) -> bool:
        """Whether the question is about several stories: the answered parts that name something
        (a name, not only a number or a date; names a part took over from the first part count)
        have their strongest evidence windows, each carrying every constraint of its part, in
        different articles. The extractive generator then answers part by part (``apart``).

        Why these conditions, measured with ``training/multi_parts.py`` on our training
        questions (figures in the CHANGELOG): a part that names nothing ("and what came third?")
        finds its strongest window in any article, and a one-article question was split across
        two; without them, single-article coverage fell 0.820 -> 0.803. A part that took all the
        first part's names for a pronoun with no one referent ("Who voted against ..., and what
        did he want?": "he" is the answer) is about the same story by construction
        (``bot.answer.question.parts``), whatever article its strongest window is in."""
        return len({a for a in self.part_articles() if a}) > 1

    def part_articles(self) -> list[str | None]:
        """Per answered part, the article of its strongest evidence window when that window
        carries every constraint of a part that names something (``parts_apart``), else None."""
        return [
            ev.windows[0].article_id
            if ev.windows
            and ev.windows[0].constraint_share >= 1.0
            and "names" not in ev.part.inherited
            and any(m.label not in _NUMBER_LABELS | _DATE_LABELS for m in ev.part.entities)
            else None
            for ev, d in zip(self.evidence, self.decision.parts, strict=True)
            if d.answer
        ]

    def placement(self) -> list[str | None]:
        """The extractive answer's cue: each answered part's article when the parts lie apart
        (``parts_apart``), else nothing (``bot.generators.extractive.compose``)."""
        return self.part_articles() if self.parts_apart() else []

    def value_sentences(self) -> list[tuple[str, int, int]]:
        """Per answered part asking for a figure or a reason (:data:`_VALUE_TYPES`), the
        sentence of its strongest window carrying every constraint that holds the value nearest
        a constraint mention (``Window.nearest_value``), or, before it, a sentence of that
        window's article holding a value beside the part's own verb (``Window.verb_value``: "it
        had to cancel 77 flights" names none of the constraints): ``(article id, start, end)``
        in the article. The decision answered the part because that value is there; the answer must
        quote it (``ExtractiveGenerator.select``'s ``required``)."""
        out: list[tuple[str, int, int]] = []
        for ev, d in zip(self.evidence, self.decision.parts, strict=True):
            if not d.answer or ev.part.answer_type not in _VALUE_TYPES:
                continue
            window = next((w for w in ev.windows if w.constraint_share >= 1.0 and w.values), None)
            if window is None:
                continue
            # A value beside the part's own verb in that article ("it had to cancel 77
            # flights"), wherever it is, before the value nearest a mention of the constraints.
            bound = [
                (w, w.verb_value)
                for w in ev.windows
                if w.article_id == window.article_id and w.verb_value is not None
            ]
            if bound:
                w, (at, _) = bound[0]
                start, end = next(se for se in w.sentences if se[0] <= at < se[1])
                out.append((w.article_id, start, end))
                continue
            holding = [
                (start, end)
                for start, end in window.sentences
                if any(start <= vs < end for vs, _, _ in window.values)
            ]
            # The sentence of the value nearest a constraint mention, else the one nearest the
            # window's centre.
            at = window.nearest_value[0] if window.nearest_value else window.centre[0]
            if holding:
                start, end = min(holding, key=lambda se: (not se[0] <= at < se[1], abs(se[0] - at)))
                out.append((window.article_id, start, end))
        return out

    def part_sentences(self) -> list[tuple[str, int, int]]:
        """Per answered later part of a question about one story, the centre sentence of its
        strongest window carrying every constraint (else of its strongest window), when that
        window is in the first part's article: ``(article id, start, end)``. The scoring weighs
        the whole question, whose first part has most of the words ("How much cocoa does
        Nigeria want to produce by 2008, and what did farmer Joshua Osagie fear would happen to
        the subsidies?"), so the budget went to the first part's sentences and a part the
        decision answered was left out. In another article, the part is another story's, which
        the answer takes part by part already (:meth:`placement`). Parts asking for a figure or
        a reason have their value's sentence (:meth:`value_sentences`) instead.

        Measured (CHANGELOG): training single coverage unchanged (0.911) and its gold share
        0.9526 -> 0.9528 (``training/multi_parts.py --type single``); single coverage on the
        held-out ``questions_h`` 0.796 -> 0.815, ``questions_i`` 0.772 -> 0.781."""
        first = (
            self.evidence[0].windows[0].article_id
            if self.evidence and self.evidence[0].windows
            else None
        )
        out: list[tuple[str, int, int]] = []
        for n, (ev, d) in enumerate(zip(self.evidence, self.decision.parts, strict=True)):
            if n == 0 or not d.answer or not ev.windows or ev.part.answer_type in _VALUE_TYPES:
                continue
            w = next((w for w in ev.windows if w.constraint_share >= 1.0), ev.windows[0])
            if w.article_id == first:
                out.append((w.article_id, *w.centre))
        return out

    def titled_sentences(self) -> list[tuple[str, int, int]]:
        """Per answered part asking for a name by a noun ("Which MSP ...?"), the sentence that
        gives a name that noun as its title (:func:`titled_sentence`)."""
        return [
            t
            for t, d in zip(self.titled, self.decision.parts, strict=False)
            if t is not None and d.answer
        ]

    def extractive_cue(self) -> dict[str, Any]:
        """What the extractive generator is told besides the question: ``part_articles``
        (:meth:`placement`) and ``required`` (:meth:`value_sentences`, then
        :meth:`part_sentences`, then :meth:`titled_sentences`)."""
        required = self.value_sentences()
        required += [s for s in self.part_sentences() if s not in required]
        required += [s for s in self.titled_sentences() if s not in required]
        return {"part_articles": self.placement(), "required": required}

    def unanswered_parts(self) -> list[str]:
        return [d.part for d in self.decision.parts if not d.answer]

    def to_json(self) -> dict[str, Any]:
        """What ``--json`` and the evaluation show of the decision."""
        parts = []
        for ev, d in zip(self.evidence, self.decision.parts, strict=True):
            parts.append(
                {
                    "part": d.part,
                    "asks_for": str(ev.part.answer_type),
                    "constraints": list(ev.constraints),
                    "missing": list(ev.missing),
                    "action": d.action,
                    "probability": round(d.probability, 4),
                    "reason": d.reason,
                }
            )
        return {"outcome": self.outcome, "parts": parts}


def judge(
    question: str | QuestionAnalysis,
    hits: Sequence[Hit],
    nlp: Language,
    encode: Encode,
    params: DecisionParams | None = None,
    cache: PassageCache | None = None,
    anchored: bool = False,
    relevance_model: CrossEncoder | None = None,
) -> Judgement:
    """Analyse ``question`` (unless given its analysis), measure ``hits`` against each of its
    parts, decide per part. ``cache`` keeps sentence splits and parses between calls (it
    changes how fast, never what: see :mod:`bot.answer.cache`). ``anchored`` (the setting
    ``evidence_anchored``): parse and embed only the sentences near what the question names
    (:mod:`bot.answer.anchors`); the decision must have been fitted the same way.
    ``relevance_model``: the cross-encoder each part's strongest windows are read with
    (:mod:`bot.answer.relevance`; None: the shipped one)."""
    analysis = question if isinstance(question, QuestionAnalysis) else analyse(question, nlp)
    anchors = question_anchors(analysis) if anchored else None
    passages = prepare_passages(hits, nlp, encode, cache, anchors)
    analysis, evidence = weigh_parts(analysis, passages, encode)
    evidence = tuple(
        dataclasses.replace(ev, relevance=relevance(ev, passages, relevance_model))
        for ev in evidence
    )
    titled = tuple(titled_sentence(ev, passages) for ev in evidence)
    return Judgement(analysis, evidence, decide(evidence, params), titled)


def weigh_parts(
    analysis: QuestionAnalysis, passages: Passages, encode: Encode
) -> tuple[QuestionAnalysis, tuple[Evidence, ...]]:
    """Each part's evidence; for a question naming things joined by "and" in one clause
    (``analysis.apart``), the question taken apart when no window names every constraint of
    the whole but each thing has a window naming all of its own: "How many jobs are ABN Amro
    and Marsh & McLennan cutting?" is then asked of each bank, usually answered by an article
    each. When a passage names them together ("the match between Ireland and England"), the
    question stays whole. The analysis returned is the one the evidence measured."""
    evidence = tuple(gather_evidence(part, passages, encode) for part in analysis.parts)
    if not analysis.apart or _carried(evidence[0]):
        return analysis, evidence
    apart = tuple(gather_evidence(part, passages, encode) for part in analysis.apart)
    if not all(_carried(ev) for ev in apart):
        return analysis, evidence
    return QuestionAnalysis(analysis.question, analysis.apart, taken_apart=True), apart


def _carried(ev: Evidence) -> bool:
    """Whether some window names every constraint of the part."""
    return any(w.constraint_share >= 1.0 for w in ev.windows)


def joined_parts(texts: Sequence[str]) -> str:
    """Parts asked as one compound question: "How many jobs are ABN Amro cutting, and how many
    jobs are Marsh & McLennan cutting?" (a later part's question word in lower case; the
    analysis splits the question back at each "and" before one)."""
    out: list[str] = []
    for n, text in enumerate(texts):
        text = text.strip().rstrip("?").strip()
        first, space, rest = text.partition(" ")
        if n and first.lower() in WH_WORDS:
            text = first.lower() + space + rest
        out.append(text)
    return ", and ".join(out) + "?"
