"""Fetching web pages and feeds with hard limits: time, size, redirects, content type,
and only from public addresses unless private ones are allowed (addresses.py).

Every failure is an `InputError(url, "<one short reason>")`, so a bad URL costs one
line in the briefing's error list, never a traceback. httpx is imported inside the
functions that use it, so `briefing --help` stays instant.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from briefing import __version__
from briefing.addresses import ALLOW_HINT, AddressRefused
from briefing.errors import InputError

if TYPE_CHECKING:
    import httpx

    from briefing.article import Article

HTML_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")
FEED_TYPES: tuple[str, ...] = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
)
WEB_SCHEMES = ("http", "https")
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# The encodings _Inflater undoes; a server that sends another compression gets an error.
_ACCEPT_ENCODING = "gzip, deflate"
_UNSUPPORTED_ENCODINGS = ("br", "zstd", "compress", "x-compress")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# An IPv4 address as inet_aton reads it: one to four parts, each decimal, octal (0177) or hex (0x7f).
_LEGACY_IPV4 = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?", re.IGNORECASE)
# Click trackers and campaign tags: the same article shared twice differs only in these.
_TRACKING_PARAMS = ("fbclid", "gclid")
_TRACKING_PREFIXES = ("utm_",)
MiB = 1024 * 1024
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchSettings:
    """Limits for every fetch; a later config file can override any of them."""

    connect_timeout: float = 10.0  # seconds to open the connection (TCP + TLS)
    read_timeout: float = 20.0  # seconds of silence allowed between two reads
    deadline: float = 30.0  # total seconds per fetch, redirects included
    max_bytes: int = 10 * MiB  # decoded body size
    max_redirects: int = 3
    user_agent: str = f"briefing/{__version__} (news briefing tool; python-httpx)"
    workers: int = 4  # parallel fetches of a feed's article pages
    max_feed_entries: int = 200  # per feed
    # Loopback, private, link-local and other non-public addresses: refused unless
    # the user opts in (intranet feeds), because a feed is untrusted input.
    allow_private_addresses: bool = False


@dataclass(frozen=True)
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects: the page's canonical address
    status: int
    content_type: str  # media type only, lower case, no parameters
    body: bytes


def is_web_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def fetch(url: str, settings: FetchSettings | None = None, accept: tuple[str, ...] = HTML_TYPES) -> Fetched:
    """GET `url` within `settings`' limits, or raise InputError(url, reason)."""
    settings = settings or FetchSettings()
    _check_scheme(url, url)
    import httpx

    started = time.monotonic()
    sockets: list[socket.socket] = []
    # The per-chunk check below cannot stop a server that stalls or dribbles its headers;
    # the watchdog shuts the sockets at the deadline, which wakes any blocked read.
    watchdog = threading.Timer(settings.deadline, _shut_down, args=(sockets,))
    watchdog.daemon = True
    watchdog.start()
    try:
        with _client(settings, started + settings.deadline) as client:
            return _follow(client, url, settings, accept, started, sockets)
    except InputError:
        raise
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        if time.monotonic() - started >= settings.deadline:
            raise InputError(url, _timed_out(settings)) from None
        raise InputError(url, describe_http_error(exc, settings)) from None
    finally:
        watchdog.cancel()


def fetch_article(url: str, settings: FetchSettings | None = None) -> Article:
    """The article on one web page; its `url` is the final address after redirects."""
    from briefing.article import parse_html

    page = fetch(url, settings, HTML_TYPES)
    article = parse_html(page.body, url)
    return replace(article, url=page.final_url)


