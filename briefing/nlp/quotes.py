"""Where the quotations are: character ranges of quoted speech in an article.

Curly quotes pair “ with ”; straight double quotes toggle. A quotation left open
at the end of a paragraph runs on into the next paragraph when that one opens
with a quote mark (news style for a quote over several paragraphs).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from briefing.text import paragraph_spans


@dataclass(frozen=True)
class Quote:
    start: int  # index of the opening mark
    end: int  # index just past the closing mark (or the paragraph end if left open)
    closed: bool
    continues: bool  # opens a paragraph that continues the previous paragraph's open quote


class QuoteMap:
    def __init__(self, text: str) -> None:
        self.text = text
        self.quotes: list[Quote] = list(_find_quotes(text))
        self._starts = [q.start for q in self.quotes]

    def at(self, position: int) -> Quote | None:
        index = bisect.bisect_right(self._starts, position) - 1
        if index >= 0 and self.quotes[index].start <= position < self.quotes[index].end:
            return self.quotes[index]
        return None

    def inside(self, position: int) -> bool:
        return self.at(position) is not None

    def within(self, start: int, end: int) -> list[Quote]:
        return [q for q in self.quotes if q.start < end and start < q.end]


def _find_quotes(text: str):  # type: ignore[no-untyped-def]
    previous_open = False
    for p_start, p_end in paragraph_spans(text):
        opened_at: int | None = None
        first = True
        for index in range(p_start, p_end):
            char = text[index]
            if char == "“" or (char == '"' and opened_at is None):
                if opened_at is None:
                    opened_at = index
            elif (char == "”" or char == '"') and opened_at is not None:
                yield Quote(opened_at, index + 1, True, first and previous_open and opened_at == p_start)
                opened_at = None
                first = False
        previous_open = opened_at is not None
        if opened_at is not None:
            yield Quote(opened_at, p_end, False, first and opened_at == p_start and _continued(text, p_start))
            first = False


def _continued(text: str, p_start: int) -> bool:
    # Whether the paragraph before this one ended inside an open quotation.
    before = text[:p_start].rstrip()
    last_paragraph = before[before.rfind("\n\n") + 2 :] if "\n\n" in before else before
    return last_paragraph.count("“") > last_paragraph.count("”")
