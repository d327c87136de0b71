"""Names of links: the one place that decides how a host is shown and compared."""

from __future__ import annotations

from urllib.parse import urlsplit


def site_host(url: str | None) -> str | None:
    """'https://www.Example.com/a' → 'example.com'; None when the link has no host."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # '[zz' and other broken authorities
        return None
    return host.lower().removeprefix("www.") if host else None
