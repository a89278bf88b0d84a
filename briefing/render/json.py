"""JSON: everything the briefing holds, plus what the reading layer shows.

Each actor, position and next step carries `in_brief` and `rank` (its order in
the reading layer, or null), and the briefing lists its stories, the day at a
glance and the agenda, so another tool can rebuild the same view.
"""

from __future__ import annotations

import json
from typing import Any

from briefing.document import Briefing, name_key
from briefing.editor import edit
from briefing.render.layout import Layout
from briefing.render.markdown import reading_time


def render_json(briefing: Briefing, layout: Layout) -> str:
    layer = edit(briefing)
    flags = layer.in_brief()
    data = briefing.to_dict()
    story_of = {index: story.number for story in layer.stories for index in story.story.articles}
    for index, article in enumerate(data["articles"]):
        number = story_of[index]
        for actor in article["actors"]:
            _flag(actor, flags.actors.get((number, name_key(actor["name"]))))
        for position in article["positions"]:
            _flag(position, flags.positions.get((number, position["actor"], position["evidence"])))
        for step in article["next_steps"]:
            _flag(step, flags.next_steps.get((number, step["evidence"], step["text"])))
    continuity = briefing.continuity
    if continuity.story_ids:
        for story in layer.stories:
            for index in story.story.articles:
                data["articles"][index]["story_id"] = continuity.story_ids[story.number - 1]
                data["articles"][index]["first_seen"] = continuity.first_seen[story.number - 1].isoformat()
    data["developing"] = [
        {"story": story.number, **story.developing.to_dict()} for story in layer.stories if story.developing
    ]
    data["due"] = [item.to_dict() for item in continuity.due]
    data["reading_minutes"] = reading_time(briefing, layer)
    data["stories"] = [
        {
            "number": story.number,
            "headline": story.headline,
            "glance": story.glance,
            "summary": story.summary,
            "articles": [report.id for report in story.reports],
            "story_id": story.story_id,
        }
        for story in layer.stories
    ]
    data["agenda"] = [
        {
            "date": item.date.isoformat(),
            "text": item.step.text,
            "actor": item.step.actor,
            "when": item.step.when,
            "story": item.story,
            "article": item.article.id,
            "evidence": item.step.evidence,
            "uid": item.uid,
        }
        for item in layer.agenda
    ]
    data["whos_who"] = [
        {"name": row.name, "type": row.type, "role": row.role, "stories": list(row.articles)} for row in layer.whos_who
    ]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _flag(item: dict[str, Any], rank: int | None) -> None:
    item["in_brief"] = rank is not None
    item["rank"] = rank
