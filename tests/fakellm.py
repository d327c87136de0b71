"""A fake OpenAI-compatible server on 127.0.0.1: scripted answers, every request recorded.

It runs in its own thread and loop, so the Briefer (in worker threads) and the CLI
(in a subprocess) reach it over real HTTP, as they would reach Ollama or vLLM.
"""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.httpserver import ThreadedServer

MODEL = "fake-brief-model"


@dataclass
class Step:
    """One scripted answer: a chat message (`content`), or a raw `body`, with a status and a delay."""

    content: str | None = None
    status: int = 200
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    finish_reason: str = "stop"


def answer(headline: str, points: list[str], **more: Any) -> Step:
    return Step(json.dumps({"headline": headline, "points": points, **more}, ensure_ascii=False))


def fenced(step: Step) -> Step:
    """The same answer in a Markdown code fence, with a word before it, as chatty models write."""
    return Step(f"Here is the brief:\n```json\n{step.content}\n```")


class FakeLLM(ThreadedServer):
    """`script` is answered in order, then `default` for every request after it; a request whose
    messages hold a key of `routes` is answered from that route's steps instead (its last step
    again when they run out), so that briefs made at once each get their own scenario."""

    def __init__(self) -> None:
        super().__init__(handler_cancellation=True, shutdown_timeout=0.5)  # a stalled answer ends with its client
        self.script: list[Step] = []
        self.routes: dict[str, list[Step]] = {}
        self.default = Step(status=500, body='{"error": {"message": "nothing scripted"}}')
        self.reject_json_schema = False  # answer 400 to response_format json_schema, as some servers do
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self, *script: Step, default: Step | None = None) -> None:
        self.script = list(script)
        self.routes = {}
        self.default = default or Step(status=500, body='{"error": {"message": "nothing scripted"}}')
        self.reject_json_schema = False
        self.requests.clear()
        self.headers.clear()
        self.most_in_flight = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([web.post("/v1/chat/completions", self._chat), web.get("/v1/models", self._models)])
        return app

    def _step(self, messages: str) -> Step:
        for marker, steps in self.routes.items():
            if marker in messages:
                return steps.pop(0) if len(steps) > 1 else steps[0]
        return self.script.pop(0) if self.script else self.default

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.reject_json_schema and body.get("response_format", {}).get("type") == "json_schema":
            return web.json_response({"error": {"message": "response_format json_schema is not supported"}},
                                     status=400)
        step = self._step(json.dumps(body.get("messages"), ensure_ascii=False))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(step.delay)
        finally:
            self.in_flight -= 1
        if step.body is not None or step.status != 200:
            return web.Response(text=step.body or "", status=step.status, headers=step.headers,
                                content_type="application/json")
        return web.json_response({
            "id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": step.finish_reason,
                         "message": {"role": "assistant", "content": step.content}}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020},
        })


def closed_port_url() -> str:
    """The address of a port nothing listens on: a server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
