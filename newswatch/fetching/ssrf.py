"""Which addresses the fetcher may connect to (server-side request forgery guard).

A feed URL or a redirect can point at ``http://169.254.169.254/`` (cloud
metadata), ``http://localhost:9200/`` (our own Elasticsearch) or a name that
*resolves* to a private address. So the check runs on every address a host
name resolves to, and the fetcher then connects to exactly the address that
was checked: a second DNS answer (rebinding) never gets a say.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

from newswatch.fetching.errors import BlockedAddress, ConnectionFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# NAT64 (RFC 6052 well-known and local-use prefixes): the last 32 bits are an IPv4 address
# that a NAT64 gateway reaches on the requester's behalf.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1, 2002:0a00:0001:: (6to4) and 64:ff9b::10.0.0.1 (NAT64) carry an IPv4 address that decides.
        if any(address in network for network in _NAT64):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        return address.ipv4_mapped or address.sixtofour or address
    return address


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local, shared, reserved or multicast."""
    inner = _embedded_ipv4(address)
    return inner.is_global and not inner.is_multicast


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses only, plus explicit exceptions (networks or exact host names)."""

    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def allowing(cls, *entries: str) -> "AddressPolicy":
        """``AddressPolicy.allowing("127.0.0.1", "10.1.0.0/16", "intranet.example")``."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    def permits(self, host: str, address: IPAddress) -> bool:
        if host.lower().rstrip(".") in self.allowed_hosts:
            return True
        if any(address in network for network in self.allowed_networks):
            return True
        return is_public(address)

    def resolve(self, url: str, host: str, port: int) -> list[str]:
        """Every address of ``host``; refuses the host if any of them is not permitted.

        Refusing on *any* bad address (not just skipping it) stops a name that
        answers with one public and one private address from reaching the private one.
        """
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise ConnectionFailed(url, f"cannot resolve host {host!r}: {exc}") from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
            if not self.permits(host, address):
                raise BlockedAddress(url, f"host {host!r} resolves to non-public address {address}; refused")
        if not addresses:
            raise ConnectionFailed(url, f"host {host!r} has no addresses")
        return addresses
