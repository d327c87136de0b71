"""Channel admins' commands (private chat): feeds, schedules, digest settings, OPML.

Every change is authorised live with getChatMember: the user must be an
administrator of the channel, and the bot an administrator allowed to post.
Nothing is stored otherwise.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape as xml_escape

from lxml import etree
from telegram import Chat, ChatMemberAdministrator, ChatMemberOwner, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.digests.schedule import parse_schedule
from bot.errors import BriefError
from bot.language import is_known_language
from bot.store.channels import Channel
from bot.telegram.digests import schedule_channel
from bot.web.feeds import fetch_feed

PRIVATE = filters.ChatType.PRIVATE
ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
MAX_ITEMS = 30


class NotAllowed(Exception):
    """The user (or the bot) may not act on this channel; the message says why."""


async def authorized_chat(context: ContextTypes.DEFAULT_TYPE, reference: str, user_id: int) -> Chat:
    """The channel or group `reference` (@name or id) when both the user and the bot are its admins."""
    try:
        chat = await context.bot.get_chat(int(reference) if reference.lstrip("-").isdigit() else reference)
        member = await context.bot.get_chat_member(chat.id, user_id)
        me = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError:
        raise NotAllowed(f"I cannot see {reference}. Add me to it as an administrator first.") from None
    if member.status not in ADMINS:
        raise NotAllowed(f"Only an administrator of {chat.title or reference} can do that.")
    can_post = isinstance(me, ChatMemberOwner) or (
        isinstance(me, ChatMemberAdministrator) and (chat.type != ChatType.CHANNEL or me.can_post_messages))
    if not can_post:
        raise NotAllowed(f"Make me an administrator of {chat.title or reference} who may post messages.")
    return chat


async def _channel_for(update: Update, context: ContextTypes.DEFAULT_TYPE, reference: str) -> Channel:
    """The stored channel after a live admin check, or a new record for it (not yet saved)."""
    user = update.effective_user
    chat = await authorized_chat(context, reference, user.id)
    services = context.bot_data["services"]
    stored = await services.channels.get(chat.id)
    return stored or Channel(chat.id, chat.title or reference, user.id)


async def _reply(update: Update, text: str) -> None:
    await update.effective_message.reply_text(text)


def _guarded(handler):
    """Turns a refusal or a bad argument into a one-line reply."""

    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handler(update, context)
        except NotAllowed as refusal:
            await _reply(update, str(refusal))
        except ValueError as error:
            await _reply(update, f"{str(error)[0].upper()}{str(error)[1:]}.")

    wrapped.__doc__ = handler.__doc__
    return wrapped


@_guarded
async def on_sub(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sub <@channel|id> <feed URL>: attach a feed (checked to be a feed first)."""
    if len(context.args or []) != 2:
        raise ValueError("use /sub @channel https://example.com/feed.xml")
    reference, url = context.args
    channel = await _channel_for(update, context, reference)
    services = context.bot_data["services"]
    try:
        result = await fetch_feed(services.fetcher, url)
    except BriefError as error:
        raise ValueError(f"that feed cannot be used: {error.user_message()}") from None
    await services.channels.save(channel)
    added = await services.channels.add_feed(channel.chat_id, url)
    await services.channels.add_items(channel.chat_id, url, result.entries)
    await _reply(update, f"{url} {'is now attached to' if added else 'was already attached to'} {channel.title} "
                         f"({len(result.entries)} items). /schedule {reference} every 6h sets when digests come; "
                         f"/digest {reference} now posts one.")


