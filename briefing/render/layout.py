"""How much of a briefing a rendering shows, apart from its format."""

from __future__ import annotations

from dataclasses import dataclass

DETAIL_LEVELS = ("brief", "full")
# Markdown is read in a terminal or an email: the reading layer alone. A page can
# fold the detail away, so HTML carries it (collapsed).
DEFAULT_DETAIL = {"md": "brief", "html": "full"}


@dataclass(frozen=True)
class Layout:
    detail: str | None = None  # brief | full; None: the format's default
    full_detail_at: str | None = None  # where a brief rendering points the reader for the rest

    def detail_for(self, fmt: str) -> str:
        return self.detail or DEFAULT_DETAIL.get(fmt, "full")
