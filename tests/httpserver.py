"""A real local HTTP server for tests: stdlib ThreadingHTTPServer on 127.0.0.1, ephemeral port.

Use it from a test module with

    pytest_plugins = ["httpserver"]  # the http_server fixture
    from httpserver import TestServer, article_page  # helpers, as needed

(`httpserver`, not `tests.httpserver`: tests/ has no __init__.py, so pytest puts tests/
itself on sys.path, as it does for conftest.py; `tests.` works only under `python -m pytest`.)
Then register what each path answers:

    def test_x(http_server):
        url = http_server.route("/a.html", b"<html>...</html>")
        http_server.route("/slow", body, delay=1.0)          # one byte per second
        http_server.route("/forever", endless=True)         # chunked body that never ends
        http_server.redirect("/old", "/a.html")             # 302 to another path (or any URL)
        http_server.requests                                # paths requested, in order ("HEAD /x" for HEAD)
        http_server.request_headers                         # and the headers each request sent

`article_page()` makes a small article page trafilatura can read; `SAMPLE_PAGES` holds
the real-looking pages in samples/articles. Unregistered paths answer 404. Everything
stays offline: the server binds 127.0.0.1 only (or another loopback address:
`TestServer("::1")`, `TestServer("127.0.0.2")`).

127.0.0.1 is a loopback address, which every fetch refuses unless it is allowed
(briefing/addresses.py), so fetching from these servers takes `local_fetch()` settings
(`--allow-private-addresses` on the command line, `allow_private_addresses = true` in a
digest config).

PYTEST_DONT_REWRITE (no asserts here; and test modules import it before pytest_plugins
registers it, which would otherwise warn)
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from briefing.fetch import FetchSettings

HTML = "text/html; charset=utf-8"
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "articles"
SAMPLE_PAGES = {path.name: path.read_bytes() for path in sorted(SAMPLES.glob("*.html"))}


def article_page(title: str | None, paragraphs: Sequence[str], published: str | None = None) -> bytes:
    """A minimal news page: optional <title> and published date, the paragraphs in an <article>."""
    head = ['<meta charset="utf-8">']
    if title:
        head.append(f"<title>{escape(title)}</title>")
    if published:
        head.append(f'<meta property="article:published_time" content="{escape(published)}">')
    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    heading = f"<h1>{escape(title)}</h1>" if title else ""
    page = f"<!doctype html><html><head>{''.join(head)}</head><body><article>{heading}{body}</article></body></html>"
    return page.encode("utf-8")


def local_fetch(**limits: Any) -> FetchSettings:
    """FetchSettings (with `limits`) that may fetch from the test servers' loopback addresses."""
    return FetchSettings(allow_private_addresses=True, **limits)


@dataclass(frozen=True)
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before each byte of the body
    stall: float = 0.0  # seconds to wait before sending anything at all
    endless: bool = False  # a chunked body that never ends


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients cut off on purpose (timeouts, TLS refusals) are not news


class _QuietServer6(_QuietServer):
    address_family = socket.AF_INET6


class TestServer:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        server_class = _QuietServer6 if ":" in host else _QuietServer
        self._server = server_class((host, port), _handler_for(self))
        self._thread = threading.Thread(target=self.serve, name="test-http-server", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = HTML,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        stall: float = 0.0,
        endless: bool = False,
    ) -> str:
        """Serve `body` at `path`; returns the full URL."""
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, data, all_headers, delay, stall, endless)
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        """Redirect `path` to `location` (a path on this server or any URL)."""
        return self.route(path, status=status, content_type=None, headers={"Location": location})

    def serve(self) -> None:
        # A short poll interval: shutdown() waits for one, and every test stops a server.
        self._server.serve_forever(poll_interval=0.02)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(server: TestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # chunked bodies need it

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            server.requests.append(self.path)
            server.request_headers.append(dict(self.headers.items()))
            route = server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
            route = route or Route(status=404, body=b"not found", headers={"Content-Type": "text/plain"})
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as tests make it
                self._answer(route)

        def do_HEAD(self) -> None:  # noqa: N802 (the stdlib's name)
            """The status and headers GET would send; recorded as "HEAD <path>"."""
            server.requests.append(f"HEAD {self.path}")
            server.request_headers.append(dict(self.headers.items()))
            route = server.routes.get(self.path) or Route(status=404, headers={"Content-Type": "text/plain"})
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()

        def _answer(self, route: Route) -> None:
            time.sleep(route.stall)
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.endless:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"x" * 16384
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if not route.delay:
                self.wfile.write(route.body)
                return
            for index in range(len(route.body)):
                time.sleep(route.delay)
                self.wfile.write(route.body[index : index + 1])
                self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
            pass  # keep test output clean

    return Handler


def unused_port() -> int:
    """A port nothing listens on (for 'connection refused')."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(host: str = "127.0.0.1", port: int = 0) -> Iterator[TestServer]:
    """A started TestServer on `host` (and `port`, 0: any free one), stopped afterwards."""
    server = TestServer(host, port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    with serving() as server:
        yield server


def serve_over_untrusted_tls(server: TestServer, folder: Path) -> None:
    """Put an unstarted TestServer behind TLS with a fresh self-signed certificate
    nobody trusts (skips the test where the openssl command is missing)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    serve_over_tls(server, cert, key)


def serve_over_tls(server: TestServer, cert: Path, key: Path) -> None:
    """Put an unstarted TestServer behind TLS with this certificate and key."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
