"""Feeds and articles on 127.0.0.1 for the digest tests, all written for them.

Two outlets carry the same desalination story (one through a tracking link, one
with its own URL and near-identical words, and a different death toll), plus a
football story that keyword filters can drop. Feeds answer ETag requests with 304
and can be switched to fail.
"""

from __future__ import annotations

from aiohttp import web

from tests.conftest import EXAMPLES
from tests.httpserver import start_on_loopback

ARTICLE = (EXAMPLES / "desalination.html").read_bytes()
FOOTBALL = b"""<html><head><title>Harbour FC wins the coastal cup</title></head><body><article>
<h1>Harbour FC wins the coastal cup</h1>
<p>Harbour FC beat Blue Bay United 3-1 on Sunday evening in front of 21,000 supporters at the old
harbour stadium, winning the coastal cup for the first time in nine years.</p>
<p>Coach Samir Aoun said the team had trained twice a day for six weeks before the final, and that
the young defenders had made the difference in the second half of the match.</p>
<p>The club said it would hold a parade along the seafront on Tuesday, and that the cup would be shown
at the city museum for a month.</p></article></body></html>"""


def rss(items: list[tuple[str, str, str, str]]) -> str:
    entries = "".join(f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
                      f"<description>{summary}</description></item>" for guid, title, link, summary in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>{entries}</channel></rss>'


class FeedServer:
    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.hits: dict[str, int] = {}
        self.not_modified = 0
        self.port = 0
        self._runner: web.AppRunner | None = None

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/a.xml", self._feed_a)
        app.router.add_get("/b.xml", self._feed_b)
        app.router.add_get("/garbage.xml", lambda r: web.Response(text="<<<not a feed", content_type="application/xml"))
        app.router.add_get("/story/{name}", self._story)
        self._runner, self.port = await start_on_loopback(app)

    async def stop(self) -> None:
        await self._runner.cleanup()

    def _feed(self, request: web.Request, name: str, body: str) -> web.Response:
        self.hits[name] = self.hits.get(name, 0) + 1
        if name in self.failing:
            return web.Response(status=500, text="down")
        etag = f'"{name}-v1"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304)
        return web.Response(text=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def _feed_a(self, request: web.Request) -> web.Response:
        return self._feed(request, "a", rss([
            ("a-1", "Coastal city opens desalination plant after two dry summers",
             self.url("/story/plant?utm_source=rss"),
             "Nova Marina opened a plant that makes 120,000 cubic metres of water a day; 140 people were hired."),
            ("a-2", "Harbour FC wins the coastal cup", self.url("/story/football"),
             "Harbour FC beat Blue Bay United in the final of the coastal cup."),
        ]))

    async def _feed_b(self, request: web.Request) -> web.Response:
        return self._feed(request, "b", rss([
            ("b-1", "Coastal city opens desalination plant after two dry summers",
             self.url("/story/plant-b", host="localhost"),  # another outlet, as far as names go
             "Nova Marina opened a plant that makes 120,000 cubic metres of water a day; 150 people were hired."),
        ]))

    async def _story(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.hits[f"story/{name}"] = self.hits.get(f"story/{name}", 0) + 1
        body = FOOTBALL if name == "football" else ARTICLE
        return web.Response(body=body, content_type="text/html", charset="utf-8")
