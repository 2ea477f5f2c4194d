"""Question analysis: what a question asks for, what it names, and into which parts it splits.

The first stage of the answer engine. :func:`analyse` reads one question with spaCy (the caller
passes the pipeline, see :mod:`bot.answer.nlp`) and returns a frozen :class:`QuestionAnalysis`:

* **parts**: a compound question is split on its dependency parse and tags, at a coordinated
  clause that has its own wh-word ("..., and what was Brown expected to do?", "Who won A and who
  won B?") or at a repeated preposition ("say about truancy and about discrimination"). Each part
  is analysed on its own; a part without a subject of its own (or with only a pronoun) inherits
  the first part's subject (or, when the first part has no one subject, all its names: "...,
  and what did it pay?"; so too a definite subject that names nothing: "..., and how badly had
  the business been losing customers?"), a bare wh-word before the main part ("When and where
  did ...") takes that part's frame, and a repeated-preposition part inherits the whole frame
  (answer type, verb, speaker) with its own prepositional object.
* per part, **what is asked for** (:class:`AnswerType`), from the wh-word, the noun it asks about
  ("which club", "what price") and the verb ("what did P say", "what caused");
* per part, **constraints**: named entities with spaCy's labels, proper-noun runs the NER missed,
  numbers and dates, the relation asked about (verb lemma, subject, object terms; for statements
  the speaker and the topic terms) and the content terms (lemmas of non-stopword nouns, verbs,
  adjectives and proper nouns; spaCy's ``is_stop``).

:func:`bot.answer.values.value_spans` finds, in an article sentence, the places that could answer
a given type.

Modules, in dependency order: ``types`` (answer types, result dataclasses), ``words`` (the word
classes), ``mentions`` (what a question names), ``classify`` (what it asks for), ``clause`` (its
verb, subject and topic), ``parts`` (:func:`analyse`: splitting and inheritance between parts).

No spaCy import happens here at run time (types only): importing this package is cheap.
"""

from bot.answer.question.parts import analyse
from bot.answer.question.types import (
    AnswerType,
    Mention,
    QuestionAnalysis,
    QuestionPart,
    Relation,
)
from bot.answer.question.words import REPORTING_VERBS

__all__ = [
    "REPORTING_VERBS",
    "AnswerType",
    "Mention",
    "QuestionAnalysis",
    "QuestionPart",
    "Relation",
    "analyse",
]
