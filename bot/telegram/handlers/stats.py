"""/stats @channel: what the bot did for a channel over the last 7 and 30 days, for its admins
(private chat): posts, new items per feed, duplicates merged, figure-guard repairs and feed
failures, from the events the digest service records (bot.store.events)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.store.events import ChannelStats, Counts, EventKind, FeedCounts
from bot.telegram.context import Reader, reader
from bot.telegram.handlers.channels import PRIVATE, Refusal, authorized_chat
from bot.telegram.i18n import N_

TOTALS: dict[EventKind, str] = {
    "post": N_("Posts"),
    "duplicate": N_("Duplicates merged"),
    "guard_repair": N_("Figure-guard repairs"),
    "feed_failure": N_("Feed failures"),
}


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats <@channel|id>: the channel's numbers, after a live admin check."""
    me = await reader(update, context)
    message = update.effective_message
    assert message is not None and update.effective_user is not None, "registered for private messages only"
    args = context.args or []
    if len(args) != 1:
        await message.reply_text(me.texts("Use /stats @channel"))
        return
    try:
        chat = await authorized_chat(context, args[0], update.effective_user.id)
    except Refusal as refusal:
        await message.reply_text(me.texts(refusal.text, **refusal.values))
        return
    channel = await me.services.channels.get(chat.id)
    if channel is None:
        await message.reply_text(me.texts("I post no digests to {chat} yet. /sub @channel <feed URL> attaches a "
                                          "feed.", chat=chat.title or args[0]))
        return
    stats = await me.services.digests.events.summary(channel.chat_id)
    feeds = [feed.url for feed in await me.services.channels.feeds(channel.chat_id)]
    await message.reply_text(stats_report(me, channel.title, stats, feeds))


def stats_report(me: Reader, title: str, stats: ChannelStats, feeds: list[str]) -> str:
    """Each number as "last 7 days / last 30 days"; the channel's feeds, and any feed with
    events that was removed since, each with its new items (and failures, if any)."""
    lines = [me.texts("{chat}, last 7 days / last 30 days:", chat=title)]
    lines += [f"{me.texts(label)}: {_pair(stats.totals[kind])}" for kind, label in TOTALS.items()]
    per_feed = {feed.feed_url: feed for feed in stats.feeds}
    urls = feeds + sorted(set(per_feed) - set(feeds))
    if urls:
        lines.append(me.texts("New items per feed:"))
    for url in urls:
        counts = per_feed.get(url, FeedCounts(url))
        line = f"• {url}: {_pair(counts.items)}"
        if counts.failures.month:
            line += "; " + me.texts("failures {counts}", counts=_pair(counts.failures))
        lines.append(line)
    return "\n".join(lines)


def _pair(counts: Counts) -> str:
    return f"{counts.week} / {counts.month}"


HANDLERS = [CommandHandler("stats", on_stats, filters=PRIVATE)]
