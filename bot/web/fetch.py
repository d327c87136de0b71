"""Safe HTTP fetching of untrusted links (built like Synapse's URL previews).

A stranger's link must not reach into the network the bot runs in. Every address
a host resolves to is checked when aiohttp connects (the checking resolver is the
connector's own, so what is checked is what is dialled: no DNS rebinding), IP
literals are checked before the request (aiohttp skips resolvers for them), each
redirect is a new checked request, and the body is bounded while it is read and
while it is decompressed.
"""

from __future__ import annotations

import asyncio
import re
import socket
import zlib
from dataclasses import dataclass, field

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.errors import megabytes
from bot.web.addresses import IPNetwork, is_blocked, literal_address
from bot.web.decode import decode_bytes
from bot.web.errors import FetchCause, FetchError
from bot.web.policy import FetchPolicy

ACCEPTED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
                        "application/rdf+xml", "application/feed+json"}) | ACCEPTED_TYPES
_CHUNK = 64 * 1024
# The WHATWG URL rule: a host whose last label is a number is an IPv4 address or invalid.
_NUMERIC_LABEL = re.compile(r"\d+|0[xX][0-9a-fA-F]*")


@dataclass(frozen=True)
class FetchedPage:
    url: str                # after redirects
    content_type: str
    body: bytes
    text: str               # decoded with the header, meta or detected charset
    charset: str
    redirects: list[str] = field(default_factory=list)
    status: int = 200                # 304: not modified since the ETag / date that was sent
    etag: str | None = None
    last_modified: str | None = None


class CheckingResolver(AbstractResolver):
    """Resolves with `inner` and refuses a host if any of its addresses is blocked."""

    def __init__(self, inner: AbstractResolver, allowlist: tuple[IPNetwork, ...]) -> None:
        self.inner = inner
        self.allowlist = allowlist

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        for result in results:
            address = literal_address(result["host"])
            if address is None or is_blocked(address, self.allowlist):
                raise FetchError(FetchCause.BLOCKED, f"{host} resolves to a private or reserved address ({result['host']}); "
                                            "briefbot does not fetch those.")
        return results

    async def close(self) -> None:
        await self.inner.close()


