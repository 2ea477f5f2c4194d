"""Whether a window says what a part asks (bot/answer/binding.py), with the real spaCy pipeline,
on sentences written here: the event reported or only planned, the verb's doer the part's
subject or another, a value in the verb's clause, the speaker's own words on the topic."""

from __future__ import annotations

from dataclasses import replace

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from bot.answer import binding
from bot.answer.binding import bind, is_realis, speaker_topic
from bot.answer.question.types import AnswerType, Mention, QuestionPart, Relation

REALIS = [
    ("Verizon bought MCI for $6.7bn.", "buy"),
    ("Verizon has bought MCI.", "buy"),
    ("MCI was bought by Verizon last year.", "buy"),
    ("SBC agreed to buy AT&T for about $16bn.", "buy"),  # as real as the agreeing
    ("The chairman said Verizon bought MCI.", "buy"),  # a reported clause
    ("MCI agreed to be bought by Verizon.", "buy"),  # a passive infinitive, as real as its head
]

IRREALIS = [
    ("Lufthansa may sue federal agencies for damages.", "sue"),
    ("The administrators were hopeful of finding a buyer.", "find"),
    ("Kilroy-Silk is to contest the seat of Erewash.", "contest"),
    ("The IAAF will determine the sprinters' future.", "determine"),
    ("Verizon did not buy MCI.", "buy"),
    ("Verizon plans to buy MCI.", "buy"),
    ("Verizon is expected to buy MCI.", "buy"),
    # Passive infinitives: planned or expected as much as the active ones.
    ("Test versions of IE 7 are due to be released by the summer.", "release"),
    ("MCI is expected to be bought by Verizon.", "buy"),
    ("Jol is set to be appointed coach.", "appoint"),
    # Needed, not done: the troops are on standby.
    (
        "British troops are on standby in case they need to help evacuate several hundred UK "
        "citizens from Ivory Coast.",
        "evacuate",
    ),
]


def _verb(nlp: Language, text: str, lemma: str):  # type: ignore[no-untyped-def]
    doc = nlp(text)
    found = [t for t in doc if t.lemma_.lower() == lemma]
    assert found, (text, lemma)
    return found[0]


@pytest.mark.parametrize(("text", "lemma"), REALIS)
def test_a_reported_event_is_realis(nlp: Language, text: str, lemma: str) -> None:
    assert is_realis(_verb(nlp, text, lemma))


@pytest.mark.parametrize(("text", "lemma"), IRREALIS)
def test_a_possible_planned_or_denied_event_is_not(nlp: Language, text: str, lemma: str) -> None:
    assert not is_realis(_verb(nlp, text, lemma))


def _part(
    predicate: str | None,
    subject: str | None,
    answer_type: AnswerType = AnswerType.AMOUNT,
    speaker: str | None = None,
    topic: tuple[str, ...] = (),
) -> QuestionPart:
    return QuestionPart(
        text="q",
        start=0,
        end=1,
        answer_type=answer_type,
        relation=Relation(predicate=predicate, subject=subject, speaker=speaker, topic_terms=topic),
    )


def _bind(nlp: Language, part: QuestionPart, *sentences: str):  # type: ignore[no-untyped-def]
    return bind(part, [nlp(s) for s in sentences])


def test_another_doer_of_the_verb_is_a_conflict(nlp: Language) -> None:
    b = _bind(nlp, _part("buy", "Verizon"), "SBC agreed to buy AT&T for about $16bn.")
    assert b is not None
    assert b.verb and b.doer_conflict and not b.doer_match
    # Another doer's event says nothing of whether the part's happened.
    assert not b.realis


def test_the_subjects_own_event_reported(nlp: Language) -> None:
    b = _bind(nlp, _part("buy", "Verizon"), "Verizon agreed to buy MCI for $6.7bn.")
    assert b is not None
    assert b.doer_match and not b.doer_conflict and b.realis


