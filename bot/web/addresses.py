"""Which IP addresses a fetch may connect to: public ones, plus what an operator opens.

Pure functions, so the policy is testable without a network. Every embedded IPv4
form (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64) is judged by the IPv4
address inside it, so ::ffff:127.0.0.1 is loopback like 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges that ipaddress.is_global may still call global, blocked explicitly.
_ALWAYS_BLOCKED = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",    # carrier-grade NAT
    "192.0.0.0/24",     # IETF protocol assignments
    "198.18.0.0/15",    # benchmarking
    "224.0.0.0/4",      # multicast
    "240.0.0.0/4",      # reserved, broadcast
    "ff00::/8",         # IPv6 multicast
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def parse_allowlist(text: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    """'127.0.0.1, 10.1.0.0/16' -> networks; raises ValueError naming a bad entry."""
    items = text.split(",") if isinstance(text, str) else text
    networks = []
    for item in (i.strip() for i in items):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"'{item}' in the fetch allow-list is not an IP address or CIDR range") from None
    return tuple(networks)


def is_blocked(address: IPAddress, allowlist: tuple[IPNetwork, ...] = ()) -> bool:
    """True unless `address` is public (or explicitly allowed)."""
    if any(address in network for network in allowlist):
        return False
    return any(_not_public(a) for a in _forms(address))


def _forms(address: IPAddress) -> list[IPAddress]:
    """The address and every IPv4 address embedded in it."""
    forms: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            forms.append(address.ipv4_mapped)
        if address.sixtofour:
            forms.append(address.sixtofour)
        if address.teredo:
            forms.extend(address.teredo)
        if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
            forms.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return forms


def _not_public(address: IPAddress) -> bool:
    return (not address.is_global or address.is_multicast or address.is_reserved
            or any(address in network for network in _ALWAYS_BLOCKED if network.version == address.version))


def literal_address(host: str) -> IPAddress | None:
    """The IP a URL host names literally, in any form a resolver would accept:
    '127.0.0.1', '[::1]', '2130706433', '127.1', '0x7f.0.0.1', '0177.0.0.1'."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))  # the C library's lenient forms
        except OSError:
            return None
    return None
