"""Telegraph (https://telegra.ph/api): pages for digests and briefs too long for one message.

Spoken to with aiohttp, like every other server briefbot reaches, rather than a Telegraph
client library: those build their URLs from a domain name (https://api.<domain>), so none
can be pointed at `telegraph_base_url` (a fake server on 127.0.0.1 in the tests), and the
asynchronous one brings httpx. Two methods are needed, `createAccount` (once: the token is
stored, see bot.store.state) and `createPage`; both are one form POST that answers
{"ok": true, "result": …} or {"ok": false, "error": "…"}.

Telegraph is a nicety: any failure (down, slow, an error answer) is a TelegraphFailed
that callers answer by posting as they would without it. No retries: one try with a short
deadline, so a dead Telegraph delays a digest by seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import aiohttp

from bot.core.render.labels import ENGLISH, RenderLabels
from bot.core.render.telegraph import Node, PageEntry, is_web_link, page_contents, page_title

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0       # one call, connection included
MAX_ANSWER_BYTES = 1 << 20   # createPage without return_content answers a few hundred bytes
SHORT_NAME = "briefbot"      # the account's name (Telegraph allows 1-32 characters)
TOKEN_KEY = "telegraph_token"


class TelegraphFailed(Exception):
    """Telegraph gave no usable answer; `str()` says why, for the log."""


class KeptValues(Protocol):
    """Where the account token is kept (bot.store.state.StateStore)."""

    async def get(self, key: str) -> str | None: ...

    async def keep_first(self, key: str, value: str) -> str: ...


class TelegraphClient:
    """The two API methods, against `base_url` (https://api.telegra.ph by default)."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def create_account(self, short_name: str, author_name: str = "") -> str:
        """A new account's access token."""
        result = await self._call("createAccount", {"short_name": short_name[:32], "author_name": author_name[:128]})
        token = result.get("access_token")
        if not isinstance(token, str) or not token:
            raise TelegraphFailed("createAccount answered without an access token")
        return token

    async def create_page(self, token: str, title: str, content: Sequence[Node], author_name: str = "") -> str:
        """The new page's URL."""
        result = await self._call("createPage", {
            "access_token": token, "title": title, "author_name": author_name[:128],
            "content": json.dumps(list(content), ensure_ascii=False, separators=(",", ":")),
            "return_content": "false"})
        url = result.get("url")
        if not isinstance(url, str) or not is_web_link(url):
            raise TelegraphFailed("createPage answered without a page link")
        return url

    async def _call(self, method: str, form: dict[str, str]) -> dict[str, Any]:
        try:
            # only the configured address: a redirect elsewhere is a failure, not followed
            async with self._client().post(f"{self.base_url}/{method}", data=form, allow_redirects=False) as response:
                if response.status != 200:
                    raise TelegraphFailed(f"{method}: HTTP {response.status}")
                body = await response.content.read(MAX_ANSWER_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TelegraphFailed(f"{method}: {type(error).__name__} {error}".strip()) from None
        return _result(method, body)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # the operator's address and nothing else: no proxies from the environment, no cookies
            self._session = aiohttp.ClientSession(
                trust_env=False, cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session


def _result(method: str, body: bytes) -> dict[str, Any]:
    if len(body) > MAX_ANSWER_BYTES:
        raise TelegraphFailed(f"{method}: the answer is too large")
    try:
        answer = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise TelegraphFailed(f"{method}: the answer is not JSON") from None
    if not isinstance(answer, dict) or not answer.get("ok"):
        error = answer.get("error") if isinstance(answer, dict) else None
        raise TelegraphFailed(f"{method}: {error or 'not ok'}")
    result = answer.get("result")
    if not isinstance(result, dict):
        raise TelegraphFailed(f"{method}: no result")
    return result


class TelegraphPages:
    """Publishes entries as pages with the one stored account; returns the pages' links."""

    def __init__(self, client: TelegraphClient, kept: KeptValues) -> None:
        self.client = client
        self.kept = kept
        self._token_lock = asyncio.Lock()
        # one account per Telegraph server: a token from another is no token there
        self._token_key = f"{TOKEN_KEY}:{client.base_url}"[:100]

    async def publish(self, title: str, entries: Sequence[PageEntry], author_name: str = "",
                      labels_for: Callable[[str], RenderLabels] = lambda _: ENGLISH) -> list[str]:
        """The links of the pages that hold `entries` in full (one, or more past 64 KB);
        raises TelegraphFailed when any page could not be made."""
        contents = page_contents(entries, labels_for)
        token = await self._token()
        return [await self.client.create_page(token, page_title(title, number, len(contents)), content, author_name)
                for number, content in enumerate(contents, 1)]

    async def close(self) -> None:
        await self.client.close()

    async def _token(self) -> str:
        """The stored account's token; the account is made on first use, once."""
        async with self._token_lock:
            token = await self.kept.get(self._token_key)
            if token is None:
                made = await self.client.create_account(SHORT_NAME, SHORT_NAME)
                token = await self.kept.keep_first(self._token_key, made)
                log.info("created a Telegraph account at %s", self.client.base_url)
            return token