def normalise_url(url: str) -> str:
    """One spelling per page, for deduplication (not for fetching)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal loses its brackets in .hostname
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: leave the address as it was
        return url.strip()
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    query = sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(key))
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), urlencode(query), ""))


def describe_http_error(exc: Exception, settings: FetchSettings) -> str:
    """One short reason for an httpx (or socket) failure."""
    import httpx

    causes = list(_causes(exc))
    if any(isinstance(cause, ssl.SSLCertVerificationError) for cause in causes):
        detail = next(c.verify_message for c in causes if isinstance(c, ssl.SSLCertVerificationError))
        return f"TLS certificate verification failed ({detail})" if detail else "TLS certificate verification failed"
    if any(isinstance(cause, ssl.SSLError) for cause in causes):
        return "TLS handshake failed"
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "connection refused"
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return "host not found"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out (no data for {settings.read_timeout:g} s)"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return "not a valid URL"
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc):
        # httpx checks a redirect's target even when not following it
        return f"redirect to an invalid URL ({' '.join(str(exc).split())[:120]})"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return "the server closed the connection before the page was complete"
    return f"cannot fetch ({type(exc).__name__}: {exc})"


def format_size(size: int) -> str:
    if size % MiB == 0:
        return f"{size // MiB} MB"
    if size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def _client(settings: FetchSettings, deadline_at: float) -> httpx.Client:
    import httpx

    from briefing.connect import CheckedTransport

    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    # The transport verifies TLS and checks every address it connects to. It also
    # keeps out proxies from the environment: a proxy would resolve the host itself.
    return httpx.Client(
        transport=CheckedTransport(settings.allow_private_addresses, deadline_at),
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent},
    )


def _follow(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    accept: tuple[str, ...],
    started: float,
    sockets: list[socket.socket],
) -> Fetched:
    """GET, following redirects by hand so each target's scheme is checked first
    (its address is checked by the transport, on every hop)."""
    current = url
    visited = {url}
    headers = {"Accept": ", ".join((*accept, "*/*;q=0.1")), "Accept-Encoding": _ACCEPT_ENCODING}
    for _ in range(settings.max_redirects + 1):
        current = canonical_ipv4_host(current)
        request = client.build_request("GET", current, headers=headers, extensions={"trace": _socket_recorder(sockets)})
        try:
            response = client.send(request, stream=True)
        except AddressRefused as refused:
            redirected = f" (redirected to {current})" if current != canonical_ipv4_host(url) else ""
            raise InputError(url, f"refused: {refused}{redirected}; {ALLOW_HINT}") from None
        try:
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_STATUSES and location:
                target = urljoin(current, location.strip())
                _check_scheme(url, target, redirect=True)
                if target in visited:
                    raise InputError(url, f"redirect loop ({target})")
                visited.add(target)
                current = target
                continue
            if not 200 <= response.status_code < 300:
                raise InputError(url, f"HTTP {response.status_code}")
            content_type = _media_type(response.headers.get("content-type", ""))
            if content_type not in accept:
                raise InputError(url, f"{_expected(accept)} ({content_type or 'no content type'})")
            body = _read_body(url, response, settings, started)
            return Fetched(url, str(response.url), response.status_code, content_type, body)
        finally:
            response.close()
    raise InputError(url, f"too many redirects (more than {settings.max_redirects})")


def _read_body(url: str, response: httpx.Response, settings: FetchSettings, started: float) -> bytes:
    """The decoded body, stopped at the size cap or the deadline, whatever the headers claim."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise InputError(url, f"larger than {format_size(settings.max_bytes)}")
    inflater = _Inflater(url, response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    size = 0
    for raw in response.iter_raw():
        if time.monotonic() - started > settings.deadline:
            raise InputError(url, _timed_out(settings))
        # Room for one byte over the cap: enough to tell "too large", never a whole zip bomb.
        chunk = inflater.inflate(raw, settings.max_bytes - size + 1)
        size += len(chunk)
        if size > settings.max_bytes:
            raise InputError(url, f"larger than {format_size(settings.max_bytes)}")
        chunks.append(chunk)
    chunks.append(inflater.finish())
    return b"".join(chunks)


class _Inflater:
    """Undoes a gzip or deflate Content-Encoding chunk by chunk, and notices a broken or
    cut-off stream: httpx's own decoder takes a truncated gzip body for a short (often
    empty) page, which then failed as "no article text"."""

    def __init__(self, url: str, content_encoding: str) -> None:
        self.url = url
        self.encoding = content_encoding.strip().lower()
        if self.encoding in _UNSUPPORTED_ENCODINGS or "," in self.encoding:
            raise self._broken()
        # Other values (identity, or nonsense some servers send, like "utf-8") leave the
        # body as it is, as httpx did.
        self.window = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}.get(
            self.encoding
        )
        self.stream = zlib.decompressobj(self.window) if self.window else None
        self.received = False

    def inflate(self, data: bytes, limit: int) -> bytes:
        """The bytes `data` decodes to, at most `limit` of them (the caller stops there)."""
        if self.stream is None or not data:
            return data
        try:
            output = self.stream.decompress(data, limit)
        except zlib.error:
            if self.encoding != "deflate" or self.received:
                raise self._broken() from None
            # Raw deflate without the zlib header, as some old servers send it.
            self.window = -zlib.MAX_WBITS
            self.stream = zlib.decompressobj(self.window)
            output = self._inflate_or_fail(data, limit)
        self.received = True
        # Concatenated gzip members are one valid body; the next starts in unused_data.
        while self.stream.eof and self.stream.unused_data and len(output) < limit:
            rest = self.stream.unused_data
            self.stream = zlib.decompressobj(self.window)
            output += self._inflate_or_fail(rest, limit - len(output))
        return output

    def finish(self) -> bytes:
        """What is left; an error if the compressed stream stopped before its end."""
        if self.stream is None or not self.received:
            return b""
        if not self.stream.eof:
            raise self._broken()
        return self.stream.flush()

    def _inflate_or_fail(self, data: bytes, limit: int) -> bytes:
        assert self.stream is not None
        try:
            return self.stream.decompress(data, limit)
        except zlib.error:
            raise self._broken() from None

    def _broken(self) -> InputError:
        return InputError(self.url, f"could not decode the response ({self.encoding})")


