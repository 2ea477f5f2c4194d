"""What question analysis returns: the answer types and the frozen result dataclasses.

No spaCy import here: importing this module is cheap.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class AnswerType(StrEnum):
    """The kind of value a question (part) asks for."""

    AMOUNT = "amount"  # money: "how much did A pay", "what price"
    COUNT = "count"  # "how many"
    QUANTITY = "quantity"  # percentages, rates, levels, sizes, speeds: "what percentage"
    DATE = "date"  # dates and times: "when", "what year"
    PERSON = "person"  # "who", "which player"
    ORGANISATION = "organisation"  # "which company/club/party"
    PLACE = "place"  # "where", "which country"
    REASON = "reason"  # "why", "what caused"
    STATEMENT = "statement"  # "what did P say about T", "how did P respond"
    SCORE = "score"  # a match result: "what was the score", "by what score"
    DESCRIPTION = "description"  # anything else: "what happened", "what is X"


# The answers that are figures: a unit may be asked for ("price per share"), a source may
# measure them ("did Ofcom count").
FIGURE_TYPES = frozenset({AnswerType.AMOUNT, AnswerType.COUNT, AnswerType.QUANTITY})


@dataclass(frozen=True)
class Mention:
    """Something the question names: an entity, a proper-noun run, a number or a date.

    ``start``/``end`` are character offsets into the question; ``label`` is spaCy's entity label,
    or ``PROPN`` for a run of proper nouns the NER missed or a name written with digits ("U2",
    "3G": :mod:`bot.answer.question.coded_names`), or ``CARDINAL`` for a bare number it missed, or
    ``URL`` for a web address. ``source`` says which (``ner``, ``propn``, ``coded``, ``url``,
    ``number``). ``inherited`` marks a mention that a later part took over from the first part
    (its offsets are the first part's). ``qualifier`` marks the possessor of a phrase that names
    something else ("John Underwood" in "John Underwood's Live-Shot website"): it says whose the
    named thing is, and a passage may give it anywhere in the article rather than beside it.
    """

    text: str
    label: str
    start: int
    end: int
    source: str = "ner"
    inherited: bool = False
    qualifier: bool = False


@dataclass(frozen=True)
class Relation:
    """What the question asks about.

    ``predicate``: lemma of the main verb ("pay", "say", "win"); ``None`` for a copula ("What was
    the price of X?"). ``subject``: the subject's text when it is not the wh-word. For other than
    statements, ``object_terms`` are the content lemmas of the verb's complements (objects and
    prepositional phrases: "pay for B" -> ["b"]). For statements, ``speaker`` is who spoke and
    ``topic_terms`` the content lemmas of what about ("say about Russia" -> ["russia"]).
    ``prospective``: the question asks about its verb as not (yet) having happened ("Who will
    Roddick play?", "How many workers could strike?": :func:`bot.answer.mood.is_prospective`),
    so a report of it as planned or possible answers it.
    """

    predicate: str | None = None
    subject: str | None = None
    object_terms: tuple[str, ...] = ()
    speaker: str | None = None
    topic_terms: tuple[str, ...] = ()
    prospective: bool = False


@dataclass(frozen=True)
class QuestionPart:
    """One answerable part of a question, with what it asks for and what it names."""

    text: str
    start: int
    end: int
    answer_type: AnswerType
    # Other types an answer may have ("who" can be a company; "which team" can be a country).
    also_accept: tuple[AnswerType, ...] = ()
    wh: str | None = None  # the asking words: "how much", "which club", "why"
    focus: str | None = None  # lemma of the noun asked about: "club", "price", "job" (how many)
    entities: tuple[Mention, ...] = ()
    numbers: tuple[Mention, ...] = ()
    dates: tuple[Mention, ...] = ()
    relation: Relation = field(default_factory=Relation)
    terms: tuple[str, ...] = ()
    # What this part took from another part: "subject", "speaker", "frame", "names", "object".
    inherited: tuple[str, ...] = ()
    # The first part's words an object pronoun of this part stands for ("best supporting
    # actress" for "it" in "..., and who won it at the Oscars?"), or None.
    antecedent: str | None = None

    @property
    def accepted_types(self) -> tuple[AnswerType, ...]:
        return (self.answer_type, *self.also_accept)

    @property
    def relation_text(self) -> str:
        """The part without its own names, numbers and dates: what it asks of them ("How much
        did pay to buy the blog-reading website?"), to find the sentence that speaks of that
        (``bot.answer.evidence``: ``Window.relation_value``); the part's text when nothing
        else is left."""
        cut = sorted(
            (m.start - self.start, m.end - self.start)
            for m in (*self.entities, *self.numbers, *self.dates)
            if self.start <= m.start and m.end <= self.end
        )
        kept, at = [], 0
        for start, end in cut:
            kept.append(self.text[at : max(at, start)])
            at = max(at, end)
        kept.append(self.text[at:])
        rest = " ".join(" ".join(kept).split())
        return rest or self.text

    @property
    def query(self) -> str:
        """What to search for this part: its own words, plus the names it took over from
        another part ("... and about positive discrimination" is asked of the first part's
        "Howard"; "When" in "When and where did A marry B?" of A and B) and the words its
        pronoun stands for ("best supporting actress who won it at the Oscars")."""
        inherited = [m.text for m in self.entities if m.inherited and m.text not in self.text]
        if self.antecedent:
            inherited = [m for m in inherited if m not in self.antecedent]
            inherited.append(self.antecedent)
        return " ".join(dict.fromkeys([*inherited, self.text])) if inherited else self.text


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    parts: tuple[QuestionPart, ...]
    # A one-part question about named things joined by "and": the question asked of each
    # apart (bot.answer.question.coordinated), for the evidence stage to take when no passage
    # names them together (bot.answer.judge.weigh_parts). Empty otherwise.
    apart: tuple[QuestionPart, ...] = ()
    # The parts are ``apart`` taken: the evidence found the things only in passages of their own.
    taken_apart: bool = False

    @property
    def answer_type(self) -> AnswerType:
        """The first part's answer type."""
        return self.parts[0].answer_type

    @property
    def is_compound(self) -> bool:
        return len(self.parts) > 1

    def queries(self) -> list[str]:
        """What retrieval searches for besides the whole question: each part of a compound
        question, or each thing of a coordinated one (:attr:`apart`), so that a question about
        two stories finds both."""
        return [p.query for p in (self.parts if self.is_compound else self.apart)]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (enums as their string values) for evaluation records."""
        data = asdict(self)
        for part in [*data["parts"], *data["apart"]]:
            part["answer_type"] = str(part["answer_type"])
            part["also_accept"] = [str(t) for t in part["also_accept"]]
        return _lists(data)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value
