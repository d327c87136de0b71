"""An OpenAI-compatible chat server (Ollama, vLLM, llama.cpp, a hosted API) as the `llm` engine.

Spoken to with aiohttp rather than the `openai` client. aiohttp is already how
briefbot fetches links, so the server costs no new dependency (the client brings
httpx, pydantic, jiter and more); and the rules issue 13 sets are not the
client's: retry 429 and 5xx only (it also retries timeouts and refused
connections, which would multiply a dead server's delay by four), one deadline
over every try, and a fall-back from `json_schema` to `json_object` when a server
rejects the first. That is a short loop here and a fight with the client there.

Briefs are made in worker threads; the requests run on one event loop in a
thread of their own, so a process shares one connection pool and one bound on
requests in flight (`llm_concurrency`) however many briefs are waiting. The API
key goes in the Authorization header and nowhere else: causes name the status,
never the headers, and the server's address is shown without any credentials.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import email.utils
import json
import logging
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp

from bot.config import Settings

log = logging.getLogger(__name__)
RETRIES = 3                 # after the first try, for 429 and 5xx only
BACKOFF_SECONDS = 0.5       # then 1 s, then 2 s, unless the server says when (Retry-After)
PROBE_SECONDS = 5.0         # `briefbot models list` asks whether the server answers, briefly
FORMATS = ("json_schema", "json_object", "none")  # what to ask for, best first
_T = TypeVar("_T")


class ServerFailed(Exception):
    """The server gave no usable answer; `str()` is the cause, short enough for a warning."""


@dataclass(frozen=True)
class Reply:
    text: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds: float
    attempts: int
    response_format: str


@dataclass(frozen=True)
class ServerOptions:
    base_url: str
    model: str
    api_key: str = ""
    timeout: float = 60.0     # seconds for one answer, every retry and wait included
    concurrency: int = 4      # requests in flight per process
    max_tokens: int = 1024


class ChatServer:
    """Chat Completions (`POST {base}/chat/completions`) with JSON answers, bounded and retried."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.base_url, self._login = _without_login(options.base_url.rstrip("/"))
        self.model = options.model  # empty: the first model the server lists
        self.server = public_address(self.base_url)
        self._format = 0  # index into FORMATS: moves on when a server rejects one, for good
        self._gate = asyncio.Semaphore(options.concurrency)  # made anew with each loop, see _started_loop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._session: aiohttp.ClientSession | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"llm:{self.model or '?'}"

    # ---- from any thread ---------------------------------------------------------

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> Reply:
        """The model's answer to `messages`; raises ServerFailed with the cause."""
        return self._run(self._complete(messages, schema))

    def models(self) -> list[str]:
        """The ids that `GET {base}/models` lists; raises ServerFailed when it does not answer."""
        return self._run(self._list_models())

    def close(self) -> None:
        """Ends requests still in flight (their briefs fall back to extractive) and the session."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shut_down(), loop).result(PROBE_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(PROBE_SECONDS)
        loop.close()

    def _run(self, work: Coroutine[Any, Any, _T]) -> _T:
        try:
            return asyncio.run_coroutine_threadsafe(work, self._started_loop()).result()
        except concurrent.futures.CancelledError:
            raise ServerFailed("the LLM client was closed while waiting for the server") from None

    def _started_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:  # first use, or first since close(): a fresh loop and its own gate
                self._loop = asyncio.new_event_loop()
                self._gate = asyncio.Semaphore(self.options.concurrency)
                self._thread = threading.Thread(target=self._loop.run_forever, name="briefbot-llm", daemon=True)
                self._thread.start()
            return self._loop

    # ---- on the client's loop ----------------------------------------------------

    async def _complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> Reply:
        async with self._gate:
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.options.timeout):
                    if not self.model:
                        self.model = await self._first_model()
                    return await self._tries(messages, schema, started)
            except TimeoutError:
                raise ServerFailed(f"the server did not answer within {self.options.timeout:g} s "
                                   "(llm_timeout)") from None
            except aiohttp.ClientConnectionError:
                raise ServerFailed(f"the server at {self.server} could not be reached") from None
            except aiohttp.ClientError as error:
                raise ServerFailed(f"the exchange with the server failed ({type(error).__name__})") from None

    async def _tries(self, messages: list[dict[str, str]], schema: dict[str, Any], started: float) -> Reply:
        attempts = 0
        while True:
            attempts += 1
            response_format = FORMATS[self._format]
            body = self._request(messages, schema, response_format)
            async with (await self._client()).post(f"{self.base_url}/chat/completions", json=body,
                                                   headers=self._headers()) as response:
                status = response.status
                if status == 200:
                    data = await _json(response)
                    return _reply(data, time.monotonic() - started, attempts, response_format)
                if status in (400, 422) and response_format != "none" and _about_format(await response.text()):
                    self._format += 1  # the server does not take this response_format: ask for less
                    attempts -= 1
                    continue
                if (status == 429 or status >= 500) and attempts <= RETRIES:
                    wait = _retry_after(response.headers.get("Retry-After"), attempts)
                    left = self.options.timeout - (time.monotonic() - started)
                    if wait >= left:
                        raise ServerFailed(f"the server answered HTTP {status} and asked to wait {wait:g} s, "
                                           "longer than llm_timeout allows")
                    await asyncio.sleep(wait)
                    continue
                # The reader's warning names the status; the operator's log gets the server's words too.
                log.warning("LLM server %s answered HTTP %d: %.300s", self.server, status, await response.text())
                raise ServerFailed(f"the server answered HTTP {status}" +
                                   (f" after {attempts} tries" if attempts > 1 else ""))

    def _request(self, messages: list[dict[str, str]], schema: dict[str, Any], response_format: str) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0,
                                "max_tokens": self.options.max_tokens, "stream": False}
        if response_format == "json_schema":
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "brief", "schema": schema}}
        elif response_format == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    async def _list_models(self) -> list[str]:
        try:
            async with asyncio.timeout(min(PROBE_SECONDS, self.options.timeout)):
                async with (await self._client()).get(f"{self.base_url}/models", headers=self._headers()) as response:
                    if response.status != 200:
                        raise ServerFailed(f"HTTP {response.status}")
                    data = await _json(response)
        except TimeoutError:
            raise ServerFailed("no answer in time") from None
        except aiohttp.ClientError:
            raise ServerFailed("not reachable") from None
        listed = data.get("data") if isinstance(data, dict) else None
        return [str(m.get("id")) for m in listed or [] if isinstance(m, dict) and m.get("id")]

    async def _first_model(self) -> str:
        listed = await self._list_models()
        if not listed:
            raise ServerFailed("llm_model is not set and the server lists no model")
        return listed[0]

    def _headers(self) -> dict[str, str]:
        if self.options.api_key:
            return {"Authorization": f"Bearer {self.options.api_key}"}
        return {"Authorization": self._login} if self._login else {}

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            # No proxies from the environment and no cookies: the operator's URL is what we reach.
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                                  timeout=aiohttp.ClientTimeout(total=None))
        return self._session

    async def _shut_down(self) -> None:
        requests = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in requests:
            task.cancel()
        await asyncio.gather(*requests, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        return json.loads(await response.read())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ServerFailed("the server's response was not JSON") from None


def _about_format(error: str) -> bool:
    """A 400 about `response_format` (not, say, a prompt longer than the model's context)."""
    text = error.lower()
    return "format" in text or "schema" in text


def _reply(data: Any, seconds: float, attempts: int, response_format: str) -> Reply:
    try:
        choice = data["choices"][0]
        text = choice["message"].get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ServerFailed("the server's response had no message in it") from None
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return Reply(text=str(text), finish_reason=choice.get("finish_reason"),
                 prompt_tokens=usage.get("prompt_tokens"), completion_tokens=usage.get("completion_tokens"),
                 seconds=round(seconds, 3), attempts=attempts, response_format=response_format)


def _retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: the server's Retry-After (seconds or an HTTP date), else exponential backoff."""
    backoff: float = BACKOFF_SECONDS * 2.0 ** (attempt - 1)
    if not header:
        return backoff
    try:
        seconds = float(header)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else backoff  # NaN: no advice
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return backoff
    return max(0.0, float(when.timestamp() - time.time()))


def _without_login(url: str) -> tuple[str, str | None]:
    """A user and password in the URL become Basic auth (a proxy in front of the server may want it)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    login = "Basic " + base64.b64encode(pair).decode("ascii")
    return urlunsplit((parts.scheme, _netloc(url), parts.path, parts.query, parts.fragment)), login


def public_address(url: str) -> str:
    """The server's address as it may be shown: no user, password, query or fragment."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, _netloc(url), parts.path, "", ""))


def _netloc(url: str) -> str:
    """Host and port, without a login."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def chat_server(settings: Settings) -> ChatServer | None:
    """The configured server, or None: without `llm_base_url` the llm engine loads a model in-process."""
    if not settings.llm_base_url:
        return None
    return ChatServer(ServerOptions(
        base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key,
        timeout=settings.llm_timeout, concurrency=settings.llm_concurrency, max_tokens=settings.llm_max_tokens))


def server_status(settings: Settings) -> str:
    """One line for `briefbot models list`: the endpoint, its model, and whether it answers `GET /models`."""
    server = chat_server(settings)
    if server is None:
        return "engine llm: no server configured (llm_base_url); the model runs in-process"
    try:
        listed = server.models()
        model = settings.llm_model or (listed[0] if listed else "")
        answers = f"yes, {len(listed)} model(s) listed" + ("" if model in listed else f", but not {model or 'any'}")
    except ServerFailed as failure:
        model, answers = settings.llm_model, f"no ({failure})"
    finally:
        server.close()
    return f"engine llm: server {server.server}, model {model or '(the first it lists)'}, answers: {answers}"
