"""Renderers: one function per format, each over a format-free Briefing."""

from __future__ import annotations

from collections.abc import Callable

from briefing.document import Briefing
from briefing.render.html import render_html
from briefing.render.json import render_json
from briefing.render.markdown import render_markdown

RENDERERS: dict[str, Callable[[Briefing], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
}
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def render(briefing: Briefing, fmt: str) -> str:
    return RENDERERS[fmt](briefing)
