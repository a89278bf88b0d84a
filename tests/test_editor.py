"""The reading layer (briefing/editor.py): what a busy reader sees first, on small
hand-built briefings whose right answer is plain."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.document import Actor, ArticleBriefing, Briefing, ModelInfo, NextStep, Position, Story
from briefing.editor import (
    GLANCE_WORDS,
    MAX_NEXT,
    MAX_STANCES,
    MAX_WHO,
    STANCE_WORDS,
    calendar_uid,
    clip,
    edit,
    near_duplicates,
    short_date,
)

TODAY = dt.date(2026, 11, 27)  # a Friday


def article(**fields: object) -> ArticleBriefing:
    defaults: dict[str, object] = {
        "id": "a1",
        "title": "Bus drivers to strike in pay row",
        "source": "bus.md",
        "published": TODAY,
        "summary": "Bus drivers will strike for three days next month. The union wants 9%.",
        "words": 800,
    }
    defaults.update(fields)
    return ArticleBriefing(**defaults)  # type: ignore[arg-type]


def briefing(*articles: ArticleBriefing, stories: tuple[Story, ...] = ()) -> Briefing:
    return Briefing(
        title="Morning",
        date=TODAY,
        generated_at=dt.datetime(2026, 11, 27, 7, tzinfo=dt.timezone.utc),
        model=ModelInfo("extractive", "extractive"),
        articles=articles,
        stories=stories,
    )


def test_who_names_at_most_five_actors_most_salient_first() -> None:
    actors = tuple(Actor(f"Person {letter}", "person", role="official") for letter in "ABCDEFG")
    story = edit(briefing(article(actors=actors))).stories[0]
    assert 3 <= len(story.who) <= MAX_WHO
    assert [a.name for a in story.who] == [a.name for a in actors[: len(story.who)]]


def test_one_line_per_actor_and_the_stance_beats_colour() -> None:
    union = Actor("United Transport Workers", "organisation", ("UTW", "the union"))
    okafor = Actor("Sam Okafor", "person", ("Okafor",), "regional organiser")
    positions = (
        # Colour: an anecdote, early in the story.
        Position(
            "Sam Okafor",
            "I started driving buses in 1998",
            "“I started driving buses in 1998,” Okafor said.",
            "quote",
            "say",
        ),
        Position("United Transport Workers", "is seeking 9%", "The UTW is seeking 9%.", "stance", "seek"),
        # The stance: what he wants and warns of.
        Position(
            "Sam Okafor",
            "drivers would not accept less than 9% and would strike again in January",
            "Okafor warned that drivers would not accept less than 9% and would strike again in January.",
            "reported",
            "warn",
        ),
    )
    story = edit(briefing(article(actors=(union, okafor), positions=positions))).stories[0]
    lines = {line.speaker: line for line in story.stances}
    assert set(lines) == {"United Transport Workers", "Sam Okafor"}  # one line each
    assert lines["Sam Okafor"].text.startswith("drivers would not accept")
    assert lines["United Transport Workers"].text == "is seeking 9%"


def test_a_direct_quote_is_marked_for_quotation_marks_and_long_statements_are_clipped() -> None:
    words = " ".join(["very"] * 50)
    quote = Position("Ann Lee", f"We are {words} angry", f"“We are {words} angry,” Ann Lee said.", "quote", "say")
    story = edit(briefing(article(actors=(Actor("Ann Lee", "person"),), positions=(quote,)))).stories[0]
    (line,) = story.stances
    assert line.quoted and line.text.endswith("…") and len(line.text.split()) <= STANCE_WORDS + 1


def test_no_comment_is_not_a_stance() -> None:
    positions = (
        Position(
            "Meridian",
            "it had no further comment at this stage",
            "Meridian said it had no further comment at this stage.",
        ),
        Position(
            "Meridian", "declined to comment on the ruling", "Meridian declined to comment on the ruling.", "stance"
        ),
    )
    story = edit(briefing(article(actors=(Actor("Meridian", "organisation"),), positions=positions))).stories[0]
    assert story.stances == ()


def test_the_same_action_in_reported_and_direct_speech_is_shown_once() -> None:
    steps = (
        NextStep(
            "he intends to act swiftly on the report",
            "He said he intends to act swiftly on the report.",
            actor="Tom Hale",
        ),
        NextStep(
            "I intend to act swiftly on the report",
            "“I intend to act swiftly on the report,” he said.",
            actor="Tom Hale",
        ),
        NextStep("The board will meet", "The board will meet on Monday.", "on Monday", dt.date(2026, 11, 30), "Board"),
    )
    story = edit(briefing(article(next_steps=steps))).stories[0]
    texts = [line.step.text for line in story.next_steps]
    assert texts[0] == "The board will meet"  # dated first
    assert sum("swiftly" in text for text in texts) == 1
    assert near_duplicates(steps[0].text, steps[1].text)
    assert not near_duplicates(steps[0].text, steps[2].text)


def test_at_most_three_steps_dated_ones_first_soonest_first() -> None:
    steps = (
        NextStep("Talks could resume", "Talks could resume."),
        NextStep("Strike begins", "The strike begins on 7 December.", "on 7 December", dt.date(2026, 12, 7)),
        NextStep(
            "Cabinet discusses it", "The cabinet will discuss it on Wednesday.", "on Wednesday", dt.date(2026, 12, 2)
        ),
        NextStep("A ballot closes", "The ballot closes on 15 January.", "on 15 January", dt.date(2027, 1, 15)),
    )
    story = edit(briefing(article(words=3000, next_steps=steps))).stories[0]
    assert len(story.next_steps) <= MAX_NEXT
    assert [line.step.date for line in story.next_steps][:2] == [dt.date(2026, 12, 2), dt.date(2026, 12, 7)]
    assert story.next_steps[0].label == "Wed 2 Dec"


def test_a_stance_already_in_a_shown_step_gives_way_to_another() -> None:
    sentence = "The council will discuss the dispute on Wednesday, its leader said."
    positions = (
        Position("Council", "will discuss the dispute on Wednesday", sentence, "reported", "say"),
        Position(
            "Council",
            "the strike would hurt shoppers",
            "The council said the strike would hurt shoppers.",
            "reported",
            "say",
        ),
    )
    steps = (
        NextStep("The council will discuss the dispute", sentence, "on Wednesday", dt.date(2026, 12, 2), "Council"),
    )
    layer = edit(briefing(article(actors=(Actor("Council", "organisation"),), positions=positions, next_steps=steps)))
    assert [line.text for line in layer.stories[0].stances] == ["the strike would hurt shoppers"]


def test_glance_line_is_short_and_names_the_next_dated_step() -> None:
    steps = (NextStep("The council's cabinet will discuss the dispute", "…", "on Wednesday", dt.date(2026, 12, 2)),)
    story = edit(briefing(article(next_steps=steps))).stories[0]
    assert (
        story.glance
        == "Bus drivers to strike in pay row — next: Wed 2 Dec, the council's cabinet will discuss the dispute"
    )
    assert len(story.glance.split()) <= GLANCE_WORDS + 2  # the dash and "next:" are signs, not words
    past = (NextStep("It met", "…", "on Monday", dt.date(2026, 11, 23)),)
    assert edit(briefing(article(next_steps=past))).stories[0].glance == "Bus drivers to strike in pay row"


def test_agenda_holds_every_dated_step_grouped_from_today() -> None:
    steps = (
        NextStep("Today's vote", "a", "today", TODAY),
        NextStep("Monday meeting", "b", "on Monday", dt.date(2026, 11, 30)),
        NextStep("Ballot closes", "c", "on 15 January", dt.date(2027, 1, 15)),
        NextStep("Old hearing", "d", "on 3 March", dt.date(2026, 3, 3)),
        NextStep("Undated", "e"),
    )
    layer = edit(briefing(article(next_steps=steps)))
    assert [item.step.text for item in layer.agenda] == [
        "Old hearing",
        "Today's vote",
        "Monday meeting",
        "Ballot closes",
    ]
    groups = {group.label: [item.step.text for item in group.items] for group in layer.agenda_groups()}
    assert groups == {
        "Today": ["Today's vote"],
        "This week": ["Monday meeting"],
        "Later": ["Ballot closes"],
        "Already past": ["Old hearing"],
    }
    assert [(mark.day, mark.item.step.text) for mark in layer.timeline()] == [
        (0, "Today's vote"),
        (3, "Monday meeting"),
    ]
    assert layer.timeline_beyond() == 1


def test_whos_who_keeps_only_actors_of_two_or_more_stories() -> None:
    smith = Actor("Jane Smith", "person", ("Ms Smith",), "council leader")
    first = article(id="a", actors=(smith, Actor("Harbour Ferries", "organisation")))
    second = article(
        id="b", title="Library saved", actors=(Actor("Ms Smith", "person"), Actor("Hale Trust", "organisation"))
    )
    stories = (Story((0,), first.actors), Story((1,), second.actors))
    layer = edit(briefing(first, second, stories=stories))
    assert [(row.name, row.articles) for row in layer.whos_who] == [("Jane Smith", (1, 2))]
    assert not edit(briefing(first)).whos_who


def test_one_story_gets_the_single_layout() -> None:
    assert edit(briefing(article())).single
    assert not edit(briefing(article(id="a"), article(id="b", title="Other"))).single


def test_a_short_article_gets_a_short_layer_and_a_long_one_more() -> None:
    actors = tuple(Actor(f"Speaker {n}", "person") for n in range(6))
    positions = tuple(
        Position(
            f"Speaker {n}",
            f"the plan must change before spring number {n} says",
            f"Speaker {n} said the plan must change.",
            "reported",
            "say",
        )
        for n in range(6)
    )
    short = edit(briefing(article(words=250, actors=actors, positions=positions))).stories[0]
    long = edit(briefing(article(words=2500, actors=actors, positions=positions))).stories[0]
    assert 1 <= len(short.stances) < len(long.stances) <= MAX_STANCES


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("one two three", 5, "one two three"),
        ("one two three four five six", 3, "one two three …"),
        ("one two, three four five six", 4, "one two …"),  # ends a clause rather than cutting one
    ],
)
def test_clip(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected


def test_short_date_adds_the_year_only_when_it_differs() -> None:
    assert short_date(dt.date(2026, 12, 7), TODAY) == "Mon 7 Dec"
    assert short_date(dt.date(2027, 1, 15), TODAY) == "Fri 15 Jan 2027"


def test_calendar_uid_ignores_the_date_but_not_the_sentence() -> None:
    report = article(url="https://example.com/a")
    step = NextStep("Strike", "The strike begins on 7 December.", "on 7 December", dt.date(2026, 12, 7))
    moved = NextStep("Strike", "The strike begins on 7 December.", "on 7 December", dt.date(2026, 12, 8))
    other = NextStep("Strike", "The strike begins on 9 December.", "on 9 December", dt.date(2026, 12, 9))
    assert calendar_uid(report, step) == calendar_uid(report, moved) != calendar_uid(report, other)
