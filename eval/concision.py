"""Is the briefing readable in five minutes? Measure the reading layer against the news it condenses.

    python eval/concision.py [--floors eval/concision_floors.json] [--model extractive] [--json]

For each article set (the samples, and a busy day made of every development article) the
script briefs the set in-process, renders the brief Markdown, the JSON and the calendar
file, and reports:

- source words: the articles' titles and text, as `wc -w` counts them;
- reading-layer words: the brief Markdown (what a reader reads: no comments, link
  targets or escapes), and those words over the source words;
- reading time at 230 words a minute, and words per story;
- positions shown per story (mean and most);
- top actors shown: each story's three most salient actors that appear in its "Who" line;
- upcoming dated steps in "Coming up": every dated next step that has not passed, listed;
- dated steps in the calendar: every dated next step (the JSON's) is an event in the .ics;
- items kept in the JSON: every actor, position and next step the NLP stage found.

Each set's figures are compared with the bounds in the floors file; the exit status is 1 when
any bound is violated. `tests/test_concision.py` runs the same gate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FLOORS = REPO_ROOT / "eval" / "concision_floors.json"
# name -> (folder, briefing date). The busy day is the development corpus briefed together.
SETS = {
    "samples": (REPO_ROOT / "samples" / "articles", dt.date(2026, 11, 27)),
    "busy_day": (REPO_ROOT / "eval" / "dev" / "articles", dt.date(2026, 11, 27)),
}
TOP_ACTORS = 3
FLOOR_TOLERANCE = 1e-9


def measure(folder: Path, date: dt.date, model: str = "extractive") -> dict[str, float]:
    """Brief `folder` and measure its reading layer."""
    sys.path.insert(0, str(REPO_ROOT))
    from briefing.editor import edit
    from briefing.options import ModelSpec, Options
    from briefing.pipeline import run_daily
    from briefing.render import Layout, render
    from briefing.render.markdown import reading_words

    options = Options(model=ModelSpec(name=model), date=date, use_cache=False, title="Busy day", history=False)
    briefing = run_daily([str(folder)], options).briefing
    layer = edit(briefing)
    markdown = render(briefing, "md", Layout("brief"))
    data = json.loads(render(briefing, "json"))
    calendar = render(briefing, "ics")

    source = sum(article.words for article in briefing.articles)
    reading = reading_words(markdown)
    stories = len(layer.stories)
    shown_positions = [len(story.stances) for story in layer.stories]
    top_shown = sum(
        sum(1 for actor in story.story.actors[:TOP_ACTORS] if actor in story.who) for story in layer.stories
    )
    top_total = sum(min(TOP_ACTORS, len(story.story.actors)) for story in layer.stories)
    coming_up = _section(markdown, "## Coming up")
    upcoming = [item for item in layer.agenda if item.date >= date]
    upcoming_listed = sum(
        1 for item in upcoming if f"**{_date_label(item.date, date)}**: {_md(item.text)}" in coming_up
    )
    dated = {
        (step["date"], step["evidence"])
        for article in data["articles"]
        for step in article["next_steps"]
        if step["date"]
    }
    events = calendar.count("BEGIN:VEVENT")
    in_json = sum(len(a["actors"]) + len(a["positions"]) + len(a["next_steps"]) for a in data["articles"])
    found = sum(len(a.actors) + len(a.positions) + len(a.next_steps) for a in briefing.articles)
    return {
        "articles": len(briefing.articles),
        "stories": stories,
        "source_words": source,
        "reading_words": reading,
        "reading_share": reading / source if source else 0.0,
        "reading_minutes": reading / 230,
        "words_per_story": reading / stories if stories else 0.0,
        "positions_per_story": sum(shown_positions) / stories if stories else 0.0,
        "positions_per_story_max": max(shown_positions, default=0),
        "top_actors_shown": top_shown / top_total if top_total else 1.0,
        "upcoming_steps_in_coming_up": upcoming_listed / len(upcoming) if upcoming else 1.0,
        "dated_steps_in_calendar": (events / len(dated)) if dated else 1.0,
        "json_items_kept": in_json / found if found else 1.0,
    }


def violations(name: str, values: Mapping[str, float], floors: Mapping[str, Mapping[str, float]]) -> list[str]:
    problems = []
    for metric, bounds in floors.items():
        if metric not in values:
            problems.append(f"{name}: unknown metric in floors: {metric}")
            continue
        value = values[metric]
        if "min" in bounds and value < bounds["min"] - FLOOR_TOLERANCE:
            problems.append(f"{name}: {metric} = {value:.3f} below the floor {bounds['min']}")
        if "max" in bounds and value > bounds["max"] + FLOOR_TOLERANCE:
            problems.append(f"{name}: {metric} = {value:.3f} above the bound {bounds['max']}")
    return problems


def format_table(results: Mapping[str, Mapping[str, float]]) -> str:
    names = list(results)
    metrics = list(next(iter(results.values())))
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for metric in metrics:
        cells = [_cell(results[name][metric]) for name in names]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--model", default="extractive", help="the model that writes the summaries")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    floors: dict[str, Any] = json.loads(args.floors.read_text(encoding="utf-8"))
    results = {name: measure(folder, date, args.model) for name, (folder, date) in SETS.items() if folder.is_dir()}
    problems = [p for name, values in results.items() for p in violations(name, values, floors.get(name, {}))]
    problems += [f"{name}: no articles in {SETS[name][0]}" for name in floors if name not in results]
    print(json.dumps(results, indent=2) if args.json else format_table(results))
    for problem in problems:
        print(problem)
    summary = " ".join(
        f"{name}:share={values['reading_share']:.3f},minutes={values['reading_minutes']:.1f},"
        f"per_story={values['words_per_story']:.0f}"
        for name, values in results.items()
    )
    print(f"concision: {summary} {'FAIL' if problems else 'PASS'}")
    return 1 if problems else 0


def _section(markdown: str, heading: str) -> str:
    start = markdown.find(heading)
    if start < 0:
        return ""
    end = markdown.find("\n## ", start + len(heading))
    end = markdown.find("\n---", start) if end < 0 else end
    return markdown[start:end]


def _date_label(day: dt.date, today: dt.date) -> str:
    from briefing.editor import short_date

    return short_date(day, today)


def _md(text: str) -> str:
    from briefing.render.templates import markdown_escape

    return markdown_escape(text)


def _cell(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
