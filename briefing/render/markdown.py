from __future__ import annotations

import re

from briefing.document import Briefing
from briefing.editor import ReadingLayer, edit, reading_minutes
from briefing.render.layout import Layout
from briefing.render.templates import environment
from briefing.text import count_words


def render_markdown(briefing: Briefing, layout: Layout) -> str:
    layer = edit(briefing)
    return _render(briefing, layer, layout.detail_for("md"), layout.full_detail_at, reading_time(briefing, layer))


def reading_time(briefing: Briefing, layer: ReadingLayer) -> int:
    """Minutes to read the reading layer at 230 words a minute, counted on its Markdown."""
    return reading_minutes(reading_words(_render(briefing, layer, "brief", None, None)))


_NOT_READ = re.compile(r"<!--.*?-->|\]\(<[^>]*>\)|<https?://[^>]*>|\\", re.DOTALL)


def reading_words(markdown: str) -> int:
    """Words a person reads in a Markdown briefing (as `wc -w` counts them), without
    comments, link targets, escapes and bare punctuation such as list bullets."""
    return count_words(_NOT_READ.sub(" ", markdown))


def _render(briefing: Briefing, layer: ReadingLayer, detail: str, pointer: str | None, minutes: int | None) -> str:
    template = environment(autoescape=False).get_template("briefing.md.j2")
    return template.render(b=briefing, layer=layer, detail=detail, pointer=pointer, minutes=minutes)
