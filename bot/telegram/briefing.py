"""From a request in a chat to a brief in that chat: cache, queue, progress, delivery.

Handlers decide *what* to brief; this module does the rest the same way for all
of them, so a pasted text, a link, a document and a button press behave alike.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

from bot.core.brief import Brief, SourceInfo
from bot.core.render.telegram_html import escape, render_html, split_html
from bot.engines.llm_check import server_failed
from bot.errors import BriefError
from bot.pipeline import Briefer
from bot.store.cache import brief_key
from bot.store.chats import ChatSettings
from bot.telegram.fairness import QueueFull, RateLimited
from bot.telegram.i18n import N_, Texts
from bot.telegram.keyboards import brief_keyboard
from bot.telegram.services import Services

log = logging.getLogger(__name__)

STAGES = {
    "queued": N_("Waiting for my turn…"),
    "fetching": N_("Fetching the page…"),
    "summarizing": N_("Summarizing…"),
    "writing": N_("Writing the brief…"),  # an LLM server at work (the llm engine)
    "translating": N_("Translating…"),
}


@dataclass(frozen=True)
class BriefRequest:
    """One thing to brief: a link, a text or a file's bytes, with what is known of where it came from."""

    url: str | None = None
    text: str | None = None
    source: SourceInfo | None = None
    document: bytes | None = None   # a file, briefed by the Briefer as its name says (.txt, .html)
    filename: str | None = None


@dataclass(frozen=True)
class ReaderChoice:
    """How this reader wants briefs, resolved from their chat settings and Telegram profile."""

    to: str
    points: int
    keep: frozenset[str]
    show_original: bool

    @classmethod
    def resolve(cls, prefs: ChatSettings, services: Services) -> "ReaderChoice":
        return cls(
            to=prefs.target_language or services.settings.target_language,
            points=prefs.points or services.settings.points,
            keep=prefs.reads,
            show_original=prefs.show_original,
        )


class StatusMessage:
    """The one message that shows progress, then becomes the brief (or the error).

    Progress arrives from worker threads; the lock and `finished` flag keep a late
    progress edit from overwriting the brief once it is there.
    """

    def __init__(self, message: Message, loop: asyncio.AbstractEventLoop, texts: Texts) -> None:
        self.message = message
        self.loop = loop
        self.texts = texts
        self.finished = False
        self._lock = asyncio.Lock()
        self._shown = ""

    @classmethod
    async def open(cls, reply_to: Message, texts: Texts) -> "StatusMessage":
        await reply_to.get_bot().send_chat_action(reply_to.chat_id, ChatAction.TYPING)
        waiting = STAGES["queued"]
        message = await reply_to.reply_text(texts(waiting), do_quote=True)
        return cls(message, asyncio.get_running_loop(), texts)

    def report(self, stage: str) -> None:
        """Thread-safe: the Briefer calls it from its worker thread."""
        text = self.texts(STAGES[stage]) if stage in STAGES else None
        if text:
            asyncio.run_coroutine_threadsafe(self.show(text), self.loop)

    async def show(self, text: str) -> None:
        async with self._lock:
            if self.finished or text == self._shown:
                return
            self._shown = text
            try:
                await self.message.edit_text(text)
            except BadRequest as error:  # e.g. deleted by the user meanwhile: progress is optional
                log.info("progress edit skipped: %s", error)

    async def finish(self, html: str, markup: InlineKeyboardMarkup | None = None) -> None:
        async with self._lock:
            self.finished = True
            await self.message.edit_text(html, parse_mode=ParseMode.HTML, reply_markup=markup)


async def make_brief(services: Services, request: BriefRequest, choice: ReaderChoice, user_id: int,
                     status: StatusMessage | None = None) -> tuple[Brief, str]:
    """The brief (from the cache when it is there) and the key of its stored source.

    Every way of asking (messages, buttons, inline mode) comes through here, so the
    per-user rate limit is applied here, to the briefs that cost work (cached ones do not)."""
    stored = await services.cache.remember_source(request.url, request.text, request.document, request.filename)
    key = brief_key(stored.key, engines=services.briefer.signature,
                    to=choice.to, points=choice.points, keep=sorted(choice.keep))
    cached = await services.cache.get(key)
    if cached is not None:
        return cached, stored.key
    services.rate_limit.admit(user_id)

    async def tell_position(position: int) -> None:
        if status is not None:
            await status.show(status.texts(N_("Busy: you are number {position} in the queue."),
                                           position=position))

    options = {"to": choice.to, "points": choice.points, "keep": choice.keep,
               "progress": status.report if status else None}
    async with services.work.slot(on_queued=tell_position):
        brief = await _brief(services.briefer, request, options)
    if not server_failed(brief):  # else the next ask tries the LLM server again
        await services.cache.put(key, brief)
    return brief, stored.key


async def _brief(briefer: Briefer, request: BriefRequest, options: dict[str, Any]) -> Brief:
    if request.url:
        return await briefer.abrief_url(request.url, **options)
    if request.document is not None:
        return await asyncio.to_thread(briefer.brief_document, request.document, request.filename, **options)
    return await briefer.abrief_text(request.text or "", source=request.source, **options)


async def reply_with_brief(services: Services, message: Message, request: BriefRequest,
                           choice: ReaderChoice, texts: Texts, user_id: int) -> None:
    """Brief `request` for `user_id` in answer to `message`: progress first, then the brief in its place."""
    status = await StatusMessage.open(message, texts)
    try:
        brief, source_key = await make_brief(services, request, choice, user_id, status)
    except QueueFull:
        await status.finish(escape(texts("I am busy with many briefs right now. Please try again in a minute.")))
        return
    except RateLimited as limited:
        await status.finish(escape(texts("That is a lot of briefs at once. Please wait {seconds} s.",
                                         seconds=limited.seconds)))
        return
    except BriefError as error:
        await status.finish(escape(failure_text(texts, request, error)))
        return
    await deliver(status, brief, source_key, choice, texts)


def failure_text(texts: Texts, request: BriefRequest, error: BriefError) -> str:
    if request.url:
        return texts("Could not brief {link}: {reason}", link=request.url, reason=error.user_message())
    return texts("Could not brief this: {reason}", reason=error.user_message())


async def deliver(status: StatusMessage, brief: Brief, source_key: str, choice: ReaderChoice, texts: Texts) -> None:
    """The brief replaces the status message; a long one continues in more messages, split
    at bullet boundaries, with the buttons under the last part."""
    chunks = split_html(render_html(brief, show_original=choice.show_original))
    markup = brief_keyboard(brief, source_key, texts)
    await status.finish(chunks[0], markup if len(chunks) == 1 else None)
    for number, chunk in enumerate(chunks[1:], start=2):
        await status.message.reply_text(chunk, parse_mode=ParseMode.HTML, do_quote=False,
                                        reply_markup=markup if number == len(chunks) else None)
