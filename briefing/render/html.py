from __future__ import annotations

from briefing.document import Briefing
from briefing.editor import TIMELINE_DAYS, edit
from briefing.render.layout import Layout
from briefing.render.markdown import reading_time
from briefing.render.templates import environment


def render_html(briefing: Briefing, layout: Layout) -> str:
    layer = edit(briefing)
    # Autoescape: every article body, title and model output is untrusted text.
    return (
        environment(autoescape=True)
        .get_template("briefing.html.j2")
        .render(
            b=briefing,
            layer=layer,
            detail=layout.detail_for("html"),
            pointer=layout.full_detail_at,
            minutes=reading_time(briefing, layer),
            timeline_days=TIMELINE_DAYS,
        )
    )
