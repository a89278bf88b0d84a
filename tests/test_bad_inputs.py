"""A corpus of bad inputs, each run through `briefing daily` next to two good articles.

For every bad input: exit status 3 (some inputs failed), the two good articles still
in the JSON briefing, exactly one entry in `errors` naming the input, one line
`briefing: error: <input>: <reason>` on stderr, and never a traceback. Inputs that
turn out to be readable (Latin-1, UTF-16 without a BOM, very long lines, ...) must
instead be briefed correctly, with exit status 0.

Decided here (and documented by the tests):
- invalid UTF-8 in an otherwise UTF-8 file decodes best-effort: the good UTF-8
  stays right and the broken bytes become U+FFFD, rather than the whole file
  being misread as some legacy encoding.
- a page whose <meta charset> lies is briefed; which characters come out is up to
  trafilatura's charset sniffing, so only "no crash, briefed" is asserted.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserver import TestServer, article_page, local_fetch, serve_over_untrusted_tls, unused_port

from briefing.cli import main

pytest_plugins = ["httpserver"]  # the http_server fixture

GOOD = {
    "a.txt": "Council closes library\n\nThe council voted on Tuesday to close the library. "
    "Residents will protest on Friday outside the town hall.\n",
    "b.txt": "Union calls strike\n\nThe union called a strike over pay at the depot. "
    "Talks could resume next week, a spokesperson said.\n",
}
GOOD_SUMMARIES = {
    "The council voted on Tuesday to close the library.",
    "The union called a strike over pay at the depot.",
}
# Limits small enough to keep the network cases fast; the test servers are on 127.0.0.1.
QUICK = local_fetch(connect_timeout=1.5, read_timeout=1.5, deadline=1.5, max_bytes=4 * 1024 * 1024, max_feed_entries=20)
ARTICLE_PARAGRAPHS = [
    "The harbour authority said on Monday that the old pier would close for repairs after storm damage last winter.",
    "Engineers found that several supports had rusted through and that the deck was no longer safe for visitors.",
    "The authority expects the work to take six months and to cost about two million pounds in total.",
]


@pytest.fixture
def news(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def quick_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefing daily` with QUICK fetch limits (the CLI has no options for them)."""
    from briefing.commands import daily

    real = daily.build_options
    monkeypatch.setattr(daily, "build_options", lambda settings: replace(real(settings), fetch=QUICK))


def brief(*args: str, model: str = "fake") -> tuple[int, dict, str, str]:
    result = CliRunner().invoke(main, ["daily", *args, "--model", model, "-f", "json", "--date", "2026-03-02"])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr, output


def assert_one_error(args: tuple[str, ...], source: str, reason: str, good: int = 2, model: str = "fake") -> dict:
    """Exit 3, the good articles briefed, one error naming `source` whose reason contains `reason`."""
    code, data, stderr, output = brief(*args, model=model)
    assert code == 3, output
    assert len(data["articles"]) == good, output
    if model == "fake":
        assert {a["summary"] for a in data["articles"]} >= GOOD_SUMMARIES
    assert [e["source"] for e in data["errors"]] == [source], data["errors"]
    assert reason in data["errors"][0]["error"], data["errors"]
    lines = [line for line in stderr.splitlines() if line.startswith(f"briefing: error: {source}: ")]
    assert len(lines) == 1, stderr
    assert reason in lines[0]
    return data


def assert_briefed(args: tuple[str, ...], articles: int = 3, model: str = "fake") -> dict:
    code, data, stderr, output = brief(*args, model=model)
    assert code == 0, output
    assert data["errors"] == []
    assert len(data["articles"]) == articles, output
    return data


# --- files -------------------------------------------------------------------------------------------------------

LATIN1_TEXT = (
    "Café reopens\n\nThe café in the Place de la Concorde reopened on Monday after a fire. "
    "Its owner, José Müller, said the façade would be repainted by Noël.\n"
)


def _png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


@dataclass(frozen=True)
class FileCase:
    name: str  # file name inside the news folder
    content: bytes | Callable[[Path], None]
    reason: str  # "" = must be briefed, not an error
    error_source: str | None = None  # when the error names something else (e.g. "x.jsonl:2")
    extra: tuple[str, ...] = ()


