"""From a request in a chat to a brief in that chat: cache, queue, progress, delivery.

Handlers decide *what* to brief; this module does the rest the same way for all
of them, so a pasted text, a link, a document and a button press behave alike.

A link is fetched before a worker is taken (fetching waits on the network, not the
CPU), under the work queue's own fetch gate. Telegram's send budget is the scarce
thing under load, so a quick brief is one message, and a slow one gets a status
message that shows progress and becomes the brief (StatusMessage). A brief, once
made, reaches the user: sends and edits that fail for a while are retried
(bot.telegram.resend), and if the status message cannot become the brief, the brief
comes as a new message. An accepted request is stored (bot.store.pending) until its
answer is delivered: shutdown cancels the briefs in flight instead of waiting for
them, and the next start finishes them, also after kill -9, in the status message
the user already has, or as a new reply when the user has none yet.
"""

from __future__ import annotations

import asyncio
import logging
import math
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, Chat, InlineKeyboardMarkup, Message
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.core.brief import Brief, SourceInfo
from bot.core.render.telegram_html import escape, render_html, split_html
from bot.core.render.telegraph import PageEntry, headline_post
from bot.digests.service import brief_page
from bot.engines.llm_check import server_failed
from bot.errors import BriefError
from bot.i18n import render_labels
from bot.metrics import BRIEFS, STAGE_SECONDS, brief_made, observe_stage
from bot.pipeline import Briefer
from bot.store.cache import brief_key, source_key
from bot.store.chats import ChatSettings
from bot.store.pending import PendingBrief, PendingBriefs
from bot.telegram.fairness import QueueFull, RateLimited
from bot.telegram.i18n import N_, Texts, texts_for
from bot.telegram.keyboards import brief_keyboard
from bot.telegram.quota import QuotaExceeded
from bot.telegram.resend import RetryPolicy, with_retries
from bot.telegram.services import Services, services, started_services
from bot.web.fetch import FetchedPage
from bot.web.telegraph import TelegraphFailed, TelegraphPages

log = logging.getLogger(__name__)

STAGES = {
    "queued": N_("Waiting for my turn…"),
    "fetching": N_("Fetching the page…"),
    "summarizing": N_("Summarizing…"),
    "writing": N_("Writing the brief…"),  # an LLM server at work (the llm engine)
    "translating": N_("Translating…"),
}
SHOW_AFTER = 1.0  # seconds a brief or a stage may take before the user is shown progress
# Progress (status messages, stage edits) may take this many of the bot's 30 calls a second;
# the rest are the briefs'. In a burst the progress of some briefs waits, and most of those
# briefs are there before it is shown.
PROGRESS_PER_SECOND = 5
_progress_budgets: weakref.WeakKeyDictionary[Bot, AsyncLimiter] = weakref.WeakKeyDictionary()
# A brief once made is worth waiting for: a Telegram failing 40% of calls fails ten tries in a
# row once in 10,000 (six: once in 250), and the waits are capped at 8 s, 40 s in all.
DELIVERY = RetryPolicy(attempts=10, max_delay=8.0)


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

    def as_dict(self) -> dict[str, Any]:
        return {"to": self.to, "points": self.points, "keep": sorted(self.keep), "show_original": self.show_original}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ReaderChoice:
        return cls(values["to"], values["points"], frozenset(values["keep"]), values["show_original"])

    @classmethod
    def resolve(cls, prefs: ChatSettings, services: Services) -> ReaderChoice:
        return cls(
            to=prefs.target_language or services.settings.target_language,
            points=prefs.points or services.settings.points,
            keep=prefs.reads,
            show_original=prefs.show_original,
        )


def _progress_budget(bot: Bot) -> AsyncLimiter:
    """The share of `bot`'s send budget that progress may spend (one per bot: per process)."""
    if bot not in _progress_budgets:
        _progress_budgets[bot] = AsyncLimiter(PROGRESS_PER_SECOND, 1)
    return _progress_budgets[bot]


