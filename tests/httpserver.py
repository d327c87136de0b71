"""A real HTTP server on 127.0.0.1 for fetch tests, run in its own thread and loop."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
from abc import ABC, abstractmethod
from collections import Counter
from pathlib import Path
from typing import Any, Self

from aiohttp import web
from aiohttp.abc import AbstractResolver

from bot.core.text.normalize import ascii_digits

EXAMPLES = Path(__file__).resolve().parents[1] / "bot" / "examples"
ARABIC_PAGE = (
    "<html><head><title>خبر</title></head><body><article><h1>افتتاح محطة تحلية</h1>"
    + "".join(f"<p>{p}</p>" for p in (EXAMPLES / "desalination.ar.txt").read_text().split("\n\n")[1:])
    + "</article></body></html>"
)


class ThreadedServer(ABC):
    """Serves `app()` on 127.0.0.1 from its own thread and loop, so that code in other threads
    (the Briefer's workers) or processes (the CLI) reaches it over real HTTP. A context manager."""

    def __init__(self, **runner_options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._runner_options = runner_options
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @abstractmethod
    def app(self) -> web.Application:
        """The application to serve, made in the server's own loop."""

    def __enter__(self) -> Self:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner, self.port = self.loop.run_until_complete(start_on_loopback(self.app(), **self._runner_options))
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())


class LocalServer(ThreadedServer):
    """Routes that misbehave on purpose; `hits` counts requests per path."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: Counter[str] = Counter()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._count])
        app.add_routes([
            web.get("/article", self._article), web.get("/plain", self._plain),
            web.get("/chain/{n}", self._chain), web.get("/to-metadata", self._to_metadata),
            web.get("/to-private-name", self._to_private_name), web.get("/big-chunked", self._big_chunked),
            web.get("/big-declared", self._big_declared), web.get("/bomb", self._bomb),
            web.get("/drip", self._drip), web.get("/pdf", self._typed("application/pdf")),
            web.get("/zip", self._typed("application/zip")), web.get("/cp1256", self._cp1256),
            web.get("/missing", self._missing),
        ])
        return app

    @web.middleware
    async def _count(self, request, handler):
        self.hits[request.path] += 1
        return await handler(request)

    async def _article(self, request):
        return web.Response(body=(EXAMPLES / "desalination.html").read_bytes(), content_type="text/html", charset="utf-8")

    async def _plain(self, request):
        return web.Response(text=(EXAMPLES / "desalination.en.txt").read_text(), content_type="text/plain")

    async def _chain(self, request):
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/chain/{n - 1}") if n > 0 else web.HTTPFound("/article")

    async def _to_metadata(self, request):
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

    async def _to_private_name(self, request):
        raise web.HTTPFound(f"http://intranet.test:{self.port}/article")

    async def _big_chunked(self, request):
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"<p>" + b"x" * 65536 + b"</p>")
        return response

    async def _big_declared(self, request):
        return web.Response(body=b"y" * 600_000, content_type="text/html")

    async def _bomb(self, request):
        body = gzip.compress(b"<html><body>" + b"\0" * 50_000_000, compresslevel=9)
        return web.Response(body=body, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})

    async def _drip(self, request):
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(30):
            await response.write(b"<")
            await asyncio.sleep(0.3)
        return response

    def _typed(self, content_type):
        async def handler(request):
            return web.Response(body=b"%PDF-1.4 binary", content_type=content_type)
        return handler

    async def _cp1256(self, request):
        # windows-1256 has no Arabic-Indic digits: such pages write Western ones
        body = ascii_digits(ARABIC_PAGE).encode("cp1256")
        return web.Response(body=body, headers={"Content-Type": "text/html"})

    async def _missing(self, request):
        raise web.HTTPNotFound()


class FakeResolver(AbstractResolver):
    """Resolves test names to the addresses a test chooses."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host, port=0, family=socket.AF_INET):
        if host not in self.table:
            raise OSError(f"no such host {host}")
        return [{"hostname": host, "host": ip, "port": port, "family": socket.AF_INET6 if ":" in ip else socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST} for ip in self.table[host]]

    async def close(self):
        pass


def lying_length_server(declared: int, actual: int) -> tuple[socket.socket, int]:
    """A raw socket server whose Content-Length is smaller than what it sends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        connection, _ = listener.accept()
        connection.recv(65536)
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {declared}\r\n\r\n".encode()
        try:
            connection.sendall(head + b"z" * actual)
        except OSError:
            pass
        connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


async def start_on_loopback(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, int]:
    """Serves `app` on 127.0.0.1 at a free port, in the running event loop."""
    runner = web.AppRunner(app, access_log=None, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]
