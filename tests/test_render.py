"""Golden-file tests of the renderers over a fixed Briefing, plus escaping."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from markup import hrefs, parse

from briefing.document import Actor, ArticleBriefing, Briefing, ModelInfo, NextStep, Position, SourceError
from briefing.render import Layout, render

GOLDEN = Path(__file__).parent / "golden"
EVIDENCE = "“This is not a serious way to negotiate,” Mr Macron said."


def sample_briefing() -> Briefing:
    full = ArticleBriefing(
        id="0123456789abcdef",
        title="France to put forward proposals on Channel crossings",
        source="samples/articles/channel-migrants.html",
        url="https://example.com/channel",
        published=dt.date(2021, 11, 26),
        summary="France will send proposals to the UK after a row over a letter posted on Twitter.",
        actors=(
            Actor("Emmanuel Macron", "person", ("Macron", "Mr Macron"), "French president", 4),
            Actor("Home Office", "organisation", (), None, 1),
        ),
        positions=(Position("Emmanuel Macron", "Publishing the letter was not a serious way to negotiate.", EVIDENCE),),
        next_steps=(
            NextStep(
                "Castex to write to Johnson with proposals",
                "Mr Castex will write to Mr Johnson on Tuesday.",
                "on Tuesday",
                dt.date(2021, 11, 30),
                "Jean Castex",
            ),
            NextStep("Talks could resume", "Talks could resume later.", None, None, None),
        ),
        warnings=("long article: summarised in 2 parts, then combined",),
    )
    empty = ArticleBriefing(
        id="fedcba9876543210",
        title=None,
        source="notes/<b>odd</b> name.txt",
        published=None,
        summary="A *short* item with <i>markup</i> & [a link](javascript:alert(1)).",
    )
    return Briefing(
        title="Morning briefing",
        date=dt.date(2021, 11, 27),
        generated_at=dt.datetime(2021, 11, 27, 7, 0, tzinfo=dt.timezone.utc),
        model=ModelInfo("sshleifer/distilbart-cnn-12-6", "seq2seq"),
        articles=(full, empty),
        errors=(SourceError("samples/empty.txt", "empty file"),),
    )


def single_story() -> Briefing:
    briefing = sample_briefing()
    return replace(briefing, articles=briefing.articles[:1], errors=())


@pytest.mark.parametrize(
    ("make", "fmt", "detail", "golden"),
    [
        (sample_briefing, "md", None, "briefing.md"),  # brief: the reading layer
        (sample_briefing, "md", "full", "briefing-full.md"),  # plus the appendix
        (sample_briefing, "html", None, "briefing.html"),  # full: detail folded away
        (sample_briefing, "html", "brief", "briefing-brief.html"),
        (single_story, "md", None, "single.md"),  # `briefing url`: one story, no glance
    ],
)
def test_matches_the_golden_file(make: Callable[[], Briefing], fmt: str, detail: str | None, golden: str) -> None:
    rendered = render(make(), fmt, Layout(detail))
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"rerun with UPDATE_GOLDEN=1 if {golden} changed on purpose"


def test_json_has_the_pinned_shape() -> None:
    data = json.loads(render(sample_briefing(), "json"))
    assert data["date"] == "2021-11-27" and data["generated_at"] == "2021-11-27T07:00:00+00:00"
    assert data["model"] == {"name": "sshleifer/distilbart-cnn-12-6", "backend": "seq2seq"}
    first = data["articles"][0]
    assert first["published"] == "2021-11-26"
    assert first["actors"][0] == {
        "name": "Emmanuel Macron",
        "aliases": ["Macron", "Mr Macron"],
        "type": "person",
        "role": "French president",
        "mentions": 4,
        "in_brief": True,
        "rank": 1,
    }
    assert first["positions"][0] == {
        "actor": "Emmanuel Macron",
        "statement": "Publishing the letter was not a serious way to negotiate.",
        "evidence": EVIDENCE,
        "kind": "reported",
        "in_brief": True,
        "rank": 1,
    }
    assert first["next_steps"][0] == {
        "text": "Castex to write to Johnson with proposals",
        "when": "on Tuesday",
        "date": "2021-11-30",
        "actor": "Jean Castex",
        "evidence": "Mr Castex will write to Mr Johnson on Tuesday.",
        "in_brief": True,
        "rank": 1,
    }
    # The reading layer, for tools that rebuild the same view.
    assert [story["articles"] for story in data["stories"]] == [["0123456789abcdef"], ["fedcba9876543210"]]
    assert data["agenda"][0]["date"] == "2021-11-30" and data["agenda"][0]["story"] == 1
    assert data["agenda"][0]["uid"].endswith("@briefing") and data["reading_minutes"] == 1
    assert data["articles"][1]["title"] is None and data["articles"][1]["published"] is None
    assert data["errors"] == [{"source": "samples/empty.txt", "error": "empty file"}]


def test_html_escapes_untrusted_text() -> None:
    markup = parse(render(sample_briefing(), "html"))
    assert "b" not in markup.tags and "i" not in markup.tags and "script" not in markup.tags
    assert not any(href.startswith("javascript") for href in hrefs(markup))


def test_markdown_keeps_untrusted_text_literal() -> None:
    rendered = render(sample_briefing(), "md")
    assert r"A \*short\* item with \<i\>markup\</i\> & \[a link\](javascript:alert(1))." in rendered
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(rendered)
    assert "<i>" not in html and 'href="javascript' not in html