def test_a_passive_agent_is_the_doer(nlp: Language) -> None:
    b = _bind(nlp, _part("buy", "Verizon"), "MCI was bought by Verizon for $6.7bn.")
    assert b is not None and b.doer_match and b.realis


def test_the_subjects_event_only_planned(nlp: Language) -> None:
    b = _bind(nlp, _part("buy", "Verizon"), "Verizon plans to buy MCI.")
    assert b is not None and b.verb and b.doer_match and not b.realis


def test_a_pronoun_doer_is_unknown_not_a_conflict(nlp: Language) -> None:
    b = _bind(nlp, _part("buy", "Verizon"), "It bought MCI for $6.7bn.")
    assert b is not None and not b.doer_conflict and not b.doer_match and b.realis


def test_a_report_introducing_its_subject_by_description_may_be_the_subject(
    nlp: Language,
) -> None:
    # A lead describes first and names later: "a US company" may be Titan, as "the company" may.
    b = _bind(
        nlp,
        _part("agree", "Titan Corporation"),
        "A US defence and telecommunications company has agreed to pay $28.5m.",
    )
    assert b is not None and b.doer_match and not b.doer_conflict and b.realis
    b = _bind(
        nlp,
        _part("receive", "Michael Sears"),
        "An ex-chief financial officer at Boeing has received a four-month jail sentence.",
    )
    assert b is not None and b.doer_match and b.realis


@pytest.mark.parametrize(
    ("predicate", "subject", "sentence"),
    [
        # Speech is given to "a spokesman" because no name is: not Milburn's words.
        ("say", "Alan Milburn", "A Labour spokesman later said the posters were removed."),
        # A bare plural is others, not a description of the one asked about.
        ("face", "Boris Johnson", "Senior Russian military officers could face sanctions."),
        ("agree", "Titan Corporation", "Lockheed Martin has agreed to pay $5m."),
    ],
)
def test_another_doer_stays_a_conflict(
    nlp: Language, predicate: str, subject: str, sentence: str
) -> None:
    b = _bind(nlp, _part(predicate, subject), sentence)
    assert b is not None and b.doer_conflict and not b.doer_match and not b.realis


def test_asked_what_will_happen_a_plan_answers(nlp: Language) -> None:
    asked = replace(_part("open", "Ray Charles museum"), relation=Relation(predicate="open"))
    b = _bind(nlp, asked, "A museum is to open in his former recording studio.")
    assert b is not None and b.verb and not b.realis
    prospective = replace(asked, relation=replace(asked.relation, prospective=True))
    b = _bind(nlp, prospective, "A museum is to open in his former recording studio.")
    assert b is not None and b.realis


def test_no_event_verb_no_binding(nlp: Language) -> None:
    assert _bind(nlp, _part(None, "Verizon"), "Verizon bought MCI.") is None
    assert _bind(nlp, _part("have", "Verizon"), "Verizon has a plan.") is None
    b = _bind(nlp, _part("sell", "Verizon"), "Verizon bought MCI.")
    assert b is not None and not b.verb and not b.realis


def _speech(nlp: Language, part: QuestionPart, *sentences: str, title: str = "") -> float:
    return speaker_topic(part, [nlp(s) for s in sentences], title)


STATEMENT = _part(
    "say", "Ricky Gervais", AnswerType.STATEMENT, speaker="Ricky Gervais", topic=("britain",)
)


def test_the_speakers_own_words_carry_the_topic(nlp: Language) -> None:
    assert _speech(nlp, STATEMENT, 'Gervais said: "Little Britain deserved the award."') == 1.0


def test_a_speaker_speaking_out_over_the_topic_speaks_about_it(nlp: Language) -> None:
    blume = _part(
        "say", "Judy Blume", AnswerType.STATEMENT, speaker="Judy Blume", topic=("censorship",)
    )
    window = (
        "The author Judy Blume used the ceremony to speak out over censorship.",
        'Blume said: "The urge to ban is contagious."',
    )
    assert _speech(nlp, blume, *window) == 1.0


