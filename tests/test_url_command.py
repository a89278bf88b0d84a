"""`briefing url` and `briefing daily --feeds` through the CLI, against a local server."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result
from httpserver import SAMPLE_PAGES, TestServer, article_page

from briefing.cli import main

if TYPE_CHECKING:
    from conftest import FakeState

pytest_plugins = ["httpserver"]  # the http_server fixture

CHANNEL = "France to put forward proposals for tackling Channel migrant crisis"
LIBRARY = [
    "The council voted on Tuesday to close the central library after a long debate about next year's budget.",
    "Residents said they would protest on Friday outside the town hall, and a petition has four thousand names.",
]


# The test server listens on 127.0.0.1, which every fetch refuses unless allowed.
LOCAL = "--allow-private-addresses"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_url_briefs_one_page(http_server: TestServer, fake_model: FakeState) -> None:
    url = http_server.route("/news/channel.html", SAMPLE_PAGES["channel-migrants.html"])
    result = run("url", url, LOCAL, "--model", "fake", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [article] = data["articles"]
    assert (article["source"], article["title"], article["published"]) == (url, CHANNEL, "2021-11-26")
    assert article["summary"]
    assert data["errors"] == []
    assert fake_model.calls == 1


def test_url_404_is_one_line_and_exit_1(http_server: TestServer, fake_model: FakeState) -> None:
    url = http_server.url("/news/gone.html")
    result = run("url", url, LOCAL, "--model", "fake")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"Error: {url}: HTTP 404"]
    assert "Traceback" not in result.output
    assert fake_model.calls == 0  # nothing to brief: the model is never loaded


def test_url_refuses_other_schemes(fake_model: FakeState) -> None:
    result = run("url", "file:///etc/passwd", "--model", "fake")
    assert result.exit_code == 1
    assert "only http:// and https:// URLs" in result.stderr


def test_url_writes_to_a_file(http_server: TestServer, fake_model: FakeState, tmp_path: Path) -> None:
    url = http_server.route("/a.html", SAMPLE_PAGES["riverside-housing.html"])
    out = tmp_path / "page.md"
    result = run("url", url, LOCAL, "--model", "fake", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Riverside Quarter" in out.read_text()


def feeds_file(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "feeds.txt"
    path.write_text("# morning feeds\n\n" + "\n".join(urls) + "\n")
    return path


def serve_feed(server: TestServer) -> tuple[str, list[str]]:
    """An RSS feed of two article pages; returns the feed URL and the page URLs."""
    pages = [
        server.route("/a/channel.html", SAMPLE_PAGES["channel-migrants.html"]),
        server.route("/a/library.html", article_page("Council closes the central library", LIBRARY)),
    ]
    items = "".join(f"<item><title>Teaser</title><link>{page}</link></item>" for page in pages)
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{items}</channel></rss>'
    return server.route("/rss.xml", rss, content_type="application/rss+xml"), pages


def test_daily_briefs_feed_entries(http_server: TestServer, fake_model: FakeState, tmp_path: Path) -> None:
    feed, pages = serve_feed(http_server)
    result = run("daily", LOCAL, "--feeds", str(feeds_file(tmp_path, feed)), "--model", "fake", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(a["source"] for a in data["articles"]) == sorted(pages)
    assert {a["title"] for a in data["articles"]} == {CHANNEL, "Council closes the central library"}


def test_daily_adds_feeds_to_sources(http_server: TestServer, fake_model: FakeState, tmp_path: Path) -> None:
    feed, pages = serve_feed(http_server)
    page = http_server.route("/b/riverside.html", SAMPLE_PAGES["riverside-housing.html"])
    result = run("daily", page, LOCAL, "--feeds", str(feeds_file(tmp_path, feed)), "--model", "fake", "-f", "json")
    assert result.exit_code == 0, result.output
    assert sorted(a["source"] for a in json.loads(result.stdout)["articles"]) == sorted([page, *pages])


def test_daily_with_a_failing_feed_exits_3_with_the_good_articles(
    http_server: TestServer, fake_model: FakeState, tmp_path: Path
) -> None:
    feed, pages = serve_feed(http_server)
    broken = http_server.url("/missing.xml")
    result = run("daily", LOCAL, "--feeds", str(feeds_file(tmp_path, broken, feed)), "--model", "fake", "-f", "json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert sorted(a["source"] for a in data["articles"]) == sorted(pages)
    assert data["errors"] == [{"source": broken, "error": "HTTP 404"}]


def test_daily_needs_sources_or_feeds(fake_model: FakeState) -> None:
    result = run("daily", "--model", "fake")
    assert result.exit_code == 2
    assert "give SOURCES, --feeds FILE, or both" in result.output


def test_url_gets_the_one_story_layout_on_one_screen(http_server: TestServer) -> None:
    # The longest sample (2,200 words, 11 actors, 50 positions) still fits a terminal.
    url = http_server.route("/riverside.html", SAMPLE_PAGES["riverside-housing.html"])
    result = run("url", url, LOCAL, "--model", "extractive")
    assert result.exit_code == 0, result.output
    markdown = result.stdout
    lines = [line for line in markdown.splitlines() if line.strip() and not line.startswith("<!--")]
    assert lines[0] == "# Riverside Quarter: 4,200-home plan approved as residents vow to fight on"
    assert url in lines[1] and "min read" in lines[1]
    for absent in ("## The day at a glance", "## Who's who", "## Coming up", "In this briefing", "Daily briefing"):
        assert absent not in markdown
    for section in ("**Who:**", "**Where they stand:**", "**What's next:**"):
        assert section in markdown
    screen = [row for line in markdown.splitlines() for row in (textwrap.wrap(line, 100) or [""])]
    assert len(screen) <= 40, "\n".join(screen)
    data = json.loads(run("url", url, LOCAL, "--model", "extractive", "-f", "json").stdout)
    assert data["title"] == lines[0].removeprefix("# ")


def test_an_undated_page_is_anchored_on_the_briefing_date(http_server: TestServer) -> None:
    # The page has no date in its markup; its text mentions a year. That year is not the
    # publication date (it once printed "published 2013-01-01" and dated "on Monday" from it).
    paragraphs = [
        "Survivors of the 2013 train disaster will meet the transport minister on Monday to press for an inquiry.",
        "Campaign chair Helen Marsh said families had waited too long. The minister is due to visit the site next week.",
    ]
    url = http_server.route("/news/inquiry.html", article_page("Families to meet minister over rail crash", paragraphs))
    result = run("url", url, LOCAL, "--model", "extractive", "-f", "json", "--date", "2026-03-04")
    assert result.exit_code == 0, result.output
    [article] = json.loads(result.stdout)["articles"]
    assert article["published"] is None
    dates = {step["when"]: step["date"] for step in article["next_steps"]}
    assert dates == {"on Monday": "2026-03-09", "next week": None}  # Wednesday 4 March -> Monday 9 March
