"""A fake Telegram Bot API on 127.0.0.1: enough of it for the real PTB Application.

It keeps a queue of updates for getUpdates, answers the methods the bot calls
with well-formed objects, records every call, and can be told to answer the
next call of a method with a 429 and a `retry_after`, or a seeded share of the calls
of some methods with 502 Bad Gateway (and 429s), the way a flaky Telegram does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.httpserver import start_on_loopback

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Brief", "username": "brief_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
TOKEN = "4242:TEST-TOKEN"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None      # what was answered (a sent message carries its message_id)


class FakeBotAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.chat_members: dict[tuple[int, int], str] = {}   # (chat, user) → status
        self.chats: dict[str, dict] = {}                     # "@name" or id → chat object
        self._failures: dict[str, list[int]] = {}
        self._flaky: tuple[frozenset[str], float, float, random.Random] | None = None
        self.downloads: list[str] = []                       # file ids whose bytes were fetched
        self._refusals: dict[str, list[str]] = {}
        self._refuse_when: list[tuple[str, Callable[[dict], bool], str]] = []
        self._new_update = asyncio.Event()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner, self.port = await start_on_loopback(app)

    async def stop(self) -> None:
        self._new_update.set()
        await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ---- what tests do -------------------------------------------------------------

    def add_channel(self, chat_id: int, username: str, title: str, members: dict[int, str]) -> None:
        """A channel the bot administers; `members` gives other users' status in it ("administrator", "member")."""
        self.chats[f"@{username}"] = {"id": chat_id, "type": "channel", "title": title, "username": username}
        self.chat_members[(chat_id, BOT_USER["id"])] = "administrator"
        for user_id, status in members.items():
            self.chat_members[(chat_id, user_id)] = status

    def push(self, update: dict) -> dict:
        update = {"update_id": next(self._ids), **update}
        self.updates.append(update)
        self._new_update.set()
        return update

    def message(self, chat_id: int, text: str, *, chat_type: str = "private", user_id: int | None = None,
                language: str = "en", **extra: Any) -> dict:
        """Pushes a text message from a user, with entities for commands, links and mentions."""
        message = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "title": "A group"} if chat_type != "private"
            else {"id": chat_id, "type": "private", "first_name": "Reader"},
            "from": {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "Reader", "language_code": language},
            "text": text, "entities": entities(text), **extra,
        }
        self.push({"message": message})
        return message

    def fail_next(self, method: str, retry_after: int) -> None:
        self._failures.setdefault(method, []).append(retry_after)

    def refuse_next(self, method: str, description: str) -> None:
        """Answer the next call of `method` with 400 Bad Request, as for a message the user deleted."""
        self._refusals.setdefault(method, []).append(description)

    def refuse_when(self, method: str, matches: Callable[[dict], bool], description: str) -> None:
        """Answer every call of `method` whose parameters `matches` with 400 Bad Request (a post
        into a forum topic that is gone, say)."""
        self._refuse_when.append((method, matches, description))

    def flaky(self, methods: set[str], bad_gateway: float, too_many: float = 0.0, seed: int = 12) -> None:
        """From now on, answer a share of the calls of `methods` with 502, and another with a
        429 (retry_after 0), drawn from a seeded generator: the same run fails the same calls."""
        self._flaky = (frozenset(methods), bad_gateway, too_many, random.Random(seed))

    def _flaky_answer(self, method: str, params: dict) -> web.Response | None:
        if self._flaky is None or method not in self._flaky[0]:
            return None
        _, bad_gateway, too_many, draw = self._flaky
        roll = draw.random()
        if roll < bad_gateway:
            self.calls.append(Call(method + ":502", params))
            return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
        if roll < bad_gateway + too_many:
            self.calls.append(Call(method + ":429", params))
            return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 0",
                                      "parameters": {"retry_after": 0}}, status=429)
        return None

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method)
                and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]

    async def wait_for(self, predicate: Callable[[FakeBotAPI], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate(self)
            if result:
                return result
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out; calls were: {[(c.method, c.params.get('text', '')[:60]) for c in self.calls]}")

    # ---- the Bot API ----------------------------------------------------------------

    async def _method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {key: _value(value) for key, value in (await request.post()).items()}
        if self._failures.get(method):
            retry_after = self._failures[method].pop(0)
            self.calls.append(Call(method + ":429", params))
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": f"Too Many Requests: retry after {retry_after}",
                                      "parameters": {"retry_after": retry_after}}, status=429)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        flaky = self._flaky_answer(method, params)
        if flaky is not None:
            return flaky
        refusal = next((text for name, matches, text in self._refuse_when if name == method and matches(params)), None)
        if refusal is None and self._refusals.get(method):
            refusal = self._refusals[method].pop(0)
        if refusal is not None:
            self.calls.append(Call(method + ":400", params))
            return web.json_response({"ok": False, "error_code": 400, "description": f"Bad Request: {refusal}"},
                                     status=400)
        call = Call(method, params)
        self.calls.append(call)
        handler = getattr(self, "_" + method, None)
        call.result = handler(params) if handler else True
        return _ok(call.result)

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones are gone
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending:
            self._new_update.clear()
            try:  # a short long-poll keeps shutdown quick
                await asyncio.wait_for(self._new_update.wait(), min(float(params.get("timeout") or 0), 1.0))
            except TimeoutError:
                pass
            pending = [u for u in self.updates if u["update_id"] >= offset]
        return pending

    def _getMe(self, params: dict) -> dict:
        return BOT_USER

    def _sendMessage(self, params: dict) -> dict:
        return self._message_from_bot(params)

    def _editMessageText(self, params: dict) -> dict:
        return self._message_from_bot(params, message_id=int(params["message_id"]))

    def _editMessageReplyMarkup(self, params: dict) -> dict:
        return self._message_from_bot({**params, "text": "…"}, message_id=int(params["message_id"]))

    def _getFile(self, params: dict) -> dict:
        file_id = params["file_id"]
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}"}

    def _getChat(self, params: dict) -> dict:
        chat = self.chats.get(str(params["chat_id"])) or {"id": int(params["chat_id"]), "type": "channel"}
        return {"accent_color_id": 0, "max_reaction_count": 11, **chat}  # required in ChatFullInfo

    def _getChatMember(self, params: dict) -> dict:
        chat = self._getChat(params)
        status = self.chat_members.get((chat["id"], int(params["user_id"])), "left")
        member = {"status": status, "user": {"id": int(params["user_id"]), "is_bot": False, "first_name": "U"}}
        if status == "administrator":
            member |= {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                       "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
                       "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
                       "can_post_stories": True, "can_edit_stories": True, "can_delete_stories": True,
                       "can_post_messages": True, "can_edit_messages": True}
        return member

    def _message_from_bot(self, params: dict, message_id: int | None = None) -> dict:
        return {"message_id": message_id or next(self._message_ids), "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id") or 0), "type": "private"},
                "from": BOT_USER, "text": params.get("text", "")}

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        self.downloads.append(file_id)
        return web.Response(body=self.files[file_id])


def entities(text: str) -> list[dict]:
    """The entities Telegram would attach: a leading command, links and @mentions."""
    found = []
    for match in re.finditer(r"^/\w+(@\w+)?|https?://\S+|@\w+", text):
        kind = "bot_command" if match.group().startswith("/") else "url" if "://" in match.group() else "mention"
        found.append({"type": kind, "offset": _utf16(text[:match.start()]), "length": _utf16(match.group())})
    return found


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _value(raw: Any) -> Any:
    if hasattr(raw, "file"):  # an uploaded file (sendDocument): keep its bytes
        return raw.file.read()
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})