@_guarded
async def on_unsub(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsub <channel> <feed URL>: detach a feed."""
    if len(context.args or []) != 2:
        raise ValueError("use /unsub @channel https://example.com/feed.xml")
    channel = await _channel_for(update, context, context.args[0])
    removed = await context.bot_data["services"].channels.remove_feed(channel.chat_id, context.args[1])
    await _reply(update, "Removed." if removed else "That feed was not attached to this channel.")


async def on_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/list: the user's channels with their feeds and schedules."""
    services = context.bot_data["services"]
    channels = await services.channels.owned_by(update.effective_user.id)
    if not channels:
        await _reply(update, "You have no channels yet. /sub @channel <feed URL> attaches one.")
        return
    lines = []
    for channel in channels:
        state = "paused" if channel.paused else (channel.schedule or "no schedule")
        lines.append(f"{channel.title} ({channel.chat_id}): {state}")
        lines += [f"  • {feed.url}" for feed in await services.channels.feeds(channel.chat_id)]
    await _reply(update, "\n".join(lines))


@_guarded
async def on_schedule(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/schedule <channel> every 6h | at 08:00,20:00 [time zone] | off."""
    if len(context.args or []) < 2:
        raise ValueError("use /schedule @channel every 6h, or /schedule @channel at 08:00,20:00 Asia/Riyadh")
    channel = await _channel_for(update, context, context.args[0])
    text = " ".join(context.args[1:])
    if text.lower() == "off":
        channel = channel.with_values(schedule="")
    else:
        schedule = parse_schedule(text, channel.timezone)
        channel = channel.with_values(schedule=schedule.describe().rsplit(" ", 1)[0] if schedule.times
                                      else schedule.describe(), timezone=schedule.timezone)
    services = context.bot_data["services"]
    await services.channels.save(channel)
    schedule_channel(context.job_queue, channel)
    await _reply(update, f"Digests for {channel.title}: {channel.schedule or 'only on /digest'}"
                         + (f" ({channel.timezone})" if channel.schedule.startswith("at") else "") + ".")


@_guarded
async def on_digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest <channel> now: post a digest at once."""
    if len(context.args or []) != 2 or context.args[1].lower() != "now":
        raise ValueError("use /digest @channel now")
    channel = await _channel_for(update, context, context.args[0])
    posts = await context.bot_data["services"].digests.run(channel)
    await _reply(update, f"Posted {posts} message(s) to {channel.title}." if posts else "Nothing new to post.")


SETTINGS_HELP = ("use /settings @channel with: language ar | items 8 | include word, phrase | exclude word | "
                 "topic 42 | topic off | pause | resume")


@_guarded
async def on_channel_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings <channel> [key value]: the digest's language, size, filters, topic, pause."""
    args = update.effective_message.text.split()[1:]  # a MessageHandler: no context.args
    channel = await _channel_for(update, context, args[0])
    key = args[1].lower() if len(args) > 1 else ""
    value = " ".join(args[2:]).strip()
    channel = _changed(channel, key, value) if key else channel
    services = context.bot_data["services"]
    if key:
        await services.channels.save(channel)
        schedule_channel(context.job_queue, channel)
    await _reply(update, "\n".join([
        f"{channel.title}: {'paused' if channel.paused else 'active'}, {channel.schedule or 'no schedule'}",
        f"language: {channel.language or services.settings.target_language}, items: {channel.items}",
        f"include: {', '.join(channel.include) or '—'}; exclude: {', '.join(channel.exclude) or '—'}",
        f"topic: {channel.thread_id or '—'}",
    ]))


def _changed(channel: Channel, key: str, value: str) -> Channel:
    phrases = tuple(p.strip() for p in value.split(",") if p.strip())
    if key == "language" and is_known_language(value.lower()):
        return channel.with_values(language=value.lower())
    if key == "items" and value.isdigit() and 1 <= int(value) <= MAX_ITEMS:
        return channel.with_values(items=int(value))
    if key in ("include", "exclude"):
        return channel.with_values(**{key: phrases})
    if key == "topic":
        if value.lower() == "off":
            return channel.with_values(thread_id=None)
        if value.isdigit():
            return channel.with_values(thread_id=int(value))
    if key in ("pause", "resume"):
        return channel.with_values(paused=key == "pause")
    raise ValueError(SETTINGS_HELP)


@_guarded
async def on_opml_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/opml <channel>: the channel's feeds as an OPML file."""
    if len(context.args or []) != 1:
        raise ValueError("use /opml @channel (send an .opml file with that caption to import)")
    channel = await _channel_for(update, context, context.args[0])
    feeds = await context.bot_data["services"].channels.feeds(channel.chat_id)
    outlines = "\n".join(f'    <outline type="rss" text="{xml_escape(f.url, {chr(34): "&quot;"})}" '
                         f'xmlUrl="{xml_escape(f.url, {chr(34): "&quot;"})}"/>' for f in feeds)
    opml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head><title>'
            f'{xml_escape(channel.title)}</title></head>\n  <body>\n{outlines}\n  </body>\n</opml>\n')
    await update.effective_message.reply_document(io.BytesIO(opml.encode()), filename="feeds.opml")


@_guarded
async def on_opml_import(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An .opml file with the caption `/opml <channel>` attaches every feed in it."""
    caption = (update.effective_message.caption or "").split()
    if len(caption) != 2 or caption[0] != "/opml":
        raise ValueError("send the .opml file with the caption /opml @channel")
    channel = await _channel_for(update, context, caption[1])
    data = await (await update.effective_message.document.get_file()).download_as_bytearray()
    try:
        tree = etree.fromstring(bytes(data), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise ValueError("this file is not OPML") from None
    urls = [node.get("xmlUrl") for node in tree.iter("outline") if node.get("xmlUrl")]
    services = context.bot_data["services"]
    await services.channels.save(channel)
    added = [url for url in urls if await services.channels.add_feed(channel.chat_id, url)]
    await _reply(update, f"Attached {len(added)} new feed(s) of {len(urls)} to {channel.title}.")


HANDLERS = [
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
