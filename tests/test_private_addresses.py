"""Fetching cannot be turned against the machine it runs on (SSRF).

A feed is untrusted input: its entry links and its redirects may point at 127.0.0.1,
the cloud metadata address, the office network or [::1]. Every fetch resolves the
host once, refuses any address that is not public, and connects to the address it
checked. `--allow-private-addresses` (digest: `allow_private_addresses = true`) lets
intranet feeds through.

The servers here are real and local; loopback addresses stand in for the internal
network. One of them, 127.0.0.2, stands in for a public web site: the `public_site`
fixture exempts exactly that address from the rule, so that a feed or a redirect can
come from an allowed host and point inside. Host names are answered by `dns`, a
stand-in for socket.getaddrinfo.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from httpserver import TestServer, article_page, local_fetch, serve_over_tls, serving

from briefing import addresses
from briefing.addresses import ALLOW_HINT, refusal
from briefing.cli import main
from briefing.errors import InputError
from briefing.fetch import FetchSettings, canonical_ipv4_host, fetch

pytest_plugins = ["httpserver"]  # the http_server fixture

PUBLIC = "127.0.0.2"  # the one loopback address the public_site fixture lets through
DEFAULT = FetchSettings(connect_timeout=2.0, read_timeout=5.0, deadline=5.0)  # no opt-in
ALLOWED = local_fetch(connect_timeout=2.0, read_timeout=5.0, deadline=5.0)
MEMO = [
    "The finance committee met behind closed doors on Monday to discuss the plan to sell the depot site.",
    "Members agreed that the figures in this memo must not leave the building before the board meets.",
]
NEWS = [
    "The harbour authority said on Monday that the old pier would close for repairs after storm damage.",
    "Engineers found that several supports had rusted through and that the deck was no longer safe.",
]


def refused(address_text: str, redirected_to: str | None = None) -> str:
    """The whole reason of a refused fetch."""
    redirected = f" (redirected to {redirected_to})" if redirected_to else ""
    return f"refused: {address_text}{redirected}; {ALLOW_HINT}"


def reason(url: str, settings: FetchSettings = DEFAULT) -> str:
    with pytest.raises(InputError) as caught:
        fetch(url, settings)
    assert caught.value.source == url
    return caught.value.reason


@pytest.fixture
def intranet() -> Iterator[TestServer]:
    """What an attacker wants fetched: a page on this machine's own network (127.0.0.1)."""
    with serving() as server:
        server.route("/memo.html", article_page("Internal memo", MEMO))
        yield server


@pytest.fixture
def public_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestServer]:
    """A server the address check takes for a public web site (it listens on 127.0.0.2)."""
    real = addresses.refusal
    monkeypatch.setattr(addresses, "refusal", lambda address: None if address == PUBLIC else real(address))
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(serving(PUBLIC))
        except OSError as exc:  # Linux routes all of 127/8 to loopback; macOS only 127.0.0.1
            pytest.skip(f"cannot listen on {PUBLIC} here ({exc})")
        server.route("/pier.html", article_page("Pier closes", NEWS))
        yield server


class FakeDNS:
    """socket.getaddrinfo, with the names in `answers` answered from it (one answer per
    lookup, the last one repeated) and everything else (numeric hosts) by the real one."""

    def __init__(self) -> None:
        self.real = socket.getaddrinfo
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []
        self.hang = threading.Event()  # set: lookups of "slow.example" block until it is cleared
        self.released = threading.Event()

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host == "slow.example":
            self.released.wait(30)
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.lookups.append(host)
        answers = self.answers[host]
        addresses_now = answers[min(len(self.lookups) - 1, len(answers) - 1)]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses_now
        ]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDNS]:
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake
    fake.released.set()  # let a lookup left hanging finish