def test_speaker_and_topic_in_one_window_but_not_linked(nlp: Language) -> None:
    window = (
        "Little Britain beat The Office at the British Comedy Awards.",
        'Gervais said: "We have won too many awards already."',
    )
    assert _speech(nlp, STATEMENT, *window) == 0.0


def test_a_quotation_after_the_attribution_goes_on_in_the_speakers_words(
    nlp: Language,
) -> None:
    window = (
        "Ricky Gervais said he was delighted for the cast.",
        '"Little Britain is the best show on television."',
    )
    assert _speech(nlp, STATEMENT, *window) == 1.0


def test_a_pronoun_speaks_for_the_speaker_named_before(nlp: Language) -> None:
    window = ("Ricky Gervais won a special award.", "He said Little Britain had earned its win.")
    assert _speech(nlp, STATEMENT, *window) == 1.0
    assert _speech(nlp, STATEMENT, "He said Little Britain had earned its win.") == 0.0


def test_another_speaker_on_the_topic_does_not_count(nlp: Language) -> None:
    window = ('Matt Lucas said: "Little Britain owes a lot to The Office."',)
    assert _speech(nlp, STATEMENT, *window) == 0.0


def test_a_sentence_s_verbs_are_read_once_and_found_as_a_scan_finds_them(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bind() is called for every window a sentence sits in and every part: the verbs by lemma
    # are kept on the Doc (bot.answer.binding._verbs), read once, and give what a scan gives.
    doc = nlp("Verizon agreed to buy MCI, and SBC was buying AT&T as analysts said it would buy.")
    scanned = [t.i for t in doc if t.lemma_.lower() == "buy" and t.pos_ in {"VERB", "AUX"}]
    assert len(scanned) == 3
    calls: list[int] = []
    real = binding._verbs

    def counted(d: Doc) -> dict[str, tuple[int, ...]]:
        calls.append(1)
        return real(d)

    monkeypatch.setattr(binding, "_verbs", counted)
    first = bind(_part("buy", "Verizon"), [doc])
    assert [t.i for t in binding._occurrences(doc, "buy")] == scanned
    assert bind(_part("buy", "Verizon"), [doc]) == first
    assert bind(_part("sell", "SBC"), [doc]) is not None
    assert calls == [1]  # the first bind read the verbs; the others found them on the Doc
    assert binding._occurrences(doc, "sell") == []


def _dated(part: QuestionPart, year: str) -> QuestionPart:
    return replace(part, dates=(Mention(year, "DATE", 0, len(year)),))


def test_the_same_event_in_another_year_is_not_the_one_asked_about(nlp: Language) -> None:
    # "Who won the 2005 race?" and a preview recalling an earlier win: that win is another event.
    part = _dated(_part("win", None, AnswerType.PERSON), "2005")
    b = _bind(nlp, part, "The Kenyan runner won the race in 2002 and will run again in April.")
    assert b is not None and b.verb and not b.realis
    for sentence in ("The Kenyan runner won the race in 2005.", "The Kenyan runner won the race."):
        b = _bind(nlp, part, sentence)
        assert b is not None and b.realis, sentence
    # Without a year in the question there is nothing to compare with.
    b = _bind(nlp, _part("win", None, AnswerType.PERSON), "The runner won the race in 2002.")
    assert b is not None and b.realis


def test_a_year_inside_the_object_dates_the_thing_not_the_event(nlp: Language) -> None:
    part = _dated(_part("forecast", None, AnswerType.QUANTITY), "2005")
    b = _bind(nlp, part, "The report forecast total growth of 3.6% in 2004 for the members.")
    assert b is not None and b.realis


def test_a_year_in_a_clause_of_its_own_dates_that_clause(nlp: Language) -> None:
    part = _dated(_part("win", None, AnswerType.PERSON), "2005")
    b = _bind(nlp, part, "The runner won the race before retiring in 2002.")
    assert b is not None and b.realis
