"""The dated next steps as an iCalendar file: one all-day event each.

Each event's UID is derived from its report and its source sentence (never its
date), so importing tomorrow's file updates today's events instead of adding
copies, even when a date was corrected.
"""

from __future__ import annotations

import datetime as dt

from briefing import __version__
from briefing.document import Briefing
from briefing.editor import AgendaItem, edit
from briefing.render.layout import Layout
from briefing.render.templates import safe_url


def render_ics(briefing: Briefing, layout: Layout) -> str:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", f"-//briefing//briefing {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{briefing.title}: coming up")
    stamp = briefing.generated_at.astimezone(dt.timezone.utc)
    for item in edit(briefing).agenda:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.date)
        event.add("dtend", item.date + dt.timedelta(days=1))
        event.add("summary", _summary(item))
        event.add("description", _description(item))
        url = safe_url(item.article.url)
        if url:
            event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _summary(item: AgendaItem) -> str:
    return f"{item.actor}: {item.step.text}" if item.actor else item.step.text


def _description(item: AgendaItem) -> str:
    source = item.article.url or item.article.source
    when = f" ({item.step.when})" if item.step.when else ""
    return f"{item.step.evidence}\n\nStory: {item.headline}\nSource{when}: {source}"
