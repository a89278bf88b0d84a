"""find_next_steps: announced future actions in, past events and background out, dates never guessed."""

from __future__ import annotations

import datetime as dt

import pytest
from spacy.language import Language
from spacy.tokens import Span

from briefing.document import NextStep
from briefing.nlp.next_steps import find_next_steps
from briefing.nlp.spacy_model import load_nlp

FRIDAY = dt.date(2026, 11, 27)
# What the caller's actor resolver would know for these sentences; pronouns stay unresolved.
NAMES = {
    "the minister": "Helen Marsh",
    "the education secretary": "Helen Marsh",
    "mr castex": "Jean Castex",
    "the union": "Teachers' Union",
    "the company": "Acme",
    "a company spokesperson": "Acme",
    "the council": "City Council",
    "the council's cabinet": "City Council",
    "the bank": "Central Bank",
    "the prime minister": "Prime Minister",
    "ms vega": "Marisol Vega",
    "the campaign": "Save Our Hospital",
}


def resolve(span: Span) -> str | None:
    return NAMES.get(span.text.lower())


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def steps_of(nlp, text: str, anchor: dt.date | None = FRIDAY) -> list[NextStep]:
    steps = find_next_steps(nlp(text), anchor, resolve)
    for step in steps:
        assert step.evidence in text and step.evidence == step.evidence.strip()
        assert len(step.text.split()) <= 22
    return steps


@pytest.mark.parametrize(
    ("text", "when", "date", "actor"),
    [
        ("The minister will be writing to the union on Tuesday with new proposals.", "on Tuesday",
         dt.date(2026, 12, 1), "Helen Marsh"),
        ("Mr Castex is due to hold talks with the unions.", None, None, "Jean Castex"),
        ("A company spokesperson said talks could resume next week.", "next week", None, "Acme"),
        ("The company plans to appeal against the ruling.", None, None, "Acme"),
        ("The prime minister will meet unions later this week.", "later this week", None, "Prime Minister"),
        ("The vote takes place in June.", "in June", None, None),
        ("The union said it would appeal.", None, None, "Teachers' Union"),  # "it" unresolved: the speaker
        ("The union warned that its members would strike on 9 December.", "on 9 December", dt.date(2026, 12, 9),
         "Teachers' Union"),
        ("The Education Secretary will meet union leaders next Tuesday.", "next Tuesday", dt.date(2026, 12, 1),
         "Helen Marsh"),
        ("The council's cabinet will discuss the dispute on Wednesday.", "on Wednesday", dt.date(2026, 12, 2),
         "City Council"),
        ("The council is to close the library from April.", "from April", None, "City Council"),
        ("The minister is expected to publish the report by the end of the month.", "by the end of the month",
         dt.date(2026, 11, 30), "Helen Marsh"),
        ("Ms Vega said she would write to member governments within 28 days.", "within 28 days",
         dt.date(2026, 12, 25), "Marisol Vega"),
        ("The campaign plans to march through the town centre on 14 February.", "on 14 February",
         dt.date(2027, 2, 14), "Save Our Hospital"),
        ("Members voted to strike on 7, 8 and 9 December, the union said.", "on 7, 8 and 9 December",
         dt.date(2026, 12, 7), "Teachers' Union"),
        ("The company has until 10 January to respond.", "until 10 January", dt.date(2027, 1, 10), "Acme"),
        ("The union is considering further action next month.", "next month", None, "Teachers' Union"),
        ("The strike begins on Monday.", "on Monday", dt.date(2026, 11, 30), None),
        ("The government has pledged to publish the figures tomorrow.", "tomorrow", dt.date(2026, 11, 28), None),
        ("A hearing has been set for 14 January.", "for 14 January", dt.date(2027, 1, 14), None),
        ("Polls open at 7am tomorrow.", "tomorrow", dt.date(2026, 11, 28), None),
        ("The council will respond after it received the report on Monday.", None, None, "City Council"),
        # Agreed but undated, hedged, conditional: steps once their actor is known.
        ("The union agreed on Thursday to meet the company again.", None, None, "Teachers' Union"),
        ("The company said it might take legal action.", None, None, "Acme"),
        ("If the offer is rejected, the union will strike.", None, None, "Teachers' Union"),
        # A dated obligation; readiness reported in the past tense of reported speech.
        ("The council must set its budget by 11 March.", "by 11 March", dt.date(2027, 3, 11), "City Council"),
        ("The minister said the company was prepared to nominate new directors in March.", "in March", None, "Acme"),
        # Steps named by a noun.
        ("The minister expected a reply within days.", "within days", None, "Helen Marsh"),
        ("The next stage is a hearing on costs.", None, None, None),
        ("A provincial budget, slated for a vote in November, must pass.", "in November", None, None),
    ],
)  # fmt: skip
def test_future_actions_are_next_steps(
    nlp: Language, text: str, when: str | None, date: dt.date | None, actor: str | None
) -> None:
    steps = steps_of(nlp, text)
    assert len(steps) == 1, steps
    step = steps[0]
    assert (step.when, step.date, step.actor) == (when, date, actor)
    assert step.evidence == text
    if when is not None and not when.startswith("until"):  # "has until 10 January to ..." needs its date
        assert when not in step.text  # the date is in `when`, not repeated in the description