def canonical_ipv4_host(url: str) -> str:
    """`url` with an IPv4 host in a legacy spelling (0177.0.0.1, 0x7f.1, 2130706433) written
    as four decimals, as browsers read it. httpx rejects some of those spellings and
    the resolver reads others its own way; written out, they are checked and fetched
    like any other address."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed "[": httpx names the problem
        return url
    host = parts.hostname or ""
    if not _LEGACY_IPV4.fullmatch(host):
        return url
    try:
        dotted = socket.inet_ntoa(socket.inet_aton(host.rstrip(".")))
    except OSError:  # a part out of range: not an address; httpx will say so
        return url
    if dotted == host:
        return url
    userinfo, at, host_and_port = parts.netloc.rpartition("@")
    _, colon, port = host_and_port.partition(":")
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{dotted}{colon}{port}"))


def _check_scheme(url: str, target: str, redirect: bool = False) -> None:
    if urlsplit(target).scheme.lower() in WEB_SCHEMES:
        return
    if redirect:
        raise InputError(url, f"redirect to a non-HTTP URL ({target})")
    raise InputError(url, "not a web address (only http:// and https:// URLs can be fetched)")


def _expected(accept: tuple[str, ...]) -> str:
    if set(accept) <= set(HTML_TYPES):
        return "not an HTML page"
    if set(accept) <= set(FEED_TYPES):
        return "not a feed"
    return "unexpected content type"


def _media_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def _tracking(key: str) -> bool:
    key = key.lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def _timed_out(settings: FetchSettings) -> str:
    return f"timed out after {settings.deadline:g} s"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _socket_recorder(sockets: list[socket.socket]) -> Any:
    """An httpcore trace hook that keeps each new connection's socket for the watchdog."""

    def record(event: str, info: dict[str, Any]) -> None:
        if event.endswith(("connect_tcp.complete", "start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                sockets.append(sock)

    return record


def _shut_down(sockets: list[socket.socket]) -> None:
    for sock in list(sockets):
        with contextlib.suppress(OSError):  # already closed
            # The plain socket method: SSLSocket.shutdown would also tear down its
            # TLS state under the reading thread.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
