from __future__ import annotations

from briefing.document import Briefing
from briefing.render.templates import environment


def render_html(briefing: Briefing) -> str:
    # Autoescape: every article body, title and model output is untrusted text.
    return environment(autoescape=True).get_template("briefing.html.j2").render(b=briefing)
