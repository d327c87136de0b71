"""What links may reach and how much they may cost: the fetcher's rules, without the fetcher.

Kept apart from `fetch.py` so that settings can be checked without loading aiohttp.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import __version__
from bot.web.addresses import IPNetwork, parse_allowlist


@dataclass(frozen=True)
class FetchPolicy:
    allowlist: tuple[IPNetwork, ...] = ()
    ports: frozenset[int] = frozenset({80, 443})
    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 20.0          # the whole fetch, redirects included
    read_timeout: float = 10.0     # silence between two reads
    connect_timeout: float = 5.0
    max_redirects: int = 3
    user_agent: str = f"briefbot/{__version__} (news brief bot; +https://github.com/briefbot/briefbot)"

    @classmethod
    def from_text(cls, allowlist: str, ports: str, *, max_bytes: int, timeout: float) -> FetchPolicy:
        """Build from settings strings: 'allowlist' and 'ports' are comma-separated."""
        port_numbers = frozenset(int(p) for p in ports.split(",") if p.strip())
        return cls(allowlist=parse_allowlist(allowlist), ports=port_numbers, max_bytes=max_bytes, timeout=timeout)
