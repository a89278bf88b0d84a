"""resolve_date and find_time_expression: relative days, calendar dates, deadlines, and never guessing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from briefing.nlp.dates import find_time_expression, resolve_date, time_expressions
from briefing.nlp.spacy_model import load_nlp

FRIDAY = dt.date(2026, 11, 27)
TUESDAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("on Monday", dt.date(2026, 11, 30)),
        ("on Tuesday", dt.date(2026, 12, 1)),
        ("on Wednesday", dt.date(2026, 12, 2)),
        ("Thursday", dt.date(2026, 12, 3)),
        ("on Friday", FRIDAY),  # the anchor's own weekday: the anchor day itself
        ("on Saturday", dt.date(2026, 11, 28)),
        ("On Sunday", dt.date(2026, 11, 29)),
        ("on Tuesday morning", dt.date(2026, 12, 1)),
        ("this Friday", FRIDAY),
        ("next Friday", dt.date(2026, 12, 4)),  # "next" is strictly after the anchor
        ("next Tuesday", dt.date(2026, 12, 1)),  # across the month end
        ("the coming Monday", dt.date(2026, 11, 30)),
        ("last Tuesday", dt.date(2026, 11, 24)),
    ],
)
def test_weekdays_from_a_friday(expression: str, expected: dt.date) -> None:
    assert resolve_date(expression, FRIDAY) == expected


@pytest.mark.parametrize(
    ("expression", "anchor", "expected"),
    [
        ("next Monday", dt.date(2026, 12, 30), dt.date(2027, 1, 4)),  # across the year end
        ("on Tuesday", TUESDAY, TUESDAY),
        ("this Tuesday", TUESDAY, TUESDAY),
        ("next Tuesday", TUESDAY, dt.date(2026, 12, 8)),
        ("tomorrow", FRIDAY, dt.date(2026, 11, 28)),
        ("tomorrow", dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
        ("today", FRIDAY, FRIDAY),
        ("tonight", FRIDAY, FRIDAY),
        ("later today", FRIDAY, FRIDAY),
        ("this afternoon", FRIDAY, FRIDAY),
        ("yesterday", FRIDAY, dt.date(2026, 11, 26)),
    ],
)
def test_relative_days(expression: str, anchor: dt.date, expected: dt.date) -> None:
    assert resolve_date(expression, anchor) == expected


@pytest.mark.parametrize(
    ("expression", "anchor", "expected"),
    [
        ("on 3 March", dt.date(2026, 2, 1), dt.date(2026, 3, 3)),
        ("on 3 March", FRIDAY, dt.date(2027, 3, 3)),  # long past this year: next year's
        ("on 20 November", FRIDAY, dt.date(2026, 11, 20)),  # a few days back: this year's, not next
        ("on 10 November", FRIDAY, dt.date(2027, 11, 10)),
        ("on 3 January", dt.date(2026, 12, 30), dt.date(2027, 1, 3)),
        ("28 December", dt.date(2027, 1, 2), dt.date(2026, 12, 28)),
        ("7 December", FRIDAY, dt.date(2026, 12, 7)),
        ("March 3", dt.date(2026, 2, 1), dt.date(2026, 3, 3)),
        ("the 3rd of March", dt.date(2026, 2, 1), dt.date(2026, 3, 3)),
        ("Tuesday 3 March", dt.date(2026, 2, 1), dt.date(2026, 3, 3)),
        ("on 7, 8 and 9 December", FRIDAY, dt.date(2026, 12, 7)),  # a run of days starts on the first
        ("until 10 July", dt.date(2026, 6, 12), dt.date(2026, 7, 10)),
        ("7 December 2026", FRIDAY, dt.date(2026, 12, 7)),
        ("December 7, 2027", FRIDAY, dt.date(2027, 12, 7)),
        ("07/12/2026", FRIDAY, dt.date(2026, 12, 7)),  # day first, as in British copy
        ("2026-12-07", FRIDAY, dt.date(2026, 12, 7)),
        ("29 February", dt.date(2027, 1, 10), dt.date(2028, 2, 29)),
    ],
)
def test_calendar_dates(expression: str, anchor: dt.date, expected: dt.date) -> None:
    assert resolve_date(expression, anchor) == expected


@pytest.mark.parametrize(
    ("expression", "anchor", "expected"),
    [
        ("by the end of the month", FRIDAY, dt.date(2026, 11, 30)),
        ("by the end of the month", dt.date(2028, 2, 10), dt.date(2028, 2, 29)),
        ("end of next month", dt.date(2026, 12, 15), dt.date(2027, 1, 31)),
        ("by the end of June", dt.date(2026, 4, 30), dt.date(2026, 6, 30)),
        ("by the end of February", dt.date(2026, 12, 2), dt.date(2027, 2, 28)),  # not the next leap year
        ("by the end of February", dt.date(2027, 12, 2), dt.date(2028, 2, 29)),
        ("by the end of the year", FRIDAY, dt.date(2026, 12, 31)),
        ("within 28 days", FRIDAY, dt.date(2026, 12, 25)),
        ("in 28 days", FRIDAY, dt.date(2026, 12, 25)),
        ("in two weeks", FRIDAY, dt.date(2026, 12, 11)),
        ("in two weeks’ time", FRIDAY, dt.date(2026, 12, 11)),
        ("in a fortnight", FRIDAY, dt.date(2026, 12, 11)),
        ("ten days from now", FRIDAY, dt.date(2026, 12, 7)),
    ],
)
def test_deadlines_and_counts(expression: str, anchor: dt.date, expected: dt.date) -> None:
    assert resolve_date(expression, anchor) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "next week",
        "later this week",
        "this month",
        "next month",
        "in June",
        "from April",
        "later this year",
        "in the spring",
        "next spring",
        "in the coming weeks",
        "during 2029",
        "six weeks",  # a duration, not a date
        "by the end of the week",  # Friday or Sunday?
        "after Tuesday",
        "31 June",
        "soon",
        "",
    ],
)
def test_not_a_single_day_is_never_guessed(expression: str) -> None:
    assert resolve_date(expression, FRIDAY) is None


@pytest.mark.parametrize("expression", ["on Tuesday", "next Tuesday", "tomorrow", "on 3 March", "within 28 days",
                                        "by the end of the month"])  # fmt: skip
def test_without_an_anchor_relative_expressions_resolve_to_none(expression: str) -> None:
    assert resolve_date(expression, None) is None


def test_without_an_anchor_an_explicit_year_still_resolves() -> None:
    assert resolve_date("7 December 2026", None) == dt.date(2026, 12, 7)


@settings(max_examples=200, deadline=None)
@given(expression=st.text(max_size=40), anchor=st.one_of(st.none(), st.dates()))
def test_resolve_date_never_raises(expression: str, anchor: dt.date | None) -> None:
    assert resolve_date(expression, anchor) is None or isinstance(resolve_date(expression, anchor), dt.date)


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(st.sampled_from(["on", "by", "next", "the", "end", "of", "in", "within", "3", "31", "March",
                                    "Tuesday", "days", "weeks", "2026", "9999", "tomorrow", "month", ","]),
                   max_size=6),
    anchor=st.one_of(st.none(), st.dates()),
)  # fmt: skip
def test_resolve_date_never_raises_on_date_like_words(words: list[str], anchor: dt.date | None) -> None:
    result = resolve_date(" ".join(words), anchor)
    assert result is None or isinstance(result, dt.date)


# --- finding the expression in a sentence ---


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The council will meet on Tuesday to discuss the plan.", "on Tuesday"),
        ("The minister will meet union leaders next week.", "next week"),
        ("The review body is expected to publish its report by the end of the month.", "by the end of the month"),
        ("The vote takes place in June.", "in June"),
        ("Members voted to strike on 7, 8 and 9 December.", "on 7, 8 and 9 December"),
        ("The union said on Thursday that it would strike later this week.", "later this week"),
        ("Talks could resume as early as next week.", "as early as next week"),
        ("The regulator will publish its findings within six weeks.", "within six weeks"),
        ("The strike in 2024 lasted two days.", None),
        ("He said he had spoken to the minister on Thursday.", None),
        ("Inflation peaked two years ago.", None),
        ("Shares fell sharply.", None),
    ],
)
def test_find_time_expression(nlp: Language, sentence: str, expected: str | None) -> None:
    sent = next(iter(nlp(sentence).sents))
    found = find_time_expression(sent)
    assert found == expected
    if found is not None:
        assert found in sentence


def test_time_expressions_ignore_the_modal_may_and_possessive_days(nlp: Language) -> None:
    doc = nlp("Talks may resume after Wednesday's meeting, and the report is due in May.")
    assert [e.text for e in time_expressions(doc[:])] == ["in May"]
