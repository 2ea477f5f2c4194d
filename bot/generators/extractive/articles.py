"""Which articles an extractive answer may quote: the best one, and others only for what it lacks.

A question is usually answered by one article; quoting others adds words about other stories. So
the best-ranked article is admitted, and another only when it holds something the admitted ones
lack:

* question words they lack, weighing ``new_terms_share`` of the question's words, from an
  article whose best sentence scores ``diverse_min_share`` of the best one (a two-article
  question: "What did Howard say about truancy and about positive discrimination?");
* a person the question names whom no admitted article mentions, from an article whose best
  sentence scores at least the answer's floor (``min_relative_score`` of the best): "How old
  were Lord Scarman and Lord Callaghan when they died?" is answered by two obituaries. The
  question asks about that person, and only that article can say anything about them. Not for
  other names: an organisation or a place has other names an article may use instead ("the
  Tories", "the Conservatives"), and another article naming it is usually another story.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.generators.extractive.questions import mentions_word
from retrieval.text import normalise, term_in

if TYPE_CHECKING:
    from bot.generators.extractive.candidates import Scored
    from bot.generators.extractive.weights import ScoringWeights


def admit_articles(
    scored: Sequence[Scored],
    weights: dict[str, float],
    keys: Sequence[str],
    fitted: ScoringWeights,
    persons: Sequence[str] = (),
) -> list[Scored]:
    """The best sentence of each admitted article, the first article's first. ``weights``: the
    question's term weights; ``keys``: the words its names must be found by (``name_key``);
    ``persons``: those of the names of people."""
    first_score = max(s.score for s in scored)
    article_best: dict[str, Scored] = {}
    article_terms: dict[str, set[str]] = {}
    article_text: dict[str, str] = {}
    for s in scored:
        a = s.candidate.article_id
        article_terms.setdefault(a, set()).update(s.candidate.terms)
        article_text[a] = article_text.get(a, "") + " " + normalise(s.candidate.text).lower()
        if a not in article_best or s.score > article_best[a].score:
            article_best[a] = s
    total = sum(weights.values()) or 1.0
    terms_of = {a: frozenset(t) for a, t in article_terms.items()}

    def has(article: str, term: str) -> bool:
        return term_in(term, terms_of[article])

    def rank(best_of: Scored) -> float:
        # The article that holds the question's words and names, not just its best sentence:
        # "Ireland's 21-19 win over Argentina" is not the report of the South Africa game.
        a = best_of.candidate.article_id
        cover = sum(w for t, w in weights.items() if has(a, t)) / total
        absent = sum(1 for k in keys if not mentions_word(article_text[a], k))
        return best_of.score * (1.0 + fitted.article_coverage * cover) * fitted.name_penalty**absent

    ranked = sorted(article_best.values(), key=lambda s: -rank(s))
    first = ranked[0].candidate.article_id
    admitted = [ranked[0]]
    known = {t for t in weights if has(first, t)}
    named = {k for k in persons if mentions_word(article_text[first], k)}
    for best_of in ranked[1:]:
        if len(admitted) >= fitted.diverse_articles:
            break
        a = best_of.candidate.article_id
        new_names = {k for k in persons if k not in named and mentions_word(article_text[a], k)}
        if new_names and best_of.score >= fitted.min_relative_score * first_score:
            admitted.append(best_of)
            named |= new_names
            known |= {t for t in weights if has(a, t)}
            continue
        if best_of.score < fitted.diverse_min_share * first_score:
            continue
        new = {t for t in weights if t not in known and has(a, t)}
        if sum(weights[t] for t in new) / total >= fitted.new_terms_share:
            admitted.append(best_of)
            known |= new
            named |= {k for k in persons if mentions_word(article_text[a], k)}
    return admitted