@pytest.mark.parametrize(
    "text",
    [
        "The union held a strike last year.",
        "The last strike, in 2024, lasted two days.",
        "Talks broke down on Wednesday after the minister walked out.",
        "“We were told on Wednesday that there was nothing left to discuss,” she said.",
        "He said he had spoken to the minister on Thursday.",
        "The regulator opened its investigation in March 2024.",
        "A record number of people have crossed the Channel this year.",
        "If the talks fail, there could be strikes.",
        "The strike ended when the company agreed to review overtime rates.",
        "The council must do better.",
        "Some union members said they might strike.",  # no actor the resolver knows
        "He said he would not resign.",
        "The minister will not attend the summit on Friday.",
        "Economists said the strike would hit the economy.",
        "The federation is calling for a cut in interest rates by the summer.",
        "Analysts expect inflation to fall next year.",
        "Ministers agreed on Thursday to set up a new fund.",
        "The group said the fund would aim to raise $2bn by 2030.",
        "The company said it had planned to open a new factory.",
        "No homes would be built until the defences were in place, he promised.",
        "Officials hope the bridge will reopen.",
        "Patients would instead be treated at the city hospital.",
        "The company did not say whether it would appeal.",
        "It is unclear whether talks will resume next week.",
        "The new rules came into force on Monday.",
        "The session had been due to end at six.",
        "The committee had planned to summon both parties in September, but the hearing was put off.",
        "In 2015 the two governments agreed to fund a review of the port.",
        "We will be back with live coverage from 8am tomorrow.",
    ],
)
def test_past_events_background_and_hypotheticals_are_not(nlp: Language, text: str) -> None:
    assert steps_of(nlp, text) == []


def test_describes_the_action_in_the_sentences_own_words(nlp: Language) -> None:
    text = ("Gerald Darmanin said French Prime Minister Jean Castex would write to Boris Johnson on Tuesday with "
            "proposals for a “balanced agreement” between the UK and the European Union.")  # fmt: skip
    (step,) = steps_of(nlp, text)
    assert step.text.startswith("French Prime Minister Jean Castex would write to Boris Johnson")
    assert all(word.strip("“”") in text for word in step.text.split())
    assert step.when == "on Tuesday"


def test_a_sentence_with_two_actions_gives_two_steps(nlp: Language) -> None:
    text = "The bank will publish its report next Thursday, and its next rate decision is due on 3 March."
    steps = steps_of(nlp, text)
    assert [(s.when, s.date) for s in steps] == [("next Thursday", dt.date(2026, 12, 3)),
                                                 ("on 3 March", dt.date(2027, 3, 3))]  # fmt: skip
    assert steps[0].actor == "Central Bank"


def test_an_elaborating_clause_is_not_a_second_step(nlp: Language) -> None:
    text = "The minister is due to appear before the committee on Tuesday, where she is expected to face questions."
    assert len(steps_of(nlp, text)) == 1


def test_evidence_stops_at_a_paragraph_break(nlp: Language) -> None:
    text = "Council to vote on budget\n\nThe council will vote on the budget on 3 December."
    (step,) = steps_of(nlp, text)
    assert step.evidence == "The council will vote on the budget on 3 December."
    assert step.date == dt.date(2026, 12, 3)


def test_the_meeting_takes_the_date_of_the_meeting_just_announced(nlp: Language) -> None:
    text = ("The Education Secretary will meet union leaders next Tuesday. "
            "Mr Lee said he would attend the meeting.")  # fmt: skip
    first, second = steps_of(nlp, text)
    assert first.date == second.date == dt.date(2026, 12, 1)
    assert second.when is None  # the sentence itself names no time


def test_without_an_anchor_steps_are_found_but_not_dated(nlp: Language) -> None:
    (step,) = steps_of(nlp, "The council's cabinet will discuss the dispute on Wednesday.", anchor=None)
    assert (step.when, step.date) == ("on Wednesday", None)


def test_an_explicit_year_resolves_without_an_anchor(nlp: Language) -> None:
    (step,) = steps_of(nlp, "The trial is scheduled to begin on 7 December 2026.", anchor=None)
    assert step.date == dt.date(2026, 12, 7)


