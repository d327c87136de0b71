"""A fake Telegraph API (https://telegra.ph/api) on 127.0.0.1: createAccount and createPage.

It checks requests as Telegraph documents them (short_name 1-32 characters, title 1-256,
content a JSON array of Node: strings, or elements with an allowed tag, only href/src
attributes and children, at most 64 KB), keeps the accounts and pages it made, and answers
the way Telegraph does: HTTP 200 with {"ok": true, "result": …} or {"ok": false, "error": …}.
Pages get telegra.ph links, as real ones have. `failing` makes it answer 500; `stop()`
takes it off the network altogether; `redirect` sends every call elsewhere.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.httpserver import start_on_loopback

ALLOWED_TAGS = {"a", "aside", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h3", "h4", "hr", "i",
                "iframe", "img", "li", "ol", "p", "pre", "s", "strong", "u", "ul", "video"}
CONTENT_LIMIT = 64 * 1024


@dataclass
class Page:
    token: str
    title: str
    author_name: str
    content: list[Any]
    url: str

    def text(self) -> str:
        """Every string of the page, in order."""
        return "".join(_strings(self.content))

    def links(self) -> list[str]:
        return list(_hrefs(self.content))


class FakeTelegraph:
    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}     # token → short_name
        self.pages: list[Page] = []
        self.calls: list[str] = []              # methods asked for, answered or not
        self.failing = False
        self.redirect: str | None = None        # answer every call with a 307 to this address
        self.port = 0
        self._tokens = itertools.count(1)
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post("/{method}", self._method)
        self._runner, self.port = await start_on_loopback(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        if self.failing:
            return web.Response(status=500, text="Internal Server Error")
        if self.redirect:
            raise web.HTTPTemporaryRedirect(self.redirect)
        form = dict(await request.post())
        if method == "createAccount":
            return self._create_account(form)
        if method == "createPage":
            return self._create_page(form)
        return _error("METHOD_NOT_FOUND")

    def _create_account(self, form: dict[str, Any]) -> web.Response:
        short_name = str(form.get("short_name", ""))
        if not 1 <= len(short_name) <= 32:
            return _error("SHORT_NAME_REQUIRED")
        token = f"token-{next(self._tokens)}"
        self.accounts[token] = short_name
        return _ok({"short_name": short_name, "author_name": form.get("author_name", ""), "author_url": "",
                    "access_token": token, "auth_url": f"https://edit.telegra.ph/auth/{token}"})

    def _create_page(self, form: dict[str, Any]) -> web.Response:
        token = str(form.get("access_token", ""))
        if token not in self.accounts:
            return _error("ACCESS_TOKEN_INVALID")
        title = str(form.get("title", ""))
        if not 1 <= len(title) <= 256:
            return _error("TITLE_TOO_LONG" if title else "TITLE_REQUIRED")
        if len(str(form.get("author_name", ""))) > 128:
            return _error("AUTHOR_NAME_TOO_LONG")
        raw = str(form.get("content", ""))
        if len(raw.encode()) > CONTENT_LIMIT:
            return _error("CONTENT_TOO_BIG")
        try:
            content = json.loads(raw)
        except json.JSONDecodeError:
            return _error("CONTENT_FORMAT_INVALID")
        problem = _invalid_nodes(content)
        if problem or not content:
            return _error(f"CONTENT_FORMAT_INVALID: {problem or 'empty'}")
        path = f"{re.sub(r'[^A-Za-z0-9]+', '-', title).strip('-') or 'Page'}-11-26-{len(self.pages) + 1}"
        page = Page(token, title, str(form.get("author_name", "")), content, f"https://telegra.ph/{path}")
        self.pages.append(page)
        return _ok({"path": path, "url": page.url, "title": title, "description": "", "views": 0})


def _invalid_nodes(nodes: Any) -> str | None:
    """Why `nodes` is not an array of Node, or None."""
    if not isinstance(nodes, list):
        return "not an array"
    for node in nodes:
        if isinstance(node, str):
            continue
        if not isinstance(node, dict) or node.get("tag") not in ALLOWED_TAGS:
            return f"bad node {str(node)[:60]}"
        if set(node) - {"tag", "attrs", "children"}:
            return f"bad keys {sorted(node)}"
        attrs = node.get("attrs", {})
        if not isinstance(attrs, dict) or set(attrs) - {"href", "src"} or not all(isinstance(v, str) for v in attrs.values()):
            return f"bad attrs {attrs}"
        if "children" in node and (problem := _invalid_nodes(node["children"])):
            return problem
    return None


def _strings(nodes: list[Any]) -> list[str]:
    found: list[str] = []
    for node in nodes:
        found += [node] if isinstance(node, str) else _strings(node.get("children", []))
    return found


def _hrefs(nodes: list[Any]) -> list[str]:
    found: list[str] = []
    for node in nodes:
        if isinstance(node, dict):
            if "href" in node.get("attrs", {}):
                found.append(node["attrs"]["href"])
            found += _hrefs(node.get("children", []))
    return found


def _ok(result: dict[str, Any]) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})
