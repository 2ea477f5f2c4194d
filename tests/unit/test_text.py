"""The text toolbox (retrieval/text.py): sentence spans, content words, stems and folding."""

from __future__ import annotations

import pytest

from retrieval.text import content_terms, normalise, overlap, sentence_spans, term_in


def split_sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text)]


# --- sentence splitting ---------------------------------------------------------------------------


def test_splitter_keeps_titles_initials_and_numbers_together() -> None:
    # syntok (see sentence_spans): quotations are cut at their own sentences.
    text = (
        'Mr. Brown met J. K. Rowling in the U.S. on Monday. "They have a choice. That choice is '
        'clear," he said. Prices rose 3.5% in Jan. The end.'
    )
    assert split_sentences(text) == [
        "Mr. Brown met J. K. Rowling in the U.S. on Monday.",
        '"They have a choice.',
        'That choice is clear," he said.',
        "Prices rose 3.5% in Jan.",
        "The end.",
    ]


def test_splitter_breaks_at_line_ends_and_question_marks() -> None:
    text = "Headline without a stop\nIs it over? Not yet!\n\nNext paragraph."
    assert split_sentences(text) == [
        "Headline without a stop",
        "Is it over?",
        "Not yet!",
        "Next paragraph.",
    ]


def test_spans_are_offsets_into_the_text_and_mark_paragraph_ends() -> None:
    text = "  First one. Second one.\n\nThird one."
    spans = sentence_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["First one.", "Second one.", "Third one."]
    assert [s.paragraph_end for s in spans] == [False, True, True]


def test_spans_of_a_text_are_cut_once_and_callers_get_their_own_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One answer cuts the same chunk in the evidence stage, the generator and the check: syntok
    # runs on it once; a caller that changes its list changes nobody else's.
    from syntok import segmenter

    calls: list[str] = []
    real = segmenter.analyze

    def counting(text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(segmenter, "analyze", counting)
    text = "A chunk cut once, latency8 marker. It has two sentences."
    first = sentence_spans(text)
    first.clear()
    second = sentence_spans(text)
    assert calls == [text]
    assert [text[s.start : s.end] for s in second] == [
        "A chunk cut once, latency8 marker.",
        "It has two sentences.",
    ]


def test_content_terms_drop_stopwords_and_possessives_and_stem() -> None:
    assert content_terms("What did Johnson's government say about the prices?") == [
        "johnson",
        "govern",
        "price",
    ]
    assert content_terms("") == []


def test_normalise_folds_typographic_quotes_and_dashes() -> None:
    assert normalise("“It’s — fine”") == '"It\'s - fine"'


def test_term_in_and_overlap_match_light_prefixes() -> None:
    assert term_in("russia", frozenset({"russian"}))
    assert not term_in("war", frozenset({"warn"}))
    assert overlap(["russia", "choic"], frozenset({"russian"})) == 0.5
    assert overlap([], frozenset({"x"})) == 0.0
