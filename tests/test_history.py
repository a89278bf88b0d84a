"""The story history (history.py) and what it makes of stories across days
(continuity.py): storage, what is new, what falls due; the 3-day runs through the
command line are in test_days.py."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from briefing.continuity import EarlierStory, KnownStep, due_steps, whats_new
from briefing.document import (
    Actor,
    ArticleBriefing,
    Briefing,
    Continuity,
    ModelInfo,
    NextStep,
    Position,
    Story,
)
from briefing.history import History

MON, TUE, WED = dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 25)
STRIKE_STEP = NextStep(
    "cabinet discusses the dispute", "The cabinet will discuss the dispute on Tuesday.", "on Tuesday", TUE
)
OKAFOR = Position("Dana Okafor", "the offer was an insult", "Dana Okafor said the offer was an insult.")


def briefing_of(day: dt.date, *articles: ArticleBriefing, ids: tuple[str, ...] = ()) -> Briefing:
    stories = tuple(Story((i,), a.actors, a.positions, a.next_steps) for i, a in enumerate(articles))
    continuity = Continuity(story_ids=ids, first_seen=tuple(day for _ in ids)) if ids else Continuity()
    return Briefing(
        "Daily",
        day,
        dt.datetime(2026, 1, 1),
        ModelInfo("extractive", "extractive"),
        articles,
        stories=stories,
        continuity=continuity,
    )


def strike_article(day: dt.date, positions=(OKAFOR,), steps=(STRIKE_STEP,)) -> ArticleBriefing:  # type: ignore[no-untyped-def]
    return ArticleBriefing(
        id=f"strike-{day}",
        title="Bus drivers strike",
        source="strike.txt",
        published=day,
        summary="Bus drivers walked out.",
        url=f"https://news.example/strike-{day}",
        actors=(Actor("Dana Okafor", "person", role="union secretary"), Actor("Harwick Buses", "organisation")),
        positions=tuple(positions),
        next_steps=tuple(steps),
    )


def test_a_recorded_briefing_comes_back_as_an_earlier_story() -> None:
    with History() as history:
        history.record(briefing_of(MON, strike_article(MON), ids=("s-1",)), ["Bus drivers strike in Harwick."])
        [story] = history.earlier_stories(TUE, window_days=14)
        assert history.earlier_stories(MON, window_days=14) == []  # not its own day
        assert history.previous_briefing(WED) == MON
    assert (story.id, story.first_seen, story.last_seen, story.days) == ("s-1", MON, MON, 1)
    assert story.headline == "Bus drivers strike"
    assert "dana okafor" in story.actor_keys
    assert story.positions == (Position("Dana Okafor", OKAFOR.statement, OKAFOR.evidence),)
    assert [(k.step.text, k.step.date, k.announced) for k in story.steps] == [(STRIKE_STEP.text, TUE, MON)]


def test_recording_a_date_again_replaces_it_and_the_window_bounds_what_continues() -> None:
    with History() as history:
        history.record(briefing_of(MON, strike_article(MON), ids=("s-1",)), ["text"])
        history.record(briefing_of(MON, strike_article(MON), ids=("s-2",)), ["text"])  # a re-run of Monday
        assert [s.id for s in history.earlier_stories(TUE, 14)] == ["s-2"]
        assert history.earlier_stories(MON + dt.timedelta(days=20), 14) == []
        assert history.dates() == [MON]


def test_clear_before_a_date_and_clear_all() -> None:
    with History() as history:
        history.record(briefing_of(MON, strike_article(MON), ids=("s-1",)), ["text"])
        history.record(briefing_of(WED, strike_article(WED), ids=("s-1",)), ["text"])
        assert history.clear(before=TUE) == 1
        assert history.dates() == [WED]
        [story] = history.earlier_stories(WED + dt.timedelta(days=1), 14)
        assert story.first_seen == WED  # its first day went with Monday
        assert history.clear() == 1
        assert history.dates() == []


def test_a_failed_record_leaves_the_history_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    with History() as history:
        history.record(briefing_of(MON, strike_article(MON), ids=("s-1",)), ["text"])
        broken = briefing_of(TUE, strike_article(TUE), strike_article(WED), ids=("s-1", "s-3"))
        with pytest.raises(Exception):  # noqa: B017 (the point is what it leaves behind)
            history.record(broken, ["text"])  # one text for two articles: fails half-way through
        assert history.dates() == [MON]


def test_a_history_from_a_newer_version_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "history.sqlite3"
    sqlite3.connect(path).execute("PRAGMA user_version = 99")
    with pytest.raises(Exception, match="newer version"):
        History(path)


def earlier(**changes) -> EarlierStory:  # type: ignore[no-untyped-def]
    values = dict(
        id="s-1",
        first_seen=MON,
        last_seen=MON,
        days=1,
        headline="Bus drivers strike",
        profile="Harwick bus drivers strike over pay; the Transport Workers' Union and Harwick Buses.",
        actor_keys=frozenset({"dana okafor", "harwick buses"}),
        positions=(OKAFOR,),
        steps=(KnownStep(STRIKE_STEP, MON),),
    )
    values.update(changes)
    return EarlierStory(**values)  # type: ignore[arg-type]


def test_whats_new_keeps_new_voices_changed_stances_new_steps_and_steps_now_past() -> None:
    mayor = Position("Ruth Ellison", "both sides should return to talks", "Ruth Ellison urged both sides to talk.")
    changed = Position("Dana Okafor", "the union will ballot on a new offer", "Okafor said members would vote.")
    vote = NextStep("members vote on the offer", "Members will vote on Friday.", "on Friday", dt.date(2026, 11, 27))
    story = Story((0,), (), (OKAFOR, mayor, changed), (STRIKE_STEP, vote))
    new = whats_new(story, earlier(), WED)
    assert new.day == 2 and new.previous_date == MON and new.previously == "Bus drivers strike"
    assert new.new_positions == (mayor, changed) and new.new_voices == ("Ruth Ellison",)
    assert new.new_steps == (vote,)
    assert new.past_steps == (STRIKE_STEP,)  # dated Tuesday, between the last briefing and today


def test_due_steps_today_this_week_and_was_due_once() -> None:
    friday = NextStep("vote on the offer", "Members will vote on Friday.", "on Friday", dt.date(2026, 11, 27))
    later = NextStep("hearing", "A hearing is set for 20 December.", "20 December", dt.date(2026, 12, 20))
    story = earlier(steps=(KnownStep(STRIKE_STEP, MON), KnownStep(friday, MON), KnownStep(later, MON)))
    candidates = [(story, known) for known in story.steps]
    on_tuesday = due_steps(candidates, TUE, MON, set(), [])
    assert [(d.step.text, d.status) for d in on_tuesday] == [(STRIKE_STEP.text, "due"), (friday.text, "due")]
    on_wednesday = due_steps(candidates, WED, MON, set(), [])
    assert [(d.step.text, d.status) for d in on_wednesday] == [(STRIKE_STEP.text, "was due"), (friday.text, "due")]
    # Listed once: the next briefing after Wednesday no longer shows Tuesday's step.
    assert [d.status for d in due_steps(candidates, dt.date(2026, 11, 26), WED, set(), [])] == ["due"]
    # The story is back today: its own section says the step is past.
    assert [d.step.text for d in due_steps(candidates, WED, MON, {"s-1"}, [])] == [friday.text]
    # Today's article repeats Friday's vote: it is on today's agenda already.
    assert [d.step.text for d in due_steps(candidates, WED, MON, set(), [friday])] == [STRIKE_STEP.text]
