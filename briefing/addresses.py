"""Which addresses a fetch may connect to, and resolving a host name within a deadline.

A feed is untrusted input and the digest runs unattended, often on a server. A link
or a redirect to 127.0.0.1, 169.254.169.254 (cloud metadata), 10.x or [::1] would
make this machine fetch from its own network and mail out what it found. So a fetch
connects only to public addresses unless the user allows private ones
(`--allow-private-addresses`). The check runs on the resolved address, which also
catches every spelling of one (2130706433, 0x7f.1, ::ffff:127.0.0.1) and a public
name pointing at a private address.

Standard library only; connect.py does the connecting.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not private in the ipaddress module's sense, but never a web site's address:
# carrier-grade NAT space (RFC 6598) is the provider's own network.
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
# NAT64 (RFC 6052): an IPv6 address that a gateway turns into the IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
ALLOW_HINT = "pass --allow-private-addresses (digest: allow_private_addresses = true) to fetch intranet addresses"


class AddressRefused(Exception):
    """A host resolved to an address that is not public; nothing was sent to it."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        self.host = host
        self.address = address
        self.kind = kind  # e.g. "a loopback address"
        where = f"{host} is" if host == address else f"{host} resolves to {address},"
        super().__init__(f"{where} {kind}")


def refusal(address: str) -> str | None:
    """Why `address` may not be fetched from (e.g. "a private address"), or None if it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone ("fe80::1%eth0")
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        # The connection ends up at the IPv4 address, so that one decides; on an
        # IPv6-only network with DNS64 every public site has a 64:ff9b:: address.
        inner = refusal(str(embedded))
        return None if inner is None else f"{inner} ({embedded} inside an IPv6 address)"
    kind = _kind(ip)
    return None if kind is None else f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"


def _kind(ip: IPAddress) -> str | None:
    # Most specific first: 127.0.0.1 is also "private" to the ipaddress module.
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("shared (carrier-grade NAT)", ip in _SHARED_ADDRESS_SPACE),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        # Documentation, benchmarking and other special-purpose ranges.
        ("non-public", not ip.is_global),
    )
    return next((kind for kind, matches in checks if matches), None)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and that a connection may end up at."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:  # ::ffff:127.0.0.1 reaches 127.0.0.1 on a dual-stack socket
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002:7f00:1:: (6to4)
        return ip.sixtofour
    if ip.teredo is not None:  # (server, client); the client is where packets go
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def resolve(host: str, port: int, timeout: float) -> list[tuple[Any, ...]]:
    """socket.getaddrinfo(host, port) for TCP, given up after `timeout` seconds.

    getaddrinfo cannot be interrupted, so it runs in a daemon thread that is left
    behind if the resolver never answers: the fetch's deadline covers the lookup too.
    Raises TimeoutError, or the resolver's OSError (socket.gaierror: no such host).
    """
    outcome: dict[str, Any] = {}

    def look_up() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.0))
    if thread.is_alive():
        raise TimeoutError(f"looking up {host} took more than {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["infos"]