FILE_CASES = {
    "empty": FileCase("empty.txt", b"", "empty file"),
    "whitespace-only": FileCase("blank.txt", b"  \n\t\n   \r\n", "empty file"),
    "png-as-txt": FileCase("image.txt", _png, "binary file (a PNG image)"),
    "png-as-md": FileCase("image.md", _png, "binary file (a PNG image)"),
    "gzip": FileCase("story.txt", gzip.compress(GOOD["a.txt"].encode() * 3), "gzip-compressed"),
    "random-binary": FileCase("noise.txt", bytes((i * 7919) % 256 for i in range(4096)), "binary"),
    "json-not-json": FileCase("broken.json", b"{'title': 'x', text: nope", "not valid JSON"),
    "json-empty-list": FileCase("list.json", b"[]", "empty JSON list"),
    "json-no-text": FileCase("notext.json", b'{"title": "Only a title"}', "no 'text'"),
    "json-scalar": FileCase("scalar.json", b"42", "expected a JSON object"),
    "jsonl-broken-line": FileCase(
        "many.jsonl",
        b'{"title": "Pier closes", "text": "The harbour authority closed the pier on Monday for repairs."}\n'
        b'{"title": "broken", "text": \n'
        b'{"title": "Bridge opens", "text": "The new bridge over the river opened to traffic on Sunday."}\n',
        "not valid JSON",
        error_source="many.jsonl:2",
    ),
    "html-empty": FileCase("empty.html", b"   \n", "empty file"),
    "html-navigation-only": FileCase(
        "nav.html",
        b"<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li>"
        b"<li><a href='/sport'>Sport</a></li></ul></nav></body></html>",
        "no article text",
    ),
    "html-script-only": FileCase(
        "script.html",
        b"<html><head><script>var a = 'The council voted on Tuesday to close the library';</script></head>"
        b"<body><script>document.write('<p>' + a + '</p>');</script><noscript>Enable JavaScript</noscript></body>"
        b"</html>",
        "no article text",
    ),
    "html-all-boilerplate": FileCase(
        "cookies.html",
        b"<html><body><div id='cookie-banner' class='cookie-consent'><p>We use cookies to improve your experience."
        b" Accept all cookies?</p><button>Accept</button><button>Reject</button></div>"
        b"<footer><p>Copyright 2026 Example News Ltd. All rights reserved.</p><p>Privacy policy | Terms of use"
        b" | Contact us</p></footer></body></html>",
        "no article text",
    ),
    "png-as-html": FileCase("image.html", _png, "binary file (a PNG image), not a web page"),
    "unsupported-suffix-named": FileCase("notes.csv", b"a,b\n1,2\n", "unsupported file type", extra=("named",)),
}


@pytest.mark.parametrize("case", [pytest.param(c, id=i) for i, c in FILE_CASES.items() if c.reason])
def test_bad_file_next_to_good_ones(news: Path, fake_model, case: FileCase) -> None:
    path = news / case.name
    if callable(case.content):
        case.content(path)
    else:
        path.write_bytes(case.content)
    source = str(news / case.error_source) if case.error_source else str(path)
    args = (str(news), str(path)) if "named" in case.extra else (str(news),)
    good = 4 if case.error_source else 2  # the .jsonl's good lines are briefed too
    data = assert_one_error(args, source, case.reason, good=good)
    if case.error_source:
        assert {a["title"] for a in data["articles"]} >= {"Pier closes", "Bridge opens"}


def test_latin1_is_briefed_with_the_accents_right(news: Path, fake_model) -> None:
    (news / "cafe.txt").write_bytes(LATIN1_TEXT.encode("latin-1"))
    data = assert_briefed((str(news),))
    cafe = next(a for a in data["articles"] if a["source"].endswith("cafe.txt"))
    assert cafe["title"] == "Café reopens"
    assert cafe["summary"] == "The café in the Place de la Concorde reopened on Monday after a fire."


def test_utf16_without_a_bom_is_briefed(news: Path, fake_model) -> None:
    (news / "wide.txt").write_bytes(LATIN1_TEXT.encode("utf-16-le"))
    data = assert_briefed((str(news),))
    wide = next(a for a in data["articles"] if a["source"].endswith("wide.txt"))
    assert wide["title"] == "Café reopens"
    assert wide["summary"].startswith("The café in the Place")