def test_identical_steps_are_not_repeated(nlp: Language) -> None:
    text = "The council will meet on Tuesday. The council will meet on Tuesday."
    steps = steps_of(nlp, text)
    assert len(steps) == 1


@pytest.mark.parametrize(
    "text",
    [
        '"The market is telling Calloway it will have to pay more," said Erin Castellano, an analyst at Pine Ridge.',
        '"Every operator will now ask for the full file," said Folake Adesanya, a telecoms consultant in Lagos.',
    ],
)
def test_an_outside_commentators_forecast_is_not_a_next_step(nlp: Language, text: str) -> None:
    assert steps_of(nlp, text) == []


def test_a_spokespersons_announcement_still_is(nlp: Language) -> None:
    text = '"We will appeal the ruling on Monday," said Dana Cole, a spokeswoman for the company.'
    assert [step.when for step in steps_of(nlp, text)] == ["on Monday"]


def test_an_obligation_the_story_states_is_a_step_but_a_demand_is_not(nlp: Language) -> None:
    ruled = steps_of(nlp, "The minister must decide again whether to approve the quarry after the ruling.")
    assert [(s.actor, s.when) for s in ruled] == [("Helen Marsh", None)]
    assert steps_of(nlp, "The union said the minister must do more for teachers.") == []
    assert steps_of(nlp, "“The minister must resign,” the union said.") == []


def test_a_plan_agreed_in_reported_speech_is_still_a_step(nlp: Language) -> None:
    steps = steps_of(nlp, "The union said the two sides had agreed to meet again on Monday.")
    assert [(s.actor, s.when) for s in steps] == [("Teachers' Union", "on Monday")]


@pytest.mark.parametrize(
    ("text", "when", "date"),
    [
        ("Submissions close on 4 December.", "on 4 December", dt.date(2026, 12, 4)),
        ("The union has until Monday to respond to the offer.", "until Monday", dt.date(2026, 11, 30)),
        ("It gave the federation until Dec. 6 to comply.", "until Dec. 6", dt.date(2026, 12, 6)),
        ("She will stand down at a party congress slated for the spring.", "for the spring", None),
    ],
)
def test_deadlines_given_and_dates_the_parser_misread(
    nlp: Language, text: str, when: str, date: dt.date | None
) -> None:
    steps = steps_of(nlp, text)
    assert (steps[0].when, steps[0].date) == (when, date)


def test_whoever_is_ordered_to_act_by_a_date_has_a_step(nlp: Language) -> None:
    steps = steps_of(nlp, "The judge on Wednesday ordered the union to answer the claim within 14 days.")
    assert [(s.actor, s.when, s.date) for s in steps] == [("Teachers' Union", "within 14 days", dt.date(2026, 12, 11))]
    assert steps_of(nlp, "The minister called on the union to return to talks.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Both sides agreed on Friday to hold talks on job security, but no date has been fixed.",
        "The union said the two ministers had agreed to meet again, though no date or venue has been set.",
        "The two delegations also agreed to keep talking about the annex, though no further meeting has been scheduled.",
    ],
)
def test_an_agreement_whose_date_is_still_open_is_a_step(nlp: Language, text: str) -> None:
    steps = steps_of(nlp, text)
    assert len(steps) == 1 and steps[0].when is None


def test_a_photo_caption_is_no_next_step(nlp: Language) -> None:
    caption = "Delegates leave the plenary hall on Thursday. Photograph: Jo Bloggs/Meridian Wire"
    assert steps_of(nlp, caption) == []


def test_an_awaited_event_named_by_a_noun_made_from_a_verb_is_a_step(nlp: Language) -> None:
    steps = steps_of(nlp, "The company said in its filing that it expects clearance by the end of March.")
    assert [(s.when, s.date) for s in steps] == [("by the end of March", dt.date(2027, 3, 31))]


def test_a_city_or_state_acts_through_its_government(nlp: Language) -> None:
    steps = steps_of(nlp, "The security secretary told reporters that the city would reopen a hotline for complaints.")
    assert len(steps) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Joint naval exercises planned for August were postponed indefinitely after the seizure.",
        "Its annual call for proposals, which was due to open in January, has been postponed with no new date.",
    ],
)
def test_a_plan_the_sentence_calls_off_is_no_step(nlp: Language, text: str) -> None:
    assert steps_of(nlp, text) == []


def test_a_plan_moved_to_a_new_date_still_is(nlp: Language) -> None:
    steps = steps_of(nlp, "The hearing has been postponed until 14 January.")
    assert [s.date for s in steps] == [dt.date(2027, 1, 14)]