# --- the rule ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("10.0.0.5", "a private address"),
        ("172.16.4.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("255.255.255.255", "a private address"),
        ("192.0.2.10", "a private address"),  # documentation range
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%lo", "a link-local address"),
        ("fd00::1", "a private address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address (127.0.0.1 inside an IPv6 address)"),
        ("::ffff:169.254.169.254", "a link-local address (169.254.169.254 inside an IPv6 address)"),
        ("2002:a00:5::", "a private address (10.0.0.5 inside an IPv6 address)"),  # 6to4
        ("64:ff9b::7f00:1", "a loopback address (127.0.0.1 inside an IPv6 address)"),  # NAT64
        ("::7f00:1", "a reserved address"),  # IPv4-compatible, long deprecated
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
        ("::ffff:93.184.215.14", None),
        ("64:ff9b::5db8:d70e", None),  # a public site seen through DNS64
    ],
)
def test_which_addresses_are_refused(address: str, expected: str | None) -> None:
    assert refusal(address) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://2130706433:8080/a?b#c", "http://127.0.0.1:8080/a?b#c"),
        ("http://0177.0.0.1/", "http://127.0.0.1/"),
        ("http://0x7f.1/", "http://127.0.0.1/"),
        ("http://user:pw@0x7F.0.0.1:99/x", "http://user:pw@127.0.0.1:99/x"),
        ("http://10.1/", "http://10.0.0.1/"),
        ("http://127.0.0.1/?", "http://127.0.0.1/?"),  # already canonical: untouched
        ("http://999.1.1.1/", "http://999.1.1.1/"),  # not an address: httpx says so
        ("http://example.com/a", "http://example.com/a"),
        ("http://123.example/a", "http://123.example/a"),
        ("http://[::1]/a", "http://[::1]/a"),
    ],
)
def test_legacy_ipv4_spellings_are_written_out(url: str, expected: str) -> None:
    assert canonical_ipv4_host(url) == expected


# --- feeds and redirects ------------------------------------------------------------------------------------------


def brief(*args: str) -> tuple[Result, dict[str, Any]]:
    result = CliRunner().invoke(main, [*args, "--model", "fake", "-f", "json", "--date", "2026-03-02"])
    assert "Traceback" not in result.output, result.output
    return result, (json.loads(result.stdout) if result.stdout.strip() else {})


def test_feed_entries_pointing_to_loopback_are_refused_unless_allowed(
    tmp_path: Path, public_site: TestServer, intranet: TestServer, fake_model: Any
) -> None:
    memo = intranet.url("/memo.html")
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link></item>"
        for title, link in (("Pier", public_site.url("/pier.html")), ("Memo", memo))
    )
    feed = public_site.route(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(feed + "\n")

    result, data = brief("daily", "--feeds", str(feeds))
    assert result.exit_code == 3, result.output
    assert [a["title"] for a in data["articles"]] == ["Pier closes"]
    expected = refused("127.0.0.1 is a loopback address")
    assert data["errors"] == [{"source": memo, "error": expected}]
    assert f"briefing: error: {memo}: {expected}" in result.stderr.splitlines()
    assert intranet.requests == []  # refused before anything was sent

    result, data = brief("daily", "--allow-private-addresses", "--feeds", str(feeds))
    assert result.exit_code == 0, result.output
    assert sorted(a["title"] for a in data["articles"]) == ["Internal memo", "Pier closes"]


def test_a_redirect_from_a_public_site_to_loopback_is_refused(public_site: TestServer, intranet: TestServer) -> None:
    memo = intranet.url("/memo.html")
    start = public_site.redirect("/story", memo)
    assert reason(start) == refused("127.0.0.1 is a loopback address", redirected_to=memo)
    assert public_site.requests == ["/story"] and intranet.requests == []
    assert fetch(start, ALLOWED).final_url == memo


def test_briefing_url_refuses_loopback_with_one_line(intranet: TestServer, fake_model: Any) -> None:
    memo = intranet.url("/memo.html")
    result = CliRunner().invoke(main, ["url", memo, "--model", "fake"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {memo}: {refused('127.0.0.1 is a loopback address')}"]
    allowed = CliRunner().invoke(main, ["url", memo, "--allow-private-addresses", "--model", "fake"])
    assert allowed.exit_code == 0, allowed.output
    assert "Internal memo" in allowed.stdout


# --- host names -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "answer", "expected"),
    [
        ("intranet.example", ["10.0.0.5"], "intranet.example resolves to 10.0.0.5, a private address"),
        ("metadata.example", ["169.254.169.254"], "metadata.example resolves to 169.254.169.254, a link-local address"),
        ("mixed.example", ["93.184.215.14", "10.0.0.5"], "mixed.example resolves to 10.0.0.5, a private address"),
        ("six.example", ["fd00::5"], "six.example resolves to fd00::5, a private address"),
    ],
)
def test_a_name_that_resolves_to_a_private_address_is_refused(
    dns: FakeDNS, name: str, answer: list[str], expected: str
) -> None:
    dns.answers[name] = [answer]
    assert reason(f"http://{name}/a.html") == refused(expected)
    assert dns.lookups == [name]


def test_a_name_that_resolves_to_loopback_is_fetched_only_when_allowed(dns: FakeDNS, intranet: TestServer) -> None:
    dns.answers["intranet.example"] = [["127.0.0.1"]]
    url = f"http://intranet.example:{intranet.port}/memo.html"
    assert reason(url) == refused("intranet.example resolves to 127.0.0.1, a loopback address")
    assert intranet.requests == []
    assert fetch(url, ALLOWED).body == article_page("Internal memo", MEMO)
    assert intranet.request_headers[0]["Host"] == f"intranet.example:{intranet.port}"  # the name, not the address


def test_the_address_checked_is_the_address_connected_to(dns: FakeDNS, public_site: TestServer) -> None:
    # A rebinding DNS server: public on the first lookup, loopback on any later one.
    # A second lookup at connect time would reach the server on 127.0.0.1.
    try:
        inside = TestServer("127.0.0.1", public_site.port)
    except OSError:
        pytest.skip(f"127.0.0.1:{public_site.port} is taken")
    inside.route("/pier.html", article_page("Internal memo", MEMO))
    inside.start()
    try:
        dns.answers["rebind.example"] = [[PUBLIC], ["127.0.0.1"]]
        page = fetch(f"http://rebind.example:{public_site.port}/pier.html", DEFAULT)
    finally:
        inside.stop()
    assert page.body == article_page("Pier closes", NEWS)
    assert dns.lookups == ["rebind.example"]
    assert inside.requests == []


def test_the_deadline_covers_the_dns_lookup(dns: FakeDNS) -> None:
    # The resolver never answers (until the test ends); the fetch gives up at its deadline.
    assert reason("http://slow.example/a.html", FetchSettings(deadline=0.5)) == "timed out after 0.5 s"


# --- spellings of loopback --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1 is a loopback address"),  # decimal
        ("0177.0.0.1", "127.0.0.1 is a loopback address"),  # octal
        ("0x7f.1", "127.0.0.1 is a loopback address"),  # hex, two parts
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address (127.0.0.1 inside an IPv6 address)"),
    ],
)
def test_other_spellings_of_loopback(intranet: TestServer, host: str, expected: str) -> None:
    url = f"http://{host}:{intranet.port}/memo.html"
    assert reason(url) == refused(expected)
    assert intranet.requests == []
    assert fetch(url, ALLOWED).body == article_page("Internal memo", MEMO)


