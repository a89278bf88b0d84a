"""Time expressions in news sentences, and the calendar day they name.

Two jobs: find the time expression as written ("on Tuesday", "by the end of the month")
and turn it into an ISO date relative to the article's publication date (the anchor).
The rule throughout is never to guess: an expression that does not name a single day
("next week", "in June", "later this year") resolves to None.

Conventions (news copy points forward, so bare weekdays do too):
- "Tuesday" / "on Tuesday" / "this Tuesday": the anchor itself if it is a Tuesday, else the next Tuesday.
- "next Tuesday" / "the coming Tuesday": the first Tuesday strictly after the anchor.
- "3 March" without a year: the earliest 3 March that is no more than a week before the anchor.
- Deadlines ("by", "until", "before" a day) resolve to that day; "within 28 days" / "in two weeks" to anchor + N days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
# A day-month date a little in the past is still "this year's" (a report of a recent event);
# further back than this, a future action must mean next year's.
RECENT_PAST = dt.timedelta(days=7)
# Words that make an expression look back in time: such expressions never date a next step.
PAST_MARKERS = re.compile(r"\b(?:last|ago|yesterday|earlier|previous|previously|past|since|recent)\b", re.I)

# --- the surface grammar of time expressions (months are case-sensitive so the modal "may" never matches) ---
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = (
    r"(?-i:(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"|(?:Jan|Feb|Sept?|Oct|Nov|Dec)\.?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DAYS = rf"{_DAY}(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*[-–]\s*|\s+to\s+){_DAY})*"
_YEAR = r"(?:19|20)\d{2}(?!\d|,\d)"
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night|lunchtime))?"
_PERIOD = r"(?:week|weekend|month|year|spring|summer|autumn|fall|winter|term|quarter|session|season)"
_SEASON = r"(?:spring|summer|autumn|winter)"
_HOLIDAY = r"(?-i:Christmas(?:\s+(?:Day|Eve))?|Boxing\s+Day|New\s+Year['’]s\s+(?:Day|Eve)|Easter)"
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several|couple\s+of)"
_CORE = "|".join(
    (
        rf"{_WEEKDAY},?\s+(?:the\s+)?{_DAYS}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?",
        rf"{_WEEKDAY},?\s+{_MONTH}\s+{_DAYS}(?:,?\s+{_YEAR})?",
        rf"(?:the\s+)?{_DAYS}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?",
        rf"{_MONTH}\s+{_DAYS}(?:,?\s+{_YEAR})?",
        rf"(?:the\s+)?(?:end|start|beginning|middle|close)\s+of\s+(?:(?:the|this|next|last)\s+)?"
        rf"(?:{_PERIOD}|{_MONTH})(?:\s+{_YEAR})?",
        rf"(?:the\s+)?(?:first|second|third|fourth|last|final)\s+(?:half|quarter|week)\s+of\s+"
        rf"(?:(?:the|this|next|last)\s+)?(?:year|month|{_MONTH}|{_YEAR})",
        rf"(?:(?:this|next|last|the\s+coming|this\s+coming|the\s+following)\s+)?{_WEEKDAY}{_PART_OF_DAY}",
        r"(?:the\s+day\s+after\s+)?(?:today|tonight|tomorrow|yesterday)" + _PART_OF_DAY,
        r"this\s+(?:morning|afternoon|evening)",
        rf"(?:later|earlier)\s+in\s+the\s+{_PERIOD}",
        rf"(?:(?:later|earlier)\s+)?(?:this|next|last|the\s+coming|the\s+following)\s+{_PERIOD}",
        rf"(?:the\s+)?(?:coming|next|past|last|following)\s+(?:{_COUNT}\s+)?(?:days|weeks|months|years)",
        rf"{_COUNT}\s+(?:days?|weeks?|months?|years?)\s+ago",
        rf"(?:{_COUNT}\s+)?(?:days?|weeks?|months?|years?|fortnight)(?:['’]s?)?\s+time",
        rf"(?:the\s+)?{_SEASON}(?:\s+of)?\s+{_YEAR}|the\s+{_SEASON}",
        rf"(?:(?:early|late|mid)[\s-]+)?{_MONTH}(?:\s+{_YEAR})?",
        rf"(?:(?:early|late|mid)[\s-]+)?{_YEAR}",
        rf"{_HOLIDAY}",
        r"the\s+new\s+year",
    )
)
_LEAD = (
    r"(?:on|by|for|from|until|till|before|after|in|within|during|at|over|since|through|throughout|as\s+of|"
    r"no\s+later\s+than|as\s+early\s+as|starting|beginning|around|later|early|late|sometime|some\s+time)"
)
# A bare month, year or count needs a preposition before it ("in April", "within six weeks"):
# on its own it is too often something else ("Theresa May", "2,000", "six weeks of pay").
_NEEDS_LEAD = re.compile(rf"^(?:(?:early|late|mid)\s+)?(?:{_MONTH}(?:\s+{_YEAR})?|{_YEAR}|{_HOLIDAY})$")
_COUNTED = rf"(?:{_COUNT}|the\s+next\s+{_COUNT}|the\s+next)\s+(?:hours?|days?|weeks?|months?|years?|fortnight)"
# Vague or recurring, never a date, but a "when" all the same: "within days", "every six months", "in due course".
_VAGUE = (
    r"(?:within|in)\s+(?:hours|days|weeks|months)|every\s+{c}\s+(?:days|weeks|months|years)|in\s+due\s+course"
    r"|within\s+the\s+(?:week|month|year)|(?:in|over|within)\s+the\s+coming\s+(?:days|weeks|months)"
)
TIME_EXPRESSION = re.compile(
    rf"\b(?:(?:{_LEAD}\s+)?(?:{_CORE})|(?:within|in)\s+{_COUNTED}|a\s+fortnight|{_COUNTED}\s+from\s+now|"
    rf"{_VAGUE.format(c=_COUNT)})\b",
    re.I,
)


@dataclass(frozen=True)
class TimeExpression:
    text: str  # as written, a substring of the sentence
    span: Span  # the tokens it covers

    @property
    def looks_back(self) -> bool:
        return bool(PAST_MARKERS.search(self.text))

    @property
    def governors(self) -> list[Token]:
        """Tokens outside the expression that its tokens attach to (normally one: the verb or noun it modifies)."""
        inside = range(self.span.start, self.span.end)
        return [token.head for token in self.span if token.head.i not in inside]

    @property
    def in_past_clause(self) -> bool:
        """Whether it dates a past-tense verb: "the union said on Thursday", "after it received the report"."""
        return any(_is_past_verb(token) for token in self.governors)


def time_expressions(sent: Span) -> list[TimeExpression]:
    """Every time expression in the sentence, left to right, longest match first."""
    found = []
    for match in TIME_EXPRESSION.finditer(sent.text):
        text = match.group(0)
        # "Wednesday's meeting", "Today's decision": the day qualifies a noun, it does not date an action.
        if _NEEDS_LEAD.match(text) or re.match(r"['’]s\b", sent.text[match.end() :]):
            continue
        start = sent.start_char + match.start()
        span = sent.doc.char_span(start, start + len(text), alignment_mode="expand")
        if span is not None and len(span):
            found.append(TimeExpression(text, span))
    return found


def find_time_expression(sent: Span) -> str | None:
    """The time expression in the sentence that dates its future action, as written, or None.

    The date of the first future action next_steps finds in the sentence; in a sentence without one, the
    first expression that neither looks back ("last year", "two days ago") nor hangs off a past-tense verb
    ("the union said on Thursday").
    """
    from briefing.nlp.next_steps import future_actions  # late: next_steps builds on this module

    actions = future_actions(sent, None)
    if actions:
        return next((action.time.text for action in actions if action.time is not None), None)
    for expression in time_expressions(sent):
        if not expression.looks_back and not expression.in_past_clause:
            return expression.text
    return None


def _is_past_verb(token: Token) -> bool:
    # Walk from a noun up to the verb it belongs to: "the meeting on Sunday" is as past as its clause.
    while token.pos_ in ("NOUN", "PROPN", "ADP", "NUM") and token.head != token:
        token = token.head
    auxiliaries = {child.lower_ for child in token.children if child.dep_ in ("aux", "auxpass")}
    if auxiliaries & {"will", "shall", "would", "could", "may", "might", "'ll", "to"}:
        return False
    if token.tag_ == "VBD":
        return True
    return token.tag_ == "VBN" and bool(auxiliaries & {"had", "has", "have", "was", "were", "been"})


# --- resolving an expression to a calendar day ---

_PREFIX = re.compile(
    r"^(?:(on|by|for|from|until|till|before|after|in|within|during|at|over|since|through|throughout|as of|"
    r"no later than|as early as|starting|beginning|around|about|sometime|some time|later|early|late)\s+)"
)
# Holidays on a fixed day ("Christmas" alone is a season, and Easter moves).
FIXED_HOLIDAYS = {
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "boxing day": (12, 26),
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
}
# Prefixes after which the named day is not the day of the action: never guess.
_VAGUE_PREFIXES = {
    "after",
    "since",
    "over",
    "through",
    "throughout",
    "around",
    "about",
    "sometime",
    "some time",
    "early",
    "late",
    "during",
}
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_MORE_DAYS = r"(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*[-–]\s*|\s+to\s+)\d{1,2}(?:st|nd|rd|th)?)*"
_MONTH_WORD = r"([a-z]+)\.?"
_DAY_MONTH = re.compile(rf"^(?:the\s+)?{_ORDINAL}{_MORE_DAYS}\s+(?:of\s+)?{_MONTH_WORD}(?:,?\s+(\d{{4}}))?$")
_MONTH_DAY = re.compile(rf"^{_MONTH_WORD}\s+{_ORDINAL}{_MORE_DAYS}(?:,?\s+(\d{{4}}))?$")
_WEEKDAY_FIRST = re.compile(
    rf"^(?:(this|next|the coming|this coming|coming|the following|last)\s+)?"
    rf"({_WEEKDAY}){_PART_OF_DAY}$"
)
_WEEKDAY_AND_DATE = re.compile(rf"^{_WEEKDAY},?\s+(.+)$")
_END_OF = re.compile(r"^(?:the\s+)?end\s+of\s+(?:(the|this|next)\s+)?([a-z]+)(?:\s+(\d{4}))?$")
_NUMBER = rf"(\d+|{'|'.join(NUMBER_WORDS)})"
_COUNT_OF = re.compile(rf"^(?:the\s+next\s+)?{_NUMBER}\s+(days?|weeks?|fortnight)(?:['’]s?)?(?:\s+time)?$")


def resolve_date(expression: str, anchor: dt.date | None) -> dt.date | None:
    """ISO date for a time expression as written, relative to anchor; None if not derivable (see module notes)."""
    try:
        return _resolve(expression, anchor)
    except (ValueError, OverflowError):  # an impossible day ("31 June") or a date past year 9999
        return None


def _resolve(expression: str, anchor: dt.date | None) -> dt.date | None:
    text = " ".join(expression.lower().replace("’", "'").strip(" \t\n.,;:()\"'“”").split())
    prefixes = []
    while match := _PREFIX.match(text):
        prefixes.append(match.group(1))
        text = text[match.end() :]
    if _VAGUE_PREFIXES.intersection(prefixes):
        return None
    if match := _COUNT_OF.match(text):
        # A count of days is a date only as "in/within N days" or "N days' time", never a bare duration.
        counted = bool({"in", "within"}.intersection(prefixes)) or text.endswith("time")
        return _after_count(match.group(1), match.group(2), anchor) if counted else None
    if text.endswith(" from now"):
        return _resolve(f"in {text.removesuffix(' from now')}", anchor)
    return _relative_day(text, anchor) or _weekday(text, anchor) or _calendar_date(text, anchor)


def _relative_day(text: str, anchor: dt.date | None) -> dt.date | None:
    if anchor is None:
        return None
    text = re.sub(r"^this\s+(?:morning|afternoon|evening)$", "today", text)
    text = re.sub(r"\s+(?:morning|afternoon|evening|night|lunchtime)$", "", text)
    offsets = {
        "today": 0,
        "tonight": 0,
        "the end of the day": 0,
        "end of the day": 0,
        "tomorrow": 1,
        "the day after tomorrow": 2,
        "yesterday": -1,
    }
    return anchor + dt.timedelta(days=offsets[text]) if text in offsets else None


def _weekday(text: str, anchor: dt.date | None) -> dt.date | None:
    match = _WEEKDAY_FIRST.match(text)
    if match is None or anchor is None:
        return None
    qualifier, target = match.group(1), WEEKDAYS.index(match.group(2))
    ahead = (target - anchor.weekday()) % 7
    if qualifier == "last":
        return anchor - dt.timedelta(days=(anchor.weekday() - target) % 7 or 7)
    if qualifier in ("next", "the coming", "this coming", "coming", "the following"):
        ahead = ahead or 7  # strictly after the anchor
    return anchor + dt.timedelta(days=ahead)


def _calendar_date(text: str, anchor: dt.date | None) -> dt.date | None:
    if match := _WEEKDAY_AND_DATE.match(text):
        text = match.group(1)  # "Tuesday 3 March": the date decides
    if text in FIXED_HOLIDAYS:
        month, day = FIXED_HOLIDAYS[text]
        return _day_in_year(day, month, None, anchor)
    if match := _DAY_MONTH.match(text):
        day, month, year = match.group(1), _month_number(match.group(2)), match.group(3)
        return _day_in_year(int(day), month, year, anchor) if month else None
    if match := _MONTH_DAY.match(text):
        month, day, year = _month_number(match.group(1)), match.group(2), match.group(3)
        return _day_in_year(int(day), month, year, anchor) if month else None
    if match := _END_OF.match(text):
        return _end_of(match.group(1), match.group(2), match.group(3), anchor)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{4}", text):
        return _parse_with_dateparser(text, anchor)
    return None


def _month_number(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return MONTH_ABBREVIATIONS.get(word)


def _day_in_year(day: int, month: int, year: str | None, anchor: dt.date | None) -> dt.date | None:
    if year is not None:
        return dt.date(int(year), month, day)
    if anchor is None:
        return None
    earliest = anchor - RECENT_PAST
    for candidate_year in range(anchor.year - 1, anchor.year + 9):  # up to 8 years ahead: 29 February
        try:
            candidate = dt.date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= earliest:
            return candidate
    return None


def _end_of(qualifier: str | None, period: str, year: str | None, anchor: dt.date | None) -> dt.date | None:
    if period in ("month", "year") and year is None:
        if anchor is None:
            return None
        if period == "year":
            return dt.date(anchor.year + (qualifier == "next"), 12, 31)
        first = anchor.replace(day=1)
        if qualifier == "next":
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return _last_day(first.year, first.month)
    month = _month_number(period)
    if month is None or qualifier is not None:
        return None  # "the end of the week": Friday or Sunday? Not a single day.
    if year is not None:
        return _last_day(int(year), month)
    # Which year by the 28th, a day every month has: by the 29th, "the end of February"
    # would skip to the next leap year.
    last = _day_in_year(28, month, None, anchor)
    return _last_day(last.year, month) if last else None


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _after_count(count: str, unit: str, anchor: dt.date | None) -> dt.date | None:
    number = int(count) if count.isdigit() else NUMBER_WORDS.get(count)
    if number is None or anchor is None:
        return None
    days = 14 if unit == "fortnight" else number * (7 if unit.startswith("week") else 1)
    return anchor + dt.timedelta(days=days)


def _parse_with_dateparser(text: str, anchor: dt.date | None) -> dt.date | None:
    """Numeric dates ("07/12/2026", day first as in British copy); dateparser knows the formats."""
    import dateparser  # imported late: it takes a moment to load and most expressions never need it

    base = dt.datetime.combine(anchor or dt.date.today(), dt.time())
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    if parsed is None:
        return None
    # dateparser is lenient: trust it only when every part of the date it read is a number written in the text.
    numbers = {int(number) for number in re.findall(r"\d+", text)}
    return parsed.date() if {parsed.day, parsed.month, parsed.year} <= numbers else None