class SafeFetcher:
    """One shared aiohttp session with the safety rules applied to every request."""

    def __init__(self, policy: FetchPolicy | None = None, resolver: AbstractResolver | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._inner_resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _shared_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = CheckingResolver(self._inner_resolver or aiohttp.ThreadedResolver(), self.policy.allowlist)
            connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, limit=32, limit_per_host=4)
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # no cookies kept between strangers' links
                trust_env=False,                      # no proxies from the environment
                auto_decompress=False,                # we decompress, bounded, ourselves
                headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate",
                         "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9"},
            )
        return self._session

    async def fetch(self, url: str, *, headers: dict[str, str] | None = None,
                    accept: frozenset[str] = ACCEPTED_TYPES) -> FetchedPage:
        """Fetch `url` or raise FetchError naming the cause. `headers` may carry conditional
        request headers (If-None-Match, If-Modified-Since); `accept` the content types allowed."""
        try:
            return await asyncio.wait_for(self._fetch(url, headers or {}, accept), timeout=self.policy.timeout)
        except TimeoutError:
            raise FetchError(FetchCause.TIMEOUT, f"The site took longer than {self.policy.timeout:g} s to answer.") from None

    async def _fetch(self, url: str, headers: dict[str, str], accept: frozenset[str]) -> FetchedPage:
        session = self._shared_session()
        current = self._checked_url(url)
        redirects: list[str] = []
        while True:
            try:
                timeout = aiohttp.ClientTimeout(sock_connect=self.policy.connect_timeout,
                                                sock_read=self.policy.read_timeout)
                async with session.get(current, allow_redirects=False, timeout=timeout, headers=headers) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        current = self._redirect_target(current, response, redirects)
                        continue
                    return await self._page(current, response, redirects, accept)
            except FetchError:
                raise
            except aiohttp.ClientConnectorError as error:
                cause = error.os_error if isinstance(error.os_error, FetchError) else None
                if cause:
                    raise cause from None
                raise FetchError(FetchCause.NETWORK, f"Could not connect to {current.host}: {error.os_error.strerror or error}.") from None
            except (TimeoutError, aiohttp.ServerTimeoutError):
                raise FetchError(FetchCause.TIMEOUT, "The site stopped sending data.") from None
            except (aiohttp.ClientResponseError, aiohttp.ClientPayloadError):
                # e.g. more bytes than its Content-Length said: never read past what was declared
                raise FetchError(FetchCause.BAD_RESPONSE, f"{current.host} sent a malformed HTTP response.") from None
            except aiohttp.ClientError as error:
                raise FetchError(FetchCause.NETWORK, f"The connection to {current.host} failed ({type(error).__name__}).") from None
            except UnicodeError:  # a host name the resolver cannot encode, e.g. a label over 63 characters
                raise FetchError(FetchCause.BAD_URL, f"{current.host} is not a valid host name.") from None

    def _checked_url(self, raw: str) -> URL:
        try:
            url = URL(raw.strip())
            port = url.port  # yarl checks the range here: http://host:99999 is a ValueError
        except (ValueError, TypeError):
            raise FetchError(FetchCause.BAD_URL, "This is not a valid link.") from None
        if any(c.isspace() for c in raw.strip()):
            raise FetchError(FetchCause.BAD_URL, "A link cannot contain spaces.")
        if url.scheme not in ("http", "https"):
            raise FetchError(FetchCause.BAD_URL, f"Only http and https links can be fetched, not '{url.scheme or 'no scheme'}:'.")
        if not url.host:
            raise FetchError(FetchCause.BAD_URL, "The link has no host name.")
        if port not in self.policy.ports:
            raise FetchError(FetchCause.BLOCKED_PORT, f"Port {port} is not allowed; links must use ports "
                                        f"{', '.join(map(str, sorted(self.policy.ports)))}.")
        _check_host_name(url.raw_host or "")
        address = literal_address(url.host.rstrip("."))  # '127.0.0.2.' is 127.0.0.2 to a resolver
        if address is None and _NUMERIC_LABEL.fullmatch(url.host.rstrip(".").rsplit(".", 1)[-1]):
            # '4294967298' or '1.2.3.4.5': numbers that are no address; resolvers differ on them
            raise FetchError(FetchCause.BAD_URL, f"{url.host} is neither an IP address nor a host name.")
        if address is not None:
            if is_blocked(address, self.policy.allowlist):
                raise FetchError(FetchCause.BLOCKED, f"{url.host} is a private or reserved address; briefbot does not fetch those.")
            url = url.with_host(str(address))  # '2130706433' becomes the address it means
        return url.with_fragment(None)

    def _redirect_target(self, current: URL, response: aiohttp.ClientResponse, redirects: list[str]) -> URL:
        location = response.headers.get("Location")
        if not location:
            raise FetchError(FetchCause.HTTP_STATUS, f"The site sent a redirect ({response.status}) without a target.")
        redirects.append(str(current))
        if len(redirects) > self.policy.max_redirects:
            raise FetchError(FetchCause.TOO_MANY_REDIRECTS, f"The link redirects more than {self.policy.max_redirects} times.")
        try:
            target = str(current.join(URL(location)))
        except (ValueError, TypeError):  # 'http://[zz/', a port over 65535, …
            raise FetchError(FetchCause.BAD_URL, f"The site redirected to an invalid link ({location[:80]}).") from None
        return self._checked_url(target)

    async def _page(self, url: URL, response: aiohttp.ClientResponse, redirects: list[str],
                    accept: frozenset[str] = ACCEPTED_TYPES) -> FetchedPage:
        if response.status == 304:
            return FetchedPage(str(url), "", b"", "", "", redirects, status=304)
        if response.status >= 400:
            raise FetchError(FetchCause.HTTP_STATUS, f"The site answered HTTP {response.status} {response.reason or ''}".rstrip() + ".")
        content_type = response.content_type.lower()
        if content_type not in accept:
            raise FetchError(FetchCause.NOT_ARTICLE, f"The link is not a web page but '{content_type}'.")
        if response.content_length is not None and response.content_length > self.policy.max_bytes:
            raise FetchError(FetchCause.TOO_LARGE, f"The page is larger than {megabytes(self.policy.max_bytes)}.")
        body = await self._read_body(response)
        text, charset = decode_bytes(body, response.charset)
        return FetchedPage(str(url), content_type, body, text, charset, redirects, response.status,
                           response.headers.get("ETag"), response.headers.get("Last-Modified"))

    async def _read_body(self, response: aiohttp.ClientResponse) -> bytes:
        encoding = response.headers.get("Content-Encoding", "identity").lower().strip()
        decompressor = _decompressor(encoding)
        limit = self.policy.max_bytes
        parts: list[bytes] = []
        size = raw_size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            raw_size += len(chunk)
            if decompressor is not None:
                # max_length bounds each step, so a small bomb can never expand past the cap
                try:
                    chunk = decompressor.decompress(chunk, limit - size + 1)
                except zlib.error:
                    raise FetchError(FetchCause.BAD_RESPONSE, f"The site said the page was compressed ({encoding}), "
                                                     "but it is not.") from None
                if decompressor.unconsumed_tail:
                    raise FetchError(FetchCause.TOO_LARGE, f"The page is larger than {megabytes(limit)} once decompressed.")
            size += len(chunk)
            if size > limit or raw_size > limit:
                raise FetchError(FetchCause.TOO_LARGE, f"The page is larger than {megabytes(limit)}.")
            parts.append(chunk)
        return b"".join(parts)


def _check_host_name(host: str) -> None:
    """The DNS limits (labels of 63 characters, 253 in all), checked before a resolver trips on them."""
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or any(len(label) > 63 for label in labels):
        raise FetchError(FetchCause.BAD_URL, "The link's host name is too long to be a real one.")


def _decompressor(encoding: str) -> zlib._Decompress | None:
    if encoding in ("identity", ""):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchError(FetchCause.NOT_ARTICLE, f"The site sent the page in an encoding briefbot does not read ({encoding}).")

