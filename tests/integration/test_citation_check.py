"""The support check of drafts against the passages they cite (bot/citations/support.py), with the
real embedding model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.citations import check_draft, support
from bot.types import NO_ANSWER_MESSAGE, Source, number_sources
from retrieval.embeddings import LocalEmbeddings
from retrieval.types import Hit


def test_check_keeps_supported_and_drops_unknown_keys(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    draft = (
        "Boris Johnson warned that senior Russian military officers could face international "
        "sanctions [1][9]. Johnson said Russia needs a way out and a way forward [1]."
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.keys for s in result.sentences] == [(1,), (1,)]
    assert not result.too_little
    reasons = [(d.text, d.reason) for d in result.dropped]
    assert reasons == [("[9]", "cites source [9], which was not among the sources")]
    ev = result.sentences[0].evidence[0]
    assert "international sanctions" in ev.quote
    assert seed_sources[0].hit.text[ev.start : ev.end] == ev.quote


def test_check_drops_uncited_and_invented_sentences(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    draft = (
        "Johnson said the Russians have a choice to stick like glue to the Assad regime [1]. "
        "Johnson said Brazil has a choice too. "
        "Johnson said Brazil has a choice to stick like glue to the Assad regime [1]. "
        "The meeting was held in Paris [1]."
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.text for s in result.sentences] == [
        "Johnson said the Russians have a choice to stick like glue to the Assad regime."
    ]
    dropped = {d.text: d.reason for d in result.dropped}
    assert (
        dropped["Johnson said Brazil has a choice too."]
        == "no citation, and no source supports it on its own"
    )
    assert (
        "'brazil'"
        in dropped["Johnson said Brazil has a choice to stick like glue to the Assad regime."]
    )
    assert "'paris'" in dropped["The meeting was held in Paris."]
    # One of four sentences survived: too little, the caller falls back.
    assert result.too_little


def test_a_sentence_without_a_marker_is_attributed_to_the_source_that_supports_it(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    # Small models write no [n] markers: a supported sentence keeps its place, cited after the
    # fact to the passage that supports it; an unsupported one is still removed.
    draft = (
        "Johnson said the Russians have a choice to stick like glue to the Assad regime. "
        "Johnson said Brazil will host the next meeting."
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.text for s in result.sentences] == [
        "Johnson said the Russians have a choice to stick like glue to the Assad regime."
    ]
    kept = result.sentences[0]
    assert kept.attributed
    assert len(kept.keys) == 1
    source = next(s for s in seed_sources if s.key == kept.keys[0])
    assert "stick like glue" in source.hit.text
    assert "stick like glue" in kept.evidence[0].quote
    assert [d.reason for d in result.dropped] == [
        "no citation, and no source supports it on its own"
    ]


def test_check_rejects_a_sentence_cited_to_the_wrong_passage(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    # The Downing Street statement is in the last passages, not in the first one.
    last = seed_sources[-2].key
    draft = (
        "Theresa May and Donald Trump agreed that a window of opportunity now exists to persuade "
        f"Russia that its alliance with Assad is no longer in its strategic interest [1][{last}]."
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.keys for s in result.sentences] == [(last,)]
    assert any(d.text == "[1]" and "citation removed" in d.reason for d in result.dropped)


def test_check_keeps_the_no_answer_message(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    result = check_draft(NO_ANSWER_MESSAGE, seed_sources, embeddings)
    assert result.no_answer
    assert not result.too_little
    assert result.text == NO_ANSWER_MESSAGE


def test_check_drops_the_drafts_own_source_list(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    draft = (
        "Mr Johnson told reporters that further sanctions on Syrian and Russian military figures "
        "would be discussed [2].\n\nSources:\n[2] G7 meeting: Russia and Syria could face sanctions"
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert len(result.sentences) == 1
    assert [d.reason for d in result.dropped] == [
        "the draft's own source list (the bot lists sources)"
    ] * 2


# --- who did what (bot/citations/roles.py) ------------------------------------------------------
# The seed passage: "Senior Russian military officers involved in supporting Syrian president
# Bashar al-Assad's campaign of repression against his own people could face international
# sanctions, Boris Johnson has warned."

SWAPS = [
    # A real 0.5B model's sentence (tests/integration/test_llm_real.py): subject and object swapped.
    "Boris Johnson could face international sanctions [1].",
    "Boris Johnson could face international sanctions, according to the sources [1].",
    # Speaker and the reported clause's subject swapped.
    "Senior Russian military officers warned that Boris Johnson could face sanctions [1].",
    "Russian military officers have warned that Johnson could face international sanctions [1].",
]

SUPPORTED = [
    "Senior Russian military officers could face international sanctions, Boris Johnson has "
    "warned [1].",
    # Reported speech, the speaker first.
    "Johnson warned that senior Russian military officers could face international sanctions [1].",
    "According to Boris Johnson, senior Russian military officers could face international "
    "sanctions [1].",
    # A paraphrase, and a passive with the doer as its agent.
    "Russian military officers supporting Assad's campaign could face international sanctions, "
    "Johnson warned [1].",
    "International sanctions could be faced by senior Russian military officers supporting "
    "Assad, Boris Johnson warned [1].",
]


def test_sentences_that_swap_who_did_what_are_not_supported(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    for draft in SWAPS:
        result = check_draft(draft, seed_sources, embeddings)
        assert [s.text for s in result.sentences if s.keys] == [], draft
        reasons = " ".join(d.reason for d in result.dropped)
        assert "swaps who did what" in reasons, (draft, reasons)


def test_sentences_that_keep_who_did_what_are_still_supported(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    for draft in SUPPORTED:
        result = check_draft(draft, seed_sources, embeddings)
        assert [s.keys for s in result.sentences] == [(1,)], (draft, result.dropped)


def test_check_uses_the_thresholds_the_package_loads(
    seed_sources: list[Source],
    embeddings: LocalEmbeddings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A reworded, supported sentence: kept with the shipped values (support_params.json), dropped
    # for its similarity once the file the package loads asks for more than any paraphrase gets.
    draft = (
        "Johnson said the Russians can stick like glue to Assad's toxic regime or work with the "
        "world [1]."
    )
    shipped = support.support_params()
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.keys for s in result.sentences] == [(1,)]
    similarity = result.sentences[0].evidence[0].similarity
    assert shipped.min_similarity <= similarity < 0.99
    strict = tmp_path / "support_params.json"
    strict.write_text('{"min_similarity": 0.99, "min_overlap": 0.7}', encoding="utf-8")
    # The cache is cleared after the path is restored, so nothing read from the strict file stays
    # cached for the tests that run later in this process.
    try:
        with monkeypatch.context() as patched:
            patched.setattr(support, "PARAMS_PATH", strict)
            support.support_params.cache_clear()
            result = check_draft(draft, seed_sources, embeddings)
            assert support.support_params() == support.SupportParams(0.99, 0.7)
    finally:
        support.support_params.cache_clear()
    assert result.sentences == ()
    assert "similarity" in result.dropped[0].reason and "< 0.99" in result.dropped[0].reason
    # Passing a threshold explicitly still overrides the file.
    explicit = check_draft(draft, seed_sources, embeddings, min_similarity=shipped.min_similarity)
    assert [s.keys for s in explicit.sentences] == [(1,)]
    # The file asked for above is gone with the test: later checks in this process use the
    # shipped values again (a leaked 0.99 once made every later LLM draft fall back).
    assert support.support_params() == shipped


LSE_TEXT = (
    "The London Stock Exchange has received a takeover approach from Euronext. "
    "Deutsche Boerse said it was still interested in buying the exchange."
)


@pytest.mark.parametrize("fragment", ["Euronext", "Deutsche Boerse", "the London Stock Exchange"])
def test_a_fragment_that_states_nothing_is_not_a_claim(
    embeddings: LocalEmbeddings, fragment: str
) -> None:
    # The real 0.5B model answered a dev question ("by when did the London Stock Exchange plan
    # to announce a preferred takeover?") with "Euronext [1]" alone, and it was kept: a name
    # taken from the passage, with no verb, asserts nothing a citation could support.
    hit = Hit("lse-0", "lse", "LSE bids", LSE_TEXT, 1.0, start=0, end=len(LSE_TEXT), index=0)
    sources = number_sources([hit])
    claim = "Deutsche Boerse said it was still interested in buying the exchange."
    result = check_draft(f"{fragment} [1]. {claim} [1]", sources, embeddings)
    assert [s.text for s in result.sentences] == [claim]
    reasons = {d.text: d.reason for d in result.dropped}
    assert list(reasons) == [f"{fragment}."]
    assert reasons[f"{fragment}."].endswith("[1]: states nothing (no verb)")