class StatusMessage:
    """The one message that shows progress, then becomes the brief (or the error).

    Every Bot API call spends the bot's send budget (PTB's AIORateLimiter: 30 calls a second
    for the whole bot), so progress is shown only where it tells the user something: the
    status message is sent only if the brief is not ready `SHOW_AFTER` after the request (a
    quick brief is one sendMessage), a later stage is shown only once it has lasted
    `SHOW_AFTER` (a stage that passes quickly costs no edit), and progress waits another
    `SHOW_AFTER` when the bot's progress budget is spent. `on_sent(message_id)` records
    a status message once sent, so that a restart finishes the brief in it.

    Progress arrives from worker threads; the lock and `finished` flag keep a late
    progress edit from overwriting the brief once it is there.
    """

    def __init__(self, message: Message | None, reply_to: Message, loop: asyncio.AbstractEventLoop,
                 texts: Texts, on_sent: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.message = message      # None until sent (or when it could not be): the brief then comes as a new message
        self.reply_to = reply_to
        self.loop = loop
        self.texts = texts
        self.on_sent = on_sent
        self.finished = False
        self._lock = asyncio.Lock()
        self._wanted = texts(STAGES["queued"]) if message is None else ""  # what it should say
        self._shown = ""
        self._tried = message is not None   # a status message was sent, or tried
        self._timer: asyncio.TimerHandle | None = None
        self._showing: asyncio.Task[None] | None = None
        self._sending: asyncio.Task[None] | None = None   # the status message on its way, and its record
        if message is None:
            self._schedule()

    @classmethod
    async def open(cls, reply_to: Message, texts: Texts, saying: str | None = None) -> StatusMessage:
        """A status message sent at once (`saying`, else that the brief waits its turn): for a brief
        that another process makes (`briefbot worker`)."""
        status = cls(None, reply_to, asyncio.get_running_loop(), texts)
        status._cancel_timer()
        async with status._lock:
            await status._send(saying or status._wanted)
        return status

    def report(self, stage: str) -> None:
        """Thread-safe: the Briefer calls it from its worker thread."""
        if stage in STAGES:
            self.loop.call_soon_threadsafe(self.want, self.texts(STAGES[stage]))

    def want(self, text: str) -> None:
        """The status message should say `text`: it will, if this lasts `SHOW_AFTER` (on the loop)."""
        if self.finished or text == self._wanted:
            return
        self._wanted = text
        if self.message is not None:  # until it is sent, its timer shows the latest text
            self._schedule()

    def close(self) -> None:
        """No more progress: the brief is delivered, or this request was cancelled (a stop)."""
        self._cancel_timer()
        if self._showing is not None:
            self._showing.cancel()   # a status message being sent is still recorded (see _display)

    async def settle(self) -> None:
        """Until a status message on its way is sent and recorded (or has failed)."""
        if self._sending is not None:
            await asyncio.wait([self._sending])

    def _schedule(self) -> None:
        self._cancel_timer()
        self._timer = self.loop.call_later(SHOW_AFTER, self._show_wanted)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _show_wanted(self) -> None:
        self._timer = None
        self._showing = self.loop.create_task(self._display(), name="status message")

    async def _display(self) -> None:
        async with self._lock:
            text = self._wanted
            if self.finished or text == self._shown or (self.message is None and self._tried):
                return   # nothing new, or no status message to be had (the brief comes as a new one)
            budget = _progress_budget(self.reply_to.get_bot())
            if not budget.has_capacity():  # the briefs come first
                self._schedule()
                return
            await budget.acquire()
            if self.message is not None:
                self._shown = text
                try:
                    await self.message.edit_text(text)
                except TelegramError as error:  # e.g. deleted meanwhile, or a 502: progress is optional
                    log.info("progress edit skipped: %s", error)
            else:  # shielded: once sent, a status message is recorded even during a stop
                self._sending = asyncio.ensure_future(self._send(text))
                await asyncio.shield(self._sending)
        if not self.finished and self.message is not None and self._wanted != self._shown:
            self._schedule()   # it changed meanwhile

    async def _send(self, text: str) -> None:
        self._tried = True
        try:
            self.message = await with_retries(lambda: self.reply_to.reply_text(text, do_quote=True),
                                              "status message")
        except TelegramError as error:  # the brief is still made, and sent when it is ready
            log.warning("no status message in chat %s: %s", self.reply_to.chat_id, error)
            return
        self._shown = text
        if self.on_sent is not None:
            await self.on_sent(self.message.message_id)

    async def finish(self, html: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """The status message becomes `html`; if it cannot, or there is none, `html` is sent as a new
        message (and a stale status message is deleted, so no "Waiting for my turn…" stays behind)."""
        async with self._lock:
            self.finished = True
            self._cancel_timer()
            stale = self.message
            if stale is not None:
                try:
                    await with_retries(lambda: stale.edit_text(html, parse_mode=ParseMode.HTML, reply_markup=markup),
                                       "brief edit")
                    return
                except BadRequest as error:
                    if "not modified" in str(error).lower():  # an earlier try did arrive
                        return
                    log.warning("brief edit failed (%s); sending the brief as a new message", error)
                except TelegramError as error:
                    log.warning("brief edit failed (%s); sending the brief as a new message", error)
            self.message = await with_retries(lambda: self.reply_to.reply_text(
                html, parse_mode=ParseMode.HTML, reply_markup=markup, do_quote=True), "brief", DELIVERY)
            if stale is not None:
                try:
                    await stale.delete()
                except TelegramError as error:
                    log.info("stale status message left: %s", error)

    async def follow(self, html: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """One more part of a long brief, after the status message."""
        anchor = self.message or self.reply_to
        await with_retries(lambda: anchor.reply_text(html, parse_mode=ParseMode.HTML, do_quote=False,
                                                     reply_markup=markup), "brief part", DELIVERY)


async def make_brief(services: Services, request: BriefRequest, choice: ReaderChoice, user_id: int,
                     status: StatusMessage | None = None, admitted: bool = False) -> tuple[Brief, str]:
    """The brief (from the cache when it is there, and kept there) and the key of its stored source."""
    brief, source_key, keeping = await _make_brief(services, request, choice, user_id, status, admitted)
    if keeping is not None:
        await keeping
    return brief, source_key


async def _make_brief(services: Services, request: BriefRequest, choice: ReaderChoice, user_id: int,
                      status: StatusMessage | None = None, admitted: bool = False,
                      source_key: str | None = None) -> tuple[Brief, str, asyncio.Task[None] | None]:
    """The brief (from the cache when it is there), the key of its stored source (`source_key`:
    given when the caller stores the source itself) and `keeping`, the brief on its way into the
    cache: a write that need not hold up delivery (in a burst it would wait behind every request's
    writes), started now, so that a later request's writes, and its look into the cache after
    them, come after it.

    Every way of asking (messages, buttons, inline mode) comes through here, so the
    per-user rate limit and daily quota apply here, to the briefs that cost work (cached ones do not).
    `admitted`: the caller counted this brief already (before storing the request);
    a cached one is given back."""
    if source_key is None:
        source_key = (await services.cache.remember_source(request.url, request.text, request.document,
                                                           request.filename)).key
    key = brief_key(source_key, engines=services.briefer.signature,
                    to=choice.to, points=choice.points, keep=sorted(choice.keep))
    cached = await services.cache.get(key)
    if cached is not None:
        BRIEFS.labels("cached", services.settings.engine).inc()
        if admitted:
            await services.rate_limit.give_back(user_id)
            await services.quota.give_back(user_id)
        return cached, source_key, None
    if not admitted:
        await services.rate_limit.admit(user_id)
        await services.quota.admit(user_id)

    async def tell_position(position: int) -> None:
        if status is not None:
            status.want(status.texts(N_("Busy: you are number {position} in the queue."), position=position))

    options = {"to": choice.to, "points": choice.points, "keep": choice.keep,
               "progress": status.report if status else None, "timings": observe_stage}
    page = await _fetch(services, request.url, status) if request.url else None
    async with services.work.slot(on_queued=tell_position):
        brief = await _brief(services.briefer, request, page, options)
    brief_made(brief, services.settings.engine)
    if server_failed(brief) or not_as_asked(brief, choice):  # not kept: the next ask tries again
        return brief, source_key, None
    return brief, source_key, asyncio.ensure_future(services.cache.put(key, brief))



def not_as_asked(brief: Brief, choice: ReaderChoice) -> bool:
    """Left in a language the reader neither asked for nor reads: no model for the pair yet. Once
    `briefbot models download` installs it, the engines' signature is the same, so a kept brief
    would be served untranslated for a week."""
    return brief.language != choice.to and brief.language not in choice.keep

async def _fetch(services: Services, url: str, status: StatusMessage | None) -> FetchedPage:
    """The page, fetched outside the workers: a slow site holds a fetch slot, not the CPU."""
    if status is not None:
        status.want(status.texts(STAGES["fetching"]))
    async with services.work.fetching:
        with STAGE_SECONDS.labels("fetch").time():
            return await services.fetcher.fetch(url)


async def _brief(briefer: Briefer, request: BriefRequest, page: FetchedPage | None, options: dict[str, Any]) -> Brief:
    if page is not None:
        return await brief_page(briefer, page, **options)
    if request.document is not None:
        return await asyncio.to_thread(briefer.brief_document, request.document, request.filename, **options)
    return await briefer.abrief_text(request.text or "", source=request.source, **options)


async def reply_with_brief(services: Services, message: Message, request: BriefRequest,
                           choice: ReaderChoice, texts: Texts, user_id: int) -> None:
    """Brief `request` for `user_id` in answer to `message`: the brief as one reply when it is quick,
    else a status message that shows progress and then becomes the brief."""
    if services.quota.told(user_id):  # told already: say nothing more
        log.info("request from user %s dropped: daily quota spent", user_id)
        return
    try:  # counted in one atomic step, so a burst cannot slip past; one notice a window, no status message
        await services.rate_limit.admit(user_id)
    except RateLimited as limited:
        if limited.first:
            notice = texts("That is a lot of briefs at once. Please wait {seconds} s.", seconds=limited.seconds)
            await with_retries(lambda: message.reply_text(notice), "notice")
        return
    if not await _within_quota(services, message, texts, user_id):
        return
    if services.queue is None:
        await _brief_here(services, message, request, choice, texts, user_id)
        return
    # scaled out: a worker answers, in this same status message
    stored = await services.cache.remember_source(request.url, request.text, request.document, request.filename)
    pending = PendingBriefs(services.database)
    sent = (await StatusMessage.open(message, texts, await queue_position(services, texts))).message
    await services.queue.put(await pending.add(message.chat_id, user_id, message.message_id,
                                               sent.message_id if sent else None, stored.key,
                                               choice.as_dict(), texts.language))


async def _brief_here(services: Services, message: Message, request: BriefRequest, choice: ReaderChoice,
                      texts: Texts, user_id: int) -> None:
    """Briefs an accepted request in this process. The request is stored (to be finished after a
    restart) while the brief is being made, not before: with many requests at once the writes
    take turns, and the briefs need not wait for them. Once answered, the stored request is done."""
    pending = PendingBriefs(services.database)

    async def store() -> int:
        stored = await services.cache.remember_source(request.url, request.text, request.document, request.filename)
        return await pending.add(message.chat_id, user_id, message.message_id, None, stored.key,
                                 choice.as_dict(), texts.language)

    storing = asyncio.ensure_future(store())   # its own task: a stop that cancels the brief does not cancel it

    async def shown_in(status_message_id: int) -> None:
        await pending.shown_in(await storing, status_message_id)

    status = StatusMessage(None, message, asyncio.get_running_loop(), texts, on_sent=shown_in)
    key = source_key(request.url, request.text, request.document, request.filename)
    try:
        with services.work.in_flight():  # a stop cancels it; stored, it is finished at the next start
            await answer(services, status, request, choice, texts, user_id, key)
    except asyncio.CancelledError:
        await storing   # before the stop goes on to close the database
        raise
    # out of flight: a stop now waits for this write (PTB awaits its handlers) instead of
    # cancelling it, which would have a delivered brief answered again after the restart
    await pending.done(await storing)


async def queue_position(services: Services, texts: Texts) -> str | None:
    """Scaled out, when requests wait for a worker: the place a new one takes, for its status message.
    Told in the status message itself, before the job joins the queue: an edit after it could land
    on top of the brief a quick worker had already put there."""
    ahead = (await services.queue.counts()).waiting if services.queue is not None else 0
    return texts(N_("Busy: you are number {position} in the queue."), position=ahead + 1) if ahead else None


async def answer(services: Services, status: StatusMessage, request: BriefRequest, choice: ReaderChoice,
                 texts: Texts, user_id: int, source_key: str | None = None) -> None:
    """The brief, or a one-line reason, in place of the status message (the user was counted already).
    `source_key`: the request's source, which the caller stores."""
    try:
        await _answer(services, status, request, choice, texts, user_id, source_key)
    except asyncio.CancelledError:  # a stop: a status message on its way is sent and recorded first,
        status.close()              # so that the next start finishes the brief in it
        await status.settle()
        raise
    finally:
        status.close()


async def _answer(services: Services, status: StatusMessage, request: BriefRequest, choice: ReaderChoice,
                  texts: Texts, user_id: int, source_key: str | None) -> None:
    try:
        brief, source_key, keeping = await _make_brief(services, request, choice, user_id, status, admitted=True,
                                                       source_key=source_key)
    except QueueFull:
        BRIEFS.labels("busy", services.settings.engine).inc()
        await status.finish(escape(texts("I am busy with many briefs right now. Please try again in a minute.")))
        return
    except BriefError as error:
        BRIEFS.labels("refused", services.settings.engine).inc()
        await status.finish(escape(failure_text(texts, request, error)))
        return
    except Exception:
        BRIEFS.labels("failed", services.settings.engine).inc()
        log.exception("brief in chat %s failed", status.reply_to.chat_id)  # the status message must not stay
        await status.finish(escape(texts("Sorry, something went wrong with this message. Please try again later.")))
        return
    try:
        await deliver(status, brief, source_key, choice, texts,
                      services.pages if services.settings.telegraph_briefs else None)
    finally:  # kept even when a stop comes meanwhile (it does not wait long: one write)
        if keeping is not None:
            await asyncio.shield(keeping)


async def _within_quota(services: Services, message: Message, texts: Texts, user_id: int) -> bool:
    """Counts the brief in the user's daily quota; when it is spent, says so once (and when it resets)."""
    try:
        await services.quota.admit(user_id)
    except QuotaExceeded as spent:
        await services.rate_limit.give_back(user_id)
        if spent.first:
            hours, minutes = divmod(math.ceil(spent.seconds / 60), 60)
            notice = texts("You have had your {limit} briefs for today. More from 00:00 UTC, in {hours} h {minutes} "
                           "min.", limit=spent.limit, hours=hours, minutes=minutes)
            await with_retries(lambda: message.reply_text(notice), "notice")
        return False
    return True


def failure_text(texts: Texts, request: BriefRequest, error: BriefError) -> str:
    if request.url:
        return texts("Could not brief {link}: {reason}", link=request.url, reason=error.user_message())
    return texts("Could not brief this: {reason}", reason=error.user_message())


async def deliver(status: StatusMessage, brief: Brief, source_key: str, choice: ReaderChoice, texts: Texts,
                  pages: TelegraphPages | None = None) -> None:
    """The brief replaces the status message; a long one continues in more messages, split
    at bullet boundaries, with the buttons under the last part, or, given `pages`
    (telegraph_briefs), goes whole to a Telegraph page that one message links to."""
    with STAGE_SECONDS.labels("render").time():
        chunks = split_html(render_html(brief, show_original=choice.show_original, labels=render_labels(brief.language)))
    if len(chunks) > 1 and pages is not None:
        chunks = await _on_a_page(pages, brief, choice) or chunks
    markup = brief_keyboard(brief, source_key, texts)
    await status.finish(chunks[0], markup if len(chunks) == 1 else None)
    for number, chunk in enumerate(chunks[1:], start=2):
        await status.follow(chunk, markup if number == len(chunks) else None)


async def _on_a_page(pages: TelegraphPages, brief: Brief, choice: ReaderChoice) -> list[str] | None:
    """The brief's headline and the link to the page that holds it whole; None (the brief
    comes split, as without) when Telegraph fails."""
    entry = PageEntry(brief, show_original=choice.show_original)
    try:
        urls = await pages.publish(brief.headline, [entry], labels_for=render_labels)
    except TelegraphFailed as error:
        log.warning("long brief sent without a Telegraph page: %s", error)
        return None
    return [headline_post(brief.headline, [], urls, render_labels(brief.language))]


def resume_pending(application: Application) -> None:
    """At start: every brief accepted before the last stop (or crash) and not delivered is
    finished in the background. Call once the application runs."""
    shared = services(application)
    if shared.queue is not None:  # scaled out: stored briefs belong to the workers (their jobs are in Redis)
        return

    async def resume_all() -> None:
        for item in await PendingBriefs(shared.database).all():
            application.create_task(_resume(application.bot, shared, item), name=f"pending brief {item.id}")

    application.create_task(resume_all(), name="pending briefs")


async def _resume(bot: Bot, shared: Services, item: PendingBrief) -> None:
    log.info("finishing brief %s for chat %s, accepted before the restart", item.id, item.chat_id)
    with shared.work.in_flight():
        await answer_stored(bot, shared, item)
    await PendingBriefs(shared.database).done(item.id)  # out of flight, as in _brief_here


async def answer_stored(bot: Bot, shared: Services, item: PendingBrief) -> None:
    """Answers a stored pending brief in place of the status message the user already has
    (after a restart, or in a `briefbot worker`), or, when there is none, as a new reply (after
    a status message, recorded, if it takes a while); nothing when its source is gone with the cache."""
    source = await shared.cache.source(item.source_key)
    if source is None:
        return
    chat = Chat(item.chat_id, ChatType.PRIVATE)  # only the ids matter to the calls made with it
    asked = Message(item.request_message_id, datetime.now(UTC), chat)
    asked.set_bot(bot)
    shown: Message | None = None
    if item.status_message_id is not None:
        shown = Message(item.status_message_id, datetime.now(UTC), chat)
        shown.set_bot(bot)
    texts = texts_for(item.ui_language)
    status = StatusMessage(shown, asked, asyncio.get_running_loop(), texts,
                           on_sent=lambda message_id: PendingBriefs(shared.database).shown_in(item.id, message_id))
    request = BriefRequest(url=source.url, text=source.text, document=source.document, filename=source.filename)
    await answer(shared, status, request, ReaderChoice.from_dict(item.choice), texts, item.user_id, item.source_key)


def cancel_briefs(application: Application) -> int:
    """At shutdown: cancels the briefs in flight (they stay stored, for the next start)."""
    shared = started_services(application)
    return shared.work.cancel_in_flight() if shared is not None else 0
