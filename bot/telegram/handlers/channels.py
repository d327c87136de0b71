"""Channel admins' commands (private chat): feeds, schedules, digest settings, OPML.

Every change is authorised live with getChatMember: the user must be an
administrator of the channel, and the bot an administrator allowed to post.
Nothing is stored otherwise. Replies are UI texts in the admin's language.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree
from telegram import ChatFullInfo, ChatMemberAdministrator, ChatMemberOwner, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, JobQueue, MessageHandler, filters

from bot.digests.languages import MAX_LANGUAGES, digest_languages, parse_languages
from bot.digests.schedule import parse_schedule
from bot.engines.registry import translates_into
from bot.errors import BriefError
from bot.language import is_known_language
from bot.store.channels import MAX_FEEDS, Channel, TooManyFeeds
from bot.telegram.context import Reader, reader
from bot.telegram.digests import schedule_channel
from bot.telegram.handlers.access import may_attach
from bot.telegram.i18n import N_
from bot.telegram.services import services
from bot.web.feeds import fetch_feed

PRIVATE = filters.ChatType.PRIVATE
ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
MAX_ITEMS = 30

ChannelCommand = Callable[[Reader, Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class Refusal(Exception):
    """A request that cannot be done as asked: a UI text and its values, translated when shown."""

    def __init__(self, text: str, **values: object) -> None:
        super().__init__(text)
        self.text = text
        self.values = values


async def authorized_chat(context: ContextTypes.DEFAULT_TYPE, reference: str, user_id: int) -> ChatFullInfo:
    """The channel or group `reference` (@name or id) when both the user and the bot are its admins."""
    try:
        chat = await context.bot.get_chat(int(reference) if reference.lstrip("-").isdecimal() else reference)
        member = await context.bot.get_chat_member(chat.id, user_id)
        me = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError:
        raise Refusal(N_("I cannot see {chat}. Add me to it as an administrator first."), chat=reference) from None
    if member.status not in ADMINS:
        raise Refusal(N_("Only an administrator of {chat} can do that."), chat=chat.title or reference)
    if not may_attach(services(context).settings, chat.id):
        raise Refusal(N_("{chat} is not on this bot's list of allowed chats, so I cannot post there. The bot's "
                         "operator can add its id, {chat_id}, to allowed_chats."), chat=chat.title or reference,
                      chat_id=chat.id)
    can_post = isinstance(me, ChatMemberOwner) or (
        isinstance(me, ChatMemberAdministrator) and (chat.type != ChatType.CHANNEL or me.can_post_messages))
    if not can_post:
        raise Refusal(N_("Make me an administrator of {chat} who may post messages."), chat=chat.title or reference)
    return chat


async def _channel_for(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE, reference: str) -> Channel:
    """The stored channel after a live admin check, or a new record for it (not yet saved)."""
    user = update.effective_user
    chat = await authorized_chat(context, reference, user.id)
    stored = await me.services.channels.get(chat.id)
    return stored or Channel(chat.id, chat.title or reference, user.id)


async def _reply(update: Update, text: str) -> None:
    await update.effective_message.reply_text(text)


def _command(handler: ChannelCommand) -> Callback:
    """Gives the handler its reader, and turns a refusal into a one-line reply in the reader's language."""

    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        me = await reader(update, context)
        try:
            await handler(me, update, context)
        except Refusal as refusal:
            await _reply(update, me.texts(refusal.text, **refusal.values))

    wrapped.__doc__ = handler.__doc__
    return wrapped


def _job_queue(context: ContextTypes.DEFAULT_TYPE) -> JobQueue[Any]:
    """The application's job queue: `briefbot` installs PTB with its job-queue extra."""
    assert context.job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    return context.job_queue


def _arguments(context: ContextTypes.DEFAULT_TYPE, count: int, usage: str) -> list[str]:
    """Exactly `count` arguments, or the command's usage as a refusal."""
    args = context.args or []
    if len(args) != count:
        raise Refusal(usage)
    return args