def test_ipv6_loopback() -> None:
    try:
        server = TestServer("::1")
    except OSError as exc:
        pytest.skip(f"cannot listen on [::1] here ({exc})")
    server.route("/memo.html", article_page("Internal memo", MEMO))
    server.start()
    try:
        url = server.url("/memo.html")
        assert url.startswith("http://[::1]:")
        assert reason(url) == refused("::1 is a loopback address")
        assert server.requests == []
        assert fetch(url, ALLOWED).body == article_page("Internal memo", MEMO)
    finally:
        server.stop()


# --- TLS -------------------------------------------------------------------------------------------------------------


def certificate_for(folder: Path, hostname: str) -> tuple[Path, Path, Path]:
    """A throwaway CA, and a certificate it signed for `hostname`: (ca, cert, key)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make certificates")

    def openssl(command: str) -> None:
        subprocess.run(["openssl", *command.split()], check=True, capture_output=True, cwd=folder)

    openssl("req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test-ca -keyout ca.key -out ca.pem")
    openssl(f"req -newkey rsa:2048 -nodes -subj /CN={hostname} -keyout leaf.key -out leaf.csr")
    (folder / "san.cnf").write_text(f"subjectAltName=DNS:{hostname}\n")
    openssl("x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile san.cnf -out leaf.pem")
    return folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key"


def test_tls_is_verified_against_the_host_name_not_the_address(
    tmp_path: Path, dns: FakeDNS, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The connection goes to the checked address (127.0.0.1), but the certificate must
    # still match the name in the URL, which is also what the server sees as SNI.
    ca, cert, key = certificate_for(tmp_path, "intranet.example")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # httpx trusts this CA only
    server = TestServer()
    server.route("/memo.html", article_page("Internal memo", MEMO))
    serve_over_tls(server, cert, key)
    server.start()
    try:
        dns.answers["intranet.example"] = [["127.0.0.1"]]
        dns.answers["other.example"] = [["127.0.0.1"]]
        good = f"https://intranet.example:{server.port}/memo.html"
        assert fetch(good, ALLOWED).body == article_page("Internal memo", MEMO)
        wrong = f"https://other.example:{server.port}/memo.html"
        assert reason(wrong, ALLOWED).startswith("TLS certificate verification failed (Hostname mismatch")
        assert reason(good) == refused("intranet.example resolves to 127.0.0.1, a loopback address")
    finally:
        server.stop()