def test_utf16_big_endian_without_a_bom_is_briefed(news: Path, fake_model) -> None:
    (news / "wide.txt").write_bytes(LATIN1_TEXT.encode("utf-16-be"))
    data = assert_briefed((str(news),))
    assert any(a["title"] == "Café reopens" for a in data["articles"])


def test_invalid_utf8_decodes_best_effort(news: Path, fake_model) -> None:
    # UTF-8 accents, then one stray byte (a truncated character): the accents must stay right.
    text = LATIN1_TEXT.encode("utf-8") + b"A stray byte \xe2\x80 here. And a lone \xff too.\n"
    (news / "stray.txt").write_bytes(text)
    data = assert_briefed((str(news),))
    stray = next(a for a in data["articles"] if a["source"].endswith("stray.txt"))
    assert stray["title"] == "Café reopens"
    assert stray["summary"] == "The café in the Place de la Concorde reopened on Monday after a fire."


WORDS = [
    "the",
    "harbour",
    "pier",
    "was",
    "closed",
    "for",
    "repairs",
    "and",
    "the",
    "work",
    "went",
    "on",
    "while",
    "engineers",
    "checked",
    "every",
    "support",
]
LONG_LINE = " ".join(WORDS[i % len(WORDS)] for i in range(5000))


def test_5000_word_lines_are_briefed(news: Path, fake_model) -> None:
    text = f"Long lines\n\nThe line begins. {LONG_LINE}.\n{LONG_LINE[:3000]}.\n"
    (news / "long.txt").write_text(text, encoding="utf-8")
    fake_model.max_input_tokens = 2048  # forces chunking
    data = assert_briefed((str(news),))
    assert any(a["title"] == "Long lines" for a in data["articles"])


def test_5000_word_lines_with_the_extractive_model(news: Path) -> None:
    (news / "long.txt").write_text(f"Long lines\n\nIt begins here. {LONG_LINE}.\n", encoding="utf-8")
    assert_briefed((str(news),), model="extractive")


def test_20_mb_file_is_too_large(news: Path, fake_model) -> None:
    path = news / "huge.txt"
    with path.open("wb") as handle:
        block = b"All work and no play makes a dull briefing. " * 1000 + b"\n\n"
        while handle.tell() < 20 * 1024 * 1024:
            handle.write(block)
    assert_one_error((str(news), "--max-size", "10"), str(path), "too large (over 10 MB")


def test_symlink_loop_to_its_own_folder_is_not_followed(news: Path, fake_model) -> None:
    (news / "a-loop").symlink_to(".")
    (news / "sub").mkdir()
    (news / "sub" / "up").symlink_to("..")
    assert_briefed((str(news),), articles=2)


def test_symlink_loop_file(news: Path, fake_model) -> None:
    loop = news / "loop.txt"
    loop.symlink_to("loop.txt")
    assert_one_error((str(news),), str(loop), "cannot read")


def test_symlink_loop_named_directly(news: Path, fake_model) -> None:
    loop = news / "loop.txt"
    loop.symlink_to("loop.txt")
    outside = news.parent / "elsewhere.txt"
    outside.symlink_to(loop)
    assert_one_error((str(news / "a.txt"), str(news / "b.txt"), str(loop)), str(loop), "symbolic link loop")


