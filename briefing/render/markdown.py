from __future__ import annotations

from briefing.document import Briefing
from briefing.render.templates import environment


def render_markdown(briefing: Briefing) -> str:
    return environment(autoescape=False).get_template("briefing.md.j2").render(b=briefing)
