"""Renderers: one function per format, each over a format-free Briefing.

Markdown, HTML and the email show the reading layer (briefing/editor.py) first;
`Layout.detail` says whether the detail section (every actor, position and
source sentence) follows. JSON always carries everything; the calendar file
carries the dated next steps.
"""

from __future__ import annotations

from collections.abc import Callable

from briefing.document import Briefing
from briefing.render.html import render_html
from briefing.render.ics import render_ics
from briefing.render.json import render_json
from briefing.render.layout import DETAIL_LEVELS, Layout
from briefing.render.markdown import render_markdown

RENDERERS: dict[str, Callable[[Briefing, Layout], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
    "ics": render_ics,
}
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".ics": "ics"}
FORMATS = tuple(RENDERERS)

__all__ = ["DETAIL_LEVELS", "FORMATS", "Layout", "RENDERERS", "SUFFIXES", "render"]


def render(briefing: Briefing, fmt: str, layout: Layout | None = None) -> str:
    return RENDERERS[fmt](briefing, layout or Layout())