@_command
async def on_sub(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sub <@channel|id> <feed URL>: attach a feed (checked to be a feed first)."""
    reference, url = _arguments(context, 2, N_("Use /sub @channel https://example.com/feed.xml"))
    channel = await _channel_for(me, update, context, reference)
    try:
        result = await fetch_feed(me.services.fetcher, url)
    except BriefError as error:
        raise Refusal(N_("That feed cannot be used: {reason}"), reason=error.user_message()) from None
    await me.services.channels.save(channel)
    try:
        added = await me.services.channels.add_feed(channel.chat_id, url)
    except TooManyFeeds:
        raise Refusal(N_("A channel can have at most {n} feeds; /unsub one first."), n=MAX_FEEDS) from None
    added_items = await me.services.channels.add_items(channel.chat_id, url, result.entries)
    await me.services.digests.events.record(channel.chat_id, "item", added_items, url)  # for /stats
    attached = (N_("{feed} is now attached to {chat} ({n} items).") if added
                else N_("{feed} was already attached to {chat} ({n} items)."))
    await _reply(update, "\n".join([
        me.texts(attached, feed=url, chat=channel.title, n=len(result.entries)),
        me.texts("/schedule {chat} every 6h sets when digests come; /digest {chat} now posts one.", chat=reference),
    ]))


@_command
async def on_unsub(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsub <channel> <feed URL>: detach a feed."""
    reference, url = _arguments(context, 2, N_("Use /unsub @channel https://example.com/feed.xml"))
    channel = await _channel_for(me, update, context, reference)
    removed = await me.services.channels.remove_feed(channel.chat_id, url)
    await _reply(update, me.texts("Removed.") if removed else me.texts("That feed was not attached to this channel."))


@_command
async def on_list(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/list: the user's channels with their feeds and schedules."""
    channels = await me.services.channels.owned_by(update.effective_user.id)
    if not channels:
        await _reply(update, me.texts("You have no channels yet. /sub @channel <feed URL> attaches one."))
        return
    lines = []
    for channel in channels:
        lines.append(f"{channel.title} ({channel.chat_id}): {_state(me, channel)}")
        lines += [f"  • {feed.url}" for feed in await me.services.channels.feeds(channel.chat_id)]
    await _reply(update, "\n".join(lines))


def _state(me: Reader, channel: Channel) -> str:
    if channel.paused:
        return me.texts("paused")
    return channel.schedule or me.texts("no schedule")


@_command
async def on_schedule(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/schedule <channel> every 6h | at 08:00,20:00 [time zone] | off."""
    usage = N_("Use /schedule @channel every 6h, or /schedule @channel at 08:00,20:00 Asia/Riyadh, "
               "or /schedule @channel off")
    args = context.args or []
    if len(args) < 2:
        raise Refusal(usage)
    channel = await _channel_for(me, update, context, args[0])
    text = " ".join(args[1:])
    if text.lower() == "off":
        channel = channel.with_values(schedule="")
    else:
        try:
            schedule = parse_schedule(text, channel.timezone)
        except ValueError as error:
            raise Refusal(N_("That is not a schedule: {reason}."), reason=str(error)) from None
        channel = channel.with_values(schedule=schedule.describe().rsplit(" ", 1)[0] if schedule.times
                                      else schedule.describe(), timezone=schedule.timezone)
    await me.services.channels.save(channel)
    schedule_channel(_job_queue(context), channel)
    if not channel.schedule:
        await _reply(update, me.texts("Digests for {chat}: only on /digest.", chat=channel.title))
        return
    when = channel.schedule + (f" ({channel.timezone})" if channel.schedule.startswith("at") else "")
    await _reply(update, me.texts("Digests for {chat}: {when}.", chat=channel.title, when=when))


@_command
async def on_digest(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest <channel> now: post a digest at once."""
    reference, now = _arguments(context, 2, N_("Use /digest @channel now"))
    if now.lower() != "now":
        raise Refusal(N_("Use /digest @channel now"))
    channel = await _channel_for(me, update, context, reference)
    posts = await me.services.digests.run(channel)
    await _reply(update, me.texts("Posted {n} message(s) to {chat}.", n=posts, chat=channel.title) if posts
                 else me.texts("Nothing new to post."))


SETTINGS_HELP = N_("Use /settings @channel with: language ar | lang en,ar | items 8 | include word, phrase | "
                   "exclude word | topic 42 | topic off | telegraph on | telegraph off | pause | resume")


@_command
async def on_channel_settings(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings <channel> [key value]: the digest's language, size, filters, topic, pause."""
    args = update.effective_message.text.split()[1:]  # a MessageHandler: no context.args
    channel = await _channel_for(me, update, context, args[0])
    key = args[1].lower() if len(args) > 1 else ""
    value = " ".join(args[2:]).strip()
    if key:
        channel = _with_languages(me, channel, value) if key in ("lang", "language") else _changed(channel, key, value)
        await me.services.channels.save(channel)
        schedule_channel(_job_queue(context), channel)
    state = me.texts("paused") if channel.paused else me.texts("active")
    schedule = channel.schedule or me.texts("no schedule")
    await _reply(update, "\n".join([
        f"{channel.title}: {state}, {schedule}",
        me.texts("language: {language}, items: {n}", n=channel.items, language=", ".join(
            map(str, digest_languages(channel, me.services.settings.target_language)))),
        me.texts("include: {include}; exclude: {exclude}", include=", ".join(channel.include) or "—",
                 exclude=", ".join(channel.exclude) or "—"),
        me.texts("topic: {topic}", topic=channel.thread_id or "—"),
        me.texts("Telegraph pages: {state}", state=me.texts("on") if channel.telegraph else me.texts("off")),
    ]))


LANGUAGES_HELP = N_("Use /settings @channel lang en,ar for one post in each language, or lang en:12,ar:34 to post "
                    "each language into that forum topic (at most {n} languages).")


def _with_languages(me: Reader, channel: Channel, value: str) -> Channel:
    """`lang ar`: digests in one language, as one post; `lang en,ar`: one post per language, each
    briefed once and translated; `lang en:12,ar:34`: each language's post in that forum topic."""
    try:
        languages = parse_languages(value)
    except ValueError:
        raise Refusal(LANGUAGES_HELP, n=MAX_LANGUAGES) from None
    settings = me.services.settings
    for code in (language.code for language in languages):
        if not is_known_language(code):
            raise Refusal(N_("'{code}' is not a language code; use two-letter codes such as en, ar or fr."), code=code)
        if not translates_into(code, override=settings.translation_model, many_to_many=settings.many_to_many_model):
            raise Refusal(N_("No translation model briefbot knows translates into {language} ({code}), so a digest "
                             "cannot be in it."), language=me.texts.language_name(code), code=code)
    first = languages[0]
    if len(languages) == 1:  # one language is one post, as before: its topic is the digest's topic
        return channel.with_values(language=first.code, languages=(),
                                   thread_id=channel.thread_id if first.topic is None else first.topic)
    return channel.with_values(language=first.code, languages=tuple(map(str, languages)))


def _changed(channel: Channel, key: str, value: str) -> Channel:
    phrases = tuple(p.strip() for p in value.split(",") if p.strip())
    if key == "items" and value.isdecimal() and 1 <= int(value) <= MAX_ITEMS:
        return channel.with_values(items=int(value))
    if key in ("include", "exclude"):
        return channel.with_values(**{key: phrases})
    if key == "topic":
        if value.lower() == "off":
            return channel.with_values(thread_id=None)
        if value.isdecimal():
            return channel.with_values(thread_id=int(value))
    if key == "telegraph" and value.lower() in ("on", "off"):
        return channel.with_values(telegraph=value.lower() == "on")
    if key in ("pause", "resume"):
        return channel.with_values(paused=key == "pause")
    raise Refusal(SETTINGS_HELP)


@_command
async def on_opml_export(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/opml <channel>: the channel's feeds as an OPML file."""
    (reference,) = _arguments(context, 1, N_("Use /opml @channel (send an .opml file with that caption to import)"))
    channel = await _channel_for(me, update, context, reference)
    feeds = await me.services.channels.feeds(channel.chat_id)
    outlines = "\n".join(f'    <outline type="rss" text="{_attribute(f.url)}" xmlUrl="{_attribute(f.url)}"/>'
                         for f in feeds)
    opml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head><title>'
            f'{xml_escape(channel.title)}</title></head>\n  <body>\n{outlines}\n  </body>\n</opml>\n')
    await update.effective_message.reply_document(io.BytesIO(opml.encode()), filename="feeds.opml")


def _attribute(value: str) -> str:
    return xml_escape(value, {'"': "&quot;"})


@_command
async def on_opml_import(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An .opml file with the caption `/opml <channel>` attaches every feed in it."""
    caption = (update.effective_message.caption or "").split()
    if len(caption) != 2 or caption[0] != "/opml":
        raise Refusal(N_("Send the .opml file with the caption /opml @channel"))
    channel = await _channel_for(me, update, context, caption[1])
    data = await (await update.effective_message.document.get_file()).download_as_bytearray()
    try:
        urls = await asyncio.to_thread(_opml_feeds, bytes(data))  # 100,000 outlines must not hold the loop
    except etree.XMLSyntaxError:
        raise Refusal(N_("This file is not OPML.")) from None
    await me.services.channels.save(channel)
    added, left_out = await me.services.channels.add_feeds(channel.chat_id, urls)
    lines = [me.texts("Attached {n} new feed(s) of {total} to {chat}.", n=added, total=len(urls), chat=channel.title)]
    if left_out:
        lines.append(me.texts("{n} more were left out: a channel can have at most {limit} feeds.",
                              n=left_out, limit=MAX_FEEDS))
    await _reply(update, "\n".join(lines))


def _opml_feeds(data: bytes) -> list[str]:
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return [str(node.get("xmlUrl")) for node in tree.iter("outline") if node.get("xmlUrl")]


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    CommandHandler("sub", on_sub, filters=PRIVATE),
    CommandHandler("unsub", on_unsub, filters=PRIVATE),
    CommandHandler("list", on_list, filters=PRIVATE),
    CommandHandler("schedule", on_schedule, filters=PRIVATE),
    CommandHandler("digest", on_digest, filters=PRIVATE),
    CommandHandler("opml", on_opml_export, filters=PRIVATE),
    # /settings with a channel; plain /settings (the chat's own) is in handlers.settings
    MessageHandler(PRIVATE & filters.Regex(r"^/settings(@\w+)?\s+\S"), on_channel_settings),
    MessageHandler(PRIVATE & filters.Document.FileExtension("opml"), on_opml_import),
]
