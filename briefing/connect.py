"""The httpx transport fetch.py uses: it connects only to addresses that passed the check.

httpcore would resolve the host itself inside socket.create_connection, after any
check of ours, and a rebinding DNS server could answer that second lookup with
127.0.0.1. So this backend resolves each host once, checks every address it got
(addresses.refusal) and connects to the checked address itself. TLS is untouched:
httpcore still verifies the certificate against the URL's host name and sends it
as SNI, and httpx still sends it in the Host header.

This module imports httpx and httpcore at the top; fetch.py imports it only when it
fetches, so `briefing --help` stays instant.
"""

from __future__ import annotations

import time
import typing

import httpcore
import httpx

from briefing import addresses

if typing.TYPE_CHECKING:
    from httpcore import NetworkStream


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's own socket backend, with the host name resolved and checked first."""

    def __init__(self, allow_private_addresses: bool, deadline_at: float) -> None:
        self.allow_private_addresses = allow_private_addresses
        self.deadline_at = deadline_at  # time.monotonic() at which the whole fetch gives up

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> NetworkStream:
        resolved = self._resolve(host, port, timeout)
        if not self.allow_private_addresses:
            for address in resolved:
                kind = addresses.refusal(address)
                if kind is not None:
                    # One bad address refuses the host: never pick the public one of a
                    # name that also points inside.
                    raise addresses.AddressRefused(host, address, kind)
        failure: Exception | None = None
        for address in resolved:
            try:
                # A numeric address: create_connection does no second DNS lookup.
                return super().connect_tcp(address, port, self._time_left(timeout), local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the host's next address, as create_connection would
        assert failure is not None  # getaddrinfo never returns an empty list
        raise failure

    def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        """The host's addresses, each once, in the resolver's order."""
        try:
            infos = addresses.resolve(host, port, self._time_left(timeout))
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:  # socket.gaierror: fetch.describe_http_error says "host not found"
            raise httpcore.ConnectError(str(exc)) from exc
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def _time_left(self, timeout: float | None) -> float:
        left = self.deadline_at - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("the fetch's deadline passed")
        return left if timeout is None else min(timeout, left)


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that uses CheckedBackend."""

    def __init__(self, allow_private_addresses: bool, deadline_at: float) -> None:
        # verify=True, always: a page we cannot authenticate is an error, never a fallback.
        ssl_context = httpx.create_ssl_context(verify=True)
        super().__init__(verify=ssl_context)
        # httpx has no parameter for the network backend; the httpcore pool it wraps does.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=CheckedBackend(allow_private_addresses, deadline_at),
        )
