"""Story grouping on samples made for it: three outlets reporting one event
(a dock strike) plus two unrelated articles (another strike, a museum) give
exactly three stories, and the story merges actors, positions and sources."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from briefing.cli import main
from briefing.stories import group

STORIES = Path(__file__).parent / "data" / "stories"


def test_three_outlets_on_one_event_plus_two_unrelated_make_three_stories(tmp_path: Path) -> None:
    out = tmp_path / "b.md"
    result = CliRunner().invoke(
        main,
        [
            "daily",
            str(STORIES),
            "--model",
            "extractive",
            "--date",
            "2026-11-23",
            "--detail",
            "full",
            "-o",
            str(out),
            "-o",
            str(tmp_path / "b.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    markdown = out.read_text()
    assert "3 stories from 5 articles" in markdown
    # The dock strike leads (three sources) and lists every source, in the reading layer
    # and in the detail section.
    reading, detail = markdown.split("\n# Detail\n")
    first = reading.split("\n## 1. ")[1].split("\n## 2. ")[0]
    assert "3 reports: " in first
    first_detail = detail.split("\n## 1. ")[1].split("\n## 2. ")[0]
    for name in ("1-herald-port-strike.txt", "2-gazette-port-strike.md", "3-wire-port-strike.json"):
        assert name in first_detail
    assert "1-herald-port-strike.txt" in first and "2-gazette-port-strike.md" in first and "wire.example" in first
    # Actors merged across the three reports: each once.
    actors = first_detail.split("### Actors")[1].split("### Positions")[0]
    assert actors.count("**Dana Whitlock**") == 1 and actors.count("**Victor Ames**") == 1
    # JSON keeps one entry per article (its shape is pinned).
    assert len(json.loads((tmp_path / "b.json").read_text())["articles"]) == 5


def test_samples_about_different_events_stay_apart(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["daily", "samples/articles/", "--model", "extractive", "-o", str(tmp_path / "b.md")]
    )
    assert result.exit_code == 0
    assert "8 stories from 8 articles" in (tmp_path / "b.md").read_text()


def test_grouping_is_transitive_and_keeps_first_seen_order() -> None:
    similarity = [
        [1.0, 0.5, 0.0, 0.0],
        [0.5, 1.0, 0.0, 0.4],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.4, 0.0, 1.0],
    ]
    assert group(similarity, threshold=0.3) == [[0, 1, 3], [2]]


def test_whos_who_lists_actors_of_two_stories_with_their_numbers(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Council row\n\nCouncil leader Jane Smith said the budget was fair. "
        "Council leader Jane Smith will meet unions on Tuesday. The Northtown Council voted on the budget.\n"
    )
    (tmp_path / "b.txt").write_text(
        "Budget row deepens\n\nCouncil leader Jane Smith said the budget was fair and balanced. "
        "The Northtown Council voted on the budget on Monday. Ms Smith will meet unions on Tuesday.\n"
    )
    (tmp_path / "c.txt").write_text(
        "Library saved\n\nThe Westbury Library will stay open after a donation from the Hale Trust, "
        "its director Omar Reid said. Readers and volunteers cheered. Jane Smith said she welcomed the gift.\n"
    )
    (tmp_path / "d.txt").write_text(
        "Ferry timetable cut\n\nHarbour Ferries will run fewer boats this winter, its chief executive "
        "Lena Park said. Ms Park said passengers would be told of the changes by letter.\n"
    )
    out = tmp_path / "b.md"
    result = CliRunner().invoke(main, ["daily", str(tmp_path), "--model", "extractive", "-o", str(out)])
    assert result.exit_code == 0, result.output
    markdown = out.read_text()
    assert "3 stories from 4 articles" in markdown
    whos_who = markdown.split("## Who's who\n")[1].split("\n## ")[0]
    # Only the actor in two stories is listed; the story numbers follow the reading order.
    assert whos_who.strip().splitlines() == ["- **Jane Smith**, Council leader: stories 1, 2"]
    assert markdown.index("## The day at a glance") < markdown.index("## Who's who") < markdown.index("## 1. ")
