"""The offline default generator: an answer composed of the retrieved passages' own sentences.

No language model beyond the embedder. The passages are cut into sentences, each sentence is
scored against the question, and a few of the best are kept, each cited with its source key:

* **similarity**: cosine of the sentence and question embeddings (one batch for all sentences;
  the vectors are cached and reused by the citation check);
* **keyword coverage**: the share of the question's content words (stemmed, weighted by how rare
  they are among the retrieved sentences) that the sentence contains; once a sentence is chosen the
  words it covers count less, so a two-part question gets a sentence for each part;
* **attribution**, for "what did X say (about Y)" questions: quotes and reported speech by X
  ("X said", "X told reporters", "he added", "the Foreign Secretary warned", quoted text), where
  "he" / "the Foreign Secretary" / "Mr Johnson" are resolved to the most recently named speaker
  of the article.

Near-duplicate sentences (the same story stored twice, overlapping chunks) are removed, the best
sentence of each of the top articles gets a chance (multi-article questions), and the chosen
sentences are given in reading order: by article, then by position in the article.

The package: ``candidates`` (the passages' sentences, each once, with who says them:
``bot.answer.speakers``, shared with the decision stage), ``questions`` (what a question asks,
read from the core's question analysis) and ``scoring`` (the generator: scoring and selection).
Whether to answer at all is not decided here: the core's decision stage (``bot.answer``) decides
before any generator runs.
"""

from bot.answer.speakers import Person, question_people
from bot.generators.extractive.candidates import Candidate, Scored, candidates_from
from bot.generators.extractive.questions import Asked, asked_parts, asked_whole
from bot.generators.extractive.scoring import (
    PART_SHORTLIST,
    SHORTLIST,
    ExtractiveGenerator,
    build_extractive_generator,
)

__all__ = [
    "PART_SHORTLIST",
    "SHORTLIST",
    "Asked",
    "Candidate",
    "ExtractiveGenerator",
    "Person",
    "Scored",
    "asked_parts",
    "asked_whole",
    "build_extractive_generator",
    "candidates_from",
    "question_people",
]
