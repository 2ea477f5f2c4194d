"""Question analysis (the answer engine's first stage): what a question asks for, what it names,
and into which parts it splits. See :func:`analyse`."""

from bot.answer.question.parts import (
    REPORTING_VERBS,
    VALUE_LABELS,
    AnswerType,
    Mention,
    QuestionAnalysis,
    QuestionPart,
    Relation,
    analyse,
    value_spans,
)

__all__ = [
    "REPORTING_VERBS",
    "VALUE_LABELS",
    "AnswerType",
    "Mention",
    "QuestionAnalysis",
    "QuestionPart",
    "Relation",
    "analyse",
    "value_spans",
]