def test_folder_without_read_permission(news: Path, fake_model, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = news / "locked"
    locked.mkdir()
    (locked / "secret.txt").write_text(GOOD["a.txt"] + "More.\n")
    real_scandir = os.scandir

    def scandir(path="."):  # type: ignore[no-untyped-def]
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert_one_error((str(news),), str(locked), "cannot read folder (Permission denied)")


def test_file_without_read_permission(news: Path, fake_model, monkeypatch: pytest.MonkeyPatch) -> None:
    target = news / "secret.txt"
    target.write_text(GOOD["a.txt"] + "More.\n")
    real_open = Path.open

    def deny(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    assert_one_error((str(news),), str(target), "cannot read (Permission denied)")


def test_missing_file_named(news: Path, fake_model) -> None:
    assert_one_error((str(news), str(news / "nope.txt")), str(news / "nope.txt"), "no such file or folder")


def test_broken_symlink_named(news: Path, fake_model) -> None:
    dangling = news.parent / "dangling.txt"
    dangling.symlink_to(news / "gone.txt")
    assert_one_error((str(news), str(dangling)), str(dangling), "broken symbolic link")


# --- HTML ----------------------------------------------------------------------------------------------------------


def _page(charset_meta: str, text_encoding: str) -> bytes:
    paragraphs = "".join(f"<p>{p} Crème brûlée, naïve café.</p>" for p in ARTICLE_PARAGRAPHS)
    page = (
        f"<!doctype html><html><head>{charset_meta}<title>Pier closes</title></head>"
        f"<body><article><h1>Pier closes</h1>{paragraphs}</article></body></html>"
    )
    return page.encode(text_encoding)


def test_nested_tables_1000_deep(news: Path, fake_model) -> None:
    depth = 1000
    page = "<html><body>" + "<table><tr><td>" * depth + "deep " * 30 + "</td></tr></table>" * depth + "</body></html>"
    (news / "tables.html").write_text(page, encoding="utf-8")
    # trafilatura leaves tables out of the article text (include_tables=False): one clear error, no crash.
    assert_one_error((str(news),), str(news / "tables.html"), "no article text found in the page")


def test_nested_divs_100000_deep(news: Path, fake_model) -> None:
    depth = 100_000
    (news / "divs.html").write_text("<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth)
    assert_one_error((str(news),), str(news / "divs.html"), "no article text found in the page")


@pytest.mark.parametrize(
    ("meta", "encoding"),
    [
        pytest.param('<meta charset="iso-8859-1">', "utf-8", id="says-latin1-is-utf8"),
        pytest.param('<meta charset="utf-8">', "latin-1", id="says-utf8-is-latin1"),
        pytest.param('<meta charset="no-such-charset">', "utf-8", id="unknown-charset"),
        pytest.param('<meta http-equiv="Content-Type" content="text/html; charset=utf-16">', "utf-8", id="says-utf16"),
    ],
)
def test_lying_meta_charset_is_briefed(news: Path, fake_model, meta: str, encoding: str) -> None:
    (news / "liar.html").write_bytes(_page(meta, encoding))
    data = assert_briefed((str(news),))
    liar = next(a for a in data["articles"] if a["source"].endswith("liar.html"))
    assert liar["title"] == "Pier closes"
    assert "harbour authority" in liar["summary"]


# --- network -------------------------------------------------------------------------------------------------------


class _HugeHandler(BaseHTTPRequestHandler):
    """A 200 MB body made up as it is sent: /declared says so in Content-Length, /undeclared does not."""

    protocol_version = "HTTP/1.1"
    size = 200 * 1024 * 1024

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if self.path == "/declared":
            self.send_header("Content-Length", str(self.size))
        else:
            self.send_header("Connection", "close")  # the body ends when the connection does
        self.end_headers()
        chunk = b"<p>" + b"x" * 65533
        sent = 0
        try:
            while sent < self.size:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client stopped reading at its cap

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def huge_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HugeHandler)
    server.daemon_threads = True
    server.handle_error = lambda *a: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


NETWORK_CASES: dict[str, tuple[Callable[[TestServer], str], str]] = {
    "http-404": (lambda s: s.url("/missing.html"), "HTTP 404"),
    "http-500": (lambda s: s.route("/error.html", b"<p>oops</p>", status=500), "HTTP 500"),
    "http-410-empty": (lambda s: s.route("/gone.html", b"", status=410), "HTTP 410"),
    "connection-refused": (lambda s: f"http://127.0.0.1:{unused_port()}/a.html", "connection refused"),
    "one-byte-per-second": (lambda s: s.route("/slow.html", b"<p>" + b"x" * 50, delay=1.0), "timed out after 1.5 s"),
    "stalled-headers": (lambda s: s.route("/stall.html", b"<p>x</p>", stall=10.0), "timed out"),
    "endless-chunked": (lambda s: s.route("/forever.html", endless=True), "larger than 4 MB"),
    "redirect-loop": (lambda s: (s.redirect("/b", "/a"), s.redirect("/a", "/b"))[1], "redirect loop"),
    "redirect-self": (lambda s: s.redirect("/self", "/self"), "redirect loop"),
    "too-many-redirects": (
        lambda s: [s.redirect(f"/r{i}", f"/r{i + 1}") for i in range(6)][0],
        "too many redirects (more than 3)",
    ),
    "redirect-to-file": (lambda s: s.redirect("/f", "file:///etc/passwd"), "redirect to a non-HTTP URL (file:"),
    "redirect-to-ftp": (lambda s: s.redirect("/ftp", "ftp://example.com/a"), "redirect to a non-HTTP URL (ftp:"),
    "redirect-to-invalid-url": (lambda s: s.redirect("/nowhere", "http://[::1"), "redirect to an invalid URL"),
    "png-served-as-html": (lambda s: s.route("/img.html", b"\x89PNG\r\n\x1a\n" + bytes(200)), "binary file (a PNG"),
    "html-as-pdf": (
        lambda s: s.route("/a.pdf", article_page("Pier", ARTICLE_PARAGRAPHS), content_type="application/pdf"),
        "not an HTML page (application/pdf)",
    ),
    "no-content-type": (
        lambda s: s.route("/x", article_page("P", ARTICLE_PARAGRAPHS), content_type=None),
        "not an HTML page (no content type)",
    ),
    "html-without-article": (lambda s: s.route("/nav.html", b"<nav><a href='/'>Home</a></nav>"), "no article text"),
    "broken-gzip": (
        lambda s: s.route("/gz.html", b"\x1f\x8b\x08\x00garbage", headers={"Content-Encoding": "gzip"}),
        "could not decode the response (gzip)",
    ),
    "truncated-gzip": (
        lambda s: s.route(
            "/cut.html",
            gzip.compress(article_page("Pier", ARTICLE_PARAGRAPHS))[:80],
            headers={"Content-Encoding": "gzip"},
        ),
        "could not decode the response (gzip)",
    ),
    "garbage-not-http": (lambda s: _garbage_url(), "the server closed the connection"),
}


def _garbage_url() -> str:
    """A server that answers every connection with bytes that are not HTTP, then hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1024)
                conn.sendall(b"\x00\x01garbage that is not HTTP\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/a.html"


@pytest.mark.parametrize("case", [pytest.param(c, id=i) for i, c in NETWORK_CASES.items()])
def test_bad_url_next_to_good_files(
    news: Path, fake_model, http_server: TestServer, quick_fetch: None, case: tuple[Callable[[TestServer], str], str]
) -> None:
    make, reason = case
    url = make(http_server)
    assert_one_error((str(news), url), url, reason)


@pytest.mark.parametrize("path", ["/declared", "/undeclared"])
def test_200_mb_body_stops_at_the_cap(news: Path, fake_model, huge_server: str, quick_fetch: None, path: str) -> None:
    url = huge_server + path
    assert_one_error((str(news), url), url, "larger than 4 MB")


def test_tls_error(news: Path, fake_model, quick_fetch: None, tmp_path: Path) -> None:
    server = TestServer()
    server.route("/a.html", article_page("Pier", ARTICLE_PARAGRAPHS))
    serve_over_untrusted_tls(server, tmp_path)
    server.start()
    try:
        url = f"https://127.0.0.1:{server.port}/a.html"
        assert_one_error((str(news), url), url, "TLS certificate verification failed")
        plain = f"https://127.0.0.1:{unused_port()}/a.html"
        assert_one_error((str(news), plain), plain, "connection refused")
    finally:
        server.stop()


def test_https_to_a_plain_http_server(news: Path, fake_model, quick_fetch: None, http_server: TestServer) -> None:
    http_server.route("/a.html", article_page("Pier", ARTICLE_PARAGRAPHS))
    url = http_server.url("/a.html").replace("http://", "https://")
    assert_one_error((str(news), url), url, "TLS")


def test_a_good_url_is_briefed(news: Path, fake_model, quick_fetch: None, http_server: TestServer) -> None:
    url = http_server.route("/a.html", article_page("Pier closes", ARTICLE_PARAGRAPHS))
    data = assert_briefed((str(news), url))
    assert any(a["source"] == url and a["title"] == "Pier closes" for a in data["articles"])


# --- feeds ---------------------------------------------------------------------------------------------------------

RSS = "application/rss+xml"


def rss(items: list[str], broken: bool = False) -> bytes:
    body = "".join(items)
    tail = "" if broken else "</channel></rss>"
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>http://example.com/</link>{body}{tail}"
    ).encode()


def item(link: str | None, title: str = "A story", guid: str | None = None) -> str:
    parts = [f"<title>{title}</title>"]
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if guid is not None:
        parts.append(f"<guid>{guid}</guid>")
    return f"<item>{''.join(parts)}</item>"


def feeds_file(tmp_path: Path, *urls: str) -> str:
    path = tmp_path / "feeds.txt"
    path.write_text("# feeds\n" + "\n".join(urls) + "\n")
    return str(path)


def _pages(server: TestServer, count: int) -> list[str]:
    return [
        server.route(
            f"/story{i}.html",
            article_page(f"Story {i}", [f"Story number {i} is here. {p}" for p in ARTICLE_PARAGRAPHS]),
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        pytest.param(b"this is not XML at all, just words", RSS, "not a feed", id="not-xml"),
        pytest.param(b"<html><body><p>a web page</p></body></html>", "text/xml", "not a feed", id="html-as-xml"),
        pytest.param(b"", RSS, "not a feed", id="empty-body"),
        pytest.param(b'{"version": "nope"}', "application/json", "not a feed", id="json-not-jsonfeed"),
        pytest.param(b"{broken json", "application/feed+json", "not a feed: invalid JSON", id="broken-jsonfeed"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", RSS, "not a feed", id="png-as-rss"),
    ],
)
def test_bad_feed(
    news: Path, tmp_path: Path, fake_model, http_server: TestServer, quick_fetch: None, body, content_type, reason
) -> None:
    url = http_server.route("/feed.xml", body, content_type=content_type)
    assert_one_error((str(news), "--feeds", feeds_file(tmp_path, url)), url, reason)


def test_bad_feed_entry_page(news: Path, tmp_path: Path, fake_model, http_server: TestServer, quick_fetch) -> None:
    [good] = _pages(http_server, 1)
    missing = http_server.url("/missing.html")
    url = http_server.route("/feed.xml", rss([item(good, "Good"), item(missing, "Missing")]), content_type=RSS)
    assert_one_error((str(news), "--feeds", feeds_file(tmp_path, url)), missing, "HTTP 404", good=3)


def test_bozo_feed_with_usable_entries(news: Path, tmp_path: Path, fake_model, http_server: TestServer, quick_fetch):
    links = _pages(http_server, 2)
    body = rss([item(link, f"Story {i}") for i, link in enumerate(links)], broken=True) + b"<unclosed & junk"
    url = http_server.route("/feed.xml", body, content_type=RSS)
    code, data, stderr, output = brief(str(news), "--feeds", feeds_file(tmp_path, url))
    assert code == 0, output
    assert len(data["articles"]) == 4
    assert f"briefing: warning: {url}: the feed is not well-formed" in stderr


def test_feed_entries_without_links(news: Path, tmp_path: Path, fake_model, http_server: TestServer, quick_fetch):
    [link] = _pages(http_server, 1)
    body = rss([item(None, "No link here"), item(link, "Linked"), item("   ", "Blank link")])
    url = http_server.route("/feed.xml", body, content_type=RSS)
    code, data, stderr, output = brief(str(news), "--feeds", feeds_file(tmp_path, url))
    assert code == 0, output
    assert len(data["articles"]) == 3
    assert "skipped an entry without a link (No link here)" in stderr
    assert "skipped an entry without a link (Blank link)" in stderr


def test_feed_with_only_linkless_entries(news: Path, tmp_path: Path, fake_model, http_server: TestServer, quick_fetch):
    url = http_server.route("/feed.xml", rss([item(None, "No link")]), content_type=RSS)
    code, data, stderr, output = brief(str(news), "--feeds", feeds_file(tmp_path, url))
    assert code == 0 and len(data["articles"]) == 2, output
    assert "skipped an entry without a link" in stderr


def test_duplicate_guids_are_briefed_once(news: Path, tmp_path: Path, fake_model, http_server: TestServer, quick_fetch):
    first, second = _pages(http_server, 2)
    body = rss([item(first, "One", guid="story-1"), item(second, "Again", guid="story-1"), item(first, "Link again")])
    url = http_server.route("/feed.xml", body, content_type=RSS)
    code, data, stderr, output = brief(str(news), "--feeds", feeds_file(tmp_path, url))
    assert code == 0, output
    assert len(data["articles"]) == 3
    assert http_server.requests.count("/story0.html") == 1
    assert "/story1.html" not in http_server.requests


def test_10000_entries_are_capped(news: Path, tmp_path: Path, fake_model, http_server: TestServer, quick_fetch):
    # Every entry links to the same small page (distinct query strings, so no entry is a duplicate).
    page = http_server.route("/story.html", article_page("Story", ARTICLE_PARAGRAPHS))
    body = rss([item(f"{page}?n={i}", f"Story {i}", guid=f"g{i}") for i in range(10_000)])
    url = http_server.route("/feed.xml", body, content_type=RSS)
    code, data, stderr, output = brief(str(news), "--feeds", feeds_file(tmp_path, url))
    assert code == 0, output
    assert http_server.requests.count("/feed.xml") == 1
    assert len([r for r in http_server.requests if r.startswith("/story.html")]) == QUICK.max_feed_entries
    assert f"briefing: warning: {url}: 10000 entries; using the first {QUICK.max_feed_entries}" in stderr
    assert len(data["articles"]) == 3  # the same page 20 times is one article


def test_feeds_file_that_is_binary(news: Path, tmp_path: Path, fake_model) -> None:
    path = tmp_path / "feeds.txt"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    code, data, stderr, output = brief(str(news), "--feeds", str(path))
    # The feeds file says what to read, like a config file: unreadable, it stops the run.
    assert code == 1, output
    assert data == {}
    assert stderr == f"Error: {path}: cannot read the feeds file (not UTF-8 text)\n"


# --- the bugs these cases found, at the level of the function that had them ---------------------------------------


def test_legacy_decoding_prefers_windows_1252_for_western_text() -> None:
    from briefing.article import decode_text

    # Was 'Cafķ' (cp775): charset_normalizer ranks several code pages equally on short text.
    assert decode_text(LATIN1_TEXT.encode("cp1252"), "x").startswith("Café reopens")
    assert "“quoted”" in decode_text("A “quoted” café.\n".encode("cp1252"), "x")
    cyrillic = "Кафе снова открылось\n\nКафе на площади открылось в понедельник после пожара.\n"
    assert decode_text(cyrillic.encode("cp1251"), "x") == cyrillic  # other scripts still detected


def test_mostly_utf8_with_a_broken_byte_keeps_its_utf8() -> None:
    from briefing.article import decode_text

    # Was 'Cafﾃｩ' (read as Shift-JIS) because one byte was not UTF-8.
    text = decode_text("Café au lait, naïve façade. ".encode() + b"\xff end.", "x")
    assert text == "Café au lait, naïve façade. \ufffd end."


def test_empty_feed_body_is_not_a_feed() -> None:
    from briefing.errors import InputError
    from briefing.feeds import parse_feed

    # Was AttributeError: feedparser leaves out 'version' altogether for an empty document.
    with pytest.raises(InputError, match="not a feed"):
        parse_feed(b"", "http://example.com/feed.xml", "application/rss+xml")


def test_binary_bytes_are_not_read_as_a_web_page() -> None:
    from briefing.article import parse_html
    from briefing.errors import InputError

    # Was "no article text found in the page (navigation, script or boilerplate only)".
    with pytest.raises(InputError, match=r"binary file \(a PNG image\)"):
        parse_html(b"\x89PNG\r\n\x1a\n" + bytes(64), "image.html")


def test_redirect_to_an_unparseable_url_is_named(http_server: TestServer) -> None:
    from briefing.errors import InputError
    from briefing.fetch import fetch

    # Was "the server closed the connection before the page was complete".
    url = http_server.redirect("/bad", "http://[::1")
    with pytest.raises(InputError, match="redirect to an invalid URL"):
        fetch(url, QUICK)
