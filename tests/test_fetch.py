"""fetch(): every limit against a real local server, and normalise_url()."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from httpserver import SAMPLE_PAGES, TestServer, local_fetch, serve_over_untrusted_tls, unused_port

from briefing.errors import InputError
from briefing.fetch import FEED_TYPES, FetchSettings, fetch, fetch_article, normalise_url
from briefing.sources import load_sources

pytest_plugins = ["httpserver"]  # the http_server fixture

PAGE = SAMPLE_PAGES["channel-migrants.html"]
QUICK = local_fetch(connect_timeout=2.0, read_timeout=5.0, deadline=5.0)  # the test servers are on 127.0.0.1


def reason(url: str, settings: FetchSettings = QUICK, accept: tuple[str, ...] | None = None) -> str:
    with pytest.raises(InputError) as caught:
        fetch(url, settings, accept) if accept else fetch(url, settings)
    assert caught.value.source == url
    return caught.value.reason


def test_fetches_an_html_page(http_server: TestServer) -> None:
    url = http_server.route("/news/a.html", PAGE)
    page = fetch(url, QUICK)
    assert (page.url, page.final_url, page.status, page.content_type) == (url, url, 200, "text/html")
    assert page.body == PAGE
    assert http_server.request_headers[0]["User-Agent"].startswith("briefing/")


def test_one_redirect_gives_the_final_url_and_the_article(http_server: TestServer) -> None:
    final = http_server.route("/news/a.html", PAGE)
    start = http_server.redirect("/short/a", "/news/a.html", status=301)
    assert fetch(start, QUICK).final_url == final
    article = fetch_article(start, QUICK)
    assert article.url == final  # the canonical page, not the link we were given
    assert article.source == start
    assert article.title == "France to put forward proposals for tackling Channel migrant crisis"
    assert article.author == "PA Reporters"
    assert str(article.published) == "2021-11-26"


@pytest.mark.parametrize(
    ("routes", "start", "expected"),
    [
        ({"/a": "/b", "/b": "/a"}, "/a", "redirect loop"),
        ({"/a": "/a"}, "/a", "redirect loop"),
        ({"/1": "/2", "/2": "/3", "/3": "/4", "/4": "/5", "/5": "/6"}, "/1", "too many redirects (more than 3)"),
        ({"/a": "file:///etc/passwd"}, "/a", "redirect to a non-HTTP URL (file:///etc/passwd)"),
        ({"/a": "ftp://example.com/x"}, "/a", "redirect to a non-HTTP URL (ftp://example.com/x)"),
    ],
)
def test_bad_redirects(http_server: TestServer, routes: dict[str, str], start: str, expected: str) -> None:
    for path, location in routes.items():
        http_server.redirect(path, location)
    assert reason(http_server.url(start)).startswith(expected)


def test_redirects_within_the_limit_are_followed(http_server: TestServer) -> None:
    http_server.route("/3", PAGE)
    for path, location in {"/0": "/1", "/1": "/2", "/2": "/3"}.items():
        http_server.redirect(path, location)
    assert fetch(http_server.url("/0"), QUICK).final_url == http_server.url("/3")


@pytest.mark.parametrize("status", [404, 500, 301])
def test_non_2xx_is_an_error(http_server: TestServer, status: int) -> None:
    url = http_server.route("/x", b"<html>oops</html>", status=status)
    assert reason(url) == f"HTTP {status}"  # a 301 without a Location goes nowhere


def test_unregistered_path_is_404(http_server: TestServer) -> None:
    assert reason(http_server.url("/missing")) == "HTTP 404"


def test_html_served_as_pdf_is_refused(http_server: TestServer) -> None:
    url = http_server.route("/a.pdf", PAGE, content_type="application/pdf")
    assert reason(url) == "not an HTML page (application/pdf)"


def test_a_page_is_not_a_feed(http_server: TestServer) -> None:
    url = http_server.route("/a.html", PAGE)
    assert reason(url, accept=FEED_TYPES) == "not a feed (text/html)"
    assert fetch(http_server.route("/f.xml", b"<rss/>", content_type="application/rss+xml"), QUICK, FEED_TYPES)


def test_slow_body_stops_at_the_deadline(http_server: TestServer) -> None:
    url = http_server.route("/slow", b"x" * 100, delay=1.0)  # one byte a second
    started = time.monotonic()
    assert reason(url, local_fetch(read_timeout=5.0, deadline=1.5)) == "timed out after 1.5 s"
    assert time.monotonic() - started < 3.0


def test_stalled_headers_stop_at_the_deadline(http_server: TestServer) -> None:
    # No body to count chunks of: only the watchdog can stop this one.
    url = http_server.route("/stall", PAGE, stall=10.0)
    started = time.monotonic()
    assert reason(url, local_fetch(read_timeout=20.0, deadline=1.0)) == "timed out after 1 s"
    assert time.monotonic() - started < 2.5


def test_silence_longer_than_the_read_timeout(http_server: TestServer) -> None:
    url = http_server.route("/stall", PAGE, stall=10.0)
    assert reason(url, local_fetch(read_timeout=0.5, deadline=5.0)) == "timed out (no data for 0.5 s)"


def test_oversized_body_stops_at_the_cap(http_server: TestServer) -> None:
    url = http_server.route("/big", b"<p>" + b"x" * (1024 * 1024))
    assert reason(url, local_fetch(max_bytes=64 * 1024)) == "larger than 64 KB"


def test_endless_chunked_body_stops_at_the_cap(http_server: TestServer) -> None:
    url = http_server.route("/forever", endless=True)  # no Content-Length to trust
    started = time.monotonic()
    assert reason(url, local_fetch(max_bytes=64 * 1024, deadline=5.0)) == "larger than 64 KB"
    assert time.monotonic() - started < 2.0


def test_connection_refused() -> None:
    assert reason(f"http://127.0.0.1:{unused_port()}/a.html") == "connection refused"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.html", "javascript:alert(1)", "/etc/passwd"]
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    assert reason(url).startswith("not a web address")


@pytest.fixture
def https_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An HTTPS server with a self-signed certificate nobody trusts."""
    server = TestServer()
    server.route("/a.html", PAGE)
    serve_over_untrusted_tls(server, tmp_path)
    server.start()
    yield f"https://127.0.0.1:{server.port}/a.html"
    server.stop()


def test_untrusted_certificate_is_an_error_never_a_fallback(https_server: str) -> None:
    assert reason(https_server).startswith("TLS certificate verification failed")


def test_url_sources_are_fetched_once_each(http_server: TestServer) -> None:
    url = http_server.route("/news/a.html", PAGE)
    twice = url.replace("/news/a.html", "/news/a.html/?utm_source=feed#top")
    missing = http_server.url("/gone.html")
    loaded = load_sources([url, twice, missing], 10_000_000, QUICK)
    assert [a.url for a in loaded.articles] == [url]
    assert [(e.source, e.reason) for e in loaded.errors] == [(missing, "HTTP 404")]
    assert http_server.requests.count("/news/a.html") == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/News/Story", "https://example.com/News/Story"),  # the path keeps its case
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?fbclid=abc&gclid=def&UTM_Campaign=x", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1&utm_source=x", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?id=7&page=", "https://example.com/a?id=7&page="),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_options_and_fetch_do_not_import_httpx() -> None:
    code = "import sys, briefing.options, briefing.fetch, briefing.cli; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
