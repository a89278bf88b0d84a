"""`-o agenda.ics`: the dated next steps as an iCalendar file that parses, holds
exactly those steps, and keeps each event's UID from one run to the next."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from briefing.cli import main


def brief(tmp_path: Path, name: str) -> tuple[Path, dict]:  # type: ignore[type-arg]
    calendar, briefing = tmp_path / f"{name}.ics", tmp_path / f"{name}.json"
    args = [
        "daily",
        "samples/articles/",
        "--model",
        "extractive",
        "--date",
        "2026-11-27",
        "-o",
        str(calendar),
        "-o",
        str(briefing),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return calendar, json.loads(briefing.read_text(encoding="utf-8"))


def events(path: Path) -> list:  # type: ignore[type-arg]
    from icalendar import Calendar

    return list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def test_the_calendar_holds_every_dated_next_step_once(tmp_path: Path) -> None:
    calendar, data = brief(tmp_path, "first")
    dated = {
        (step["date"], " ".join(step["evidence"].split()))
        for article in data["articles"]
        for step in article["next_steps"]
        if step["date"]
    }
    found = events(calendar)
    assert len(dated) >= 20  # the samples have plenty
    assert {
        (str(e.decoded("dtstart")), " ".join(str(e["description"]).split("\n\n")[0].split())) for e in found
    } == dated
    assert len(found) == len(dated)
    for event in found:
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)  # all-day
        assert "Story: " in str(event["description"]) and "Source" in str(event["description"])
    # The agenda in the JSON is the same list, with the same UIDs.
    assert sorted(item["uid"] for item in data["agenda"]) == sorted(str(e["uid"]) for e in found)


def test_uids_are_stable_across_runs(tmp_path: Path) -> None:
    first, _ = brief(tmp_path, "first")
    second, _ = brief(tmp_path, "second")
    uids = [sorted(str(e["uid"]) for e in events(path)) for path in (first, second)]
    assert uids[0] == uids[1] and len(set(uids[0])) == len(uids[0])


def test_format_ics_prints_the_calendar() -> None:
    result = CliRunner().invoke(main, ["daily", "samples/articles/bus-strike.md", "--model", "extractive", "-f", "ics"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("BEGIN:VCALENDAR") and "DTSTART;VALUE=DATE:" in result.stdout
