"""Inline mode: `@bot <link>` in any chat offers the brief as a message to send."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes, InlineQueryHandler

from bot.core.render.telegram_html import render_html, split_html
from bot.errors import BriefError
from bot.i18n import render_labels
from bot.store.cache import source_key
from bot.telegram.briefing import BriefRequest, make_brief
from bot.telegram.context import reader
from bot.telegram.fairness import QueueFull, RateLimited
from bot.telegram.quota import QuotaExceeded

log = logging.getLogger(__name__)
# Telegram drops an inline answer after about 10 s; a brief not done by then is
# still cached, so asking again a moment later answers at once.
INLINE_DEADLINE = 8.0


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Briefs the link typed after the bot's name."""
    query = update.inline_query
    link = query.query.strip()
    if not link.lower().startswith(("http://", "https://")) or " " in link:
        return
    me = await reader(update, context)
    try:
        brief, _ = await asyncio.wait_for(
            asyncio.shield(make_brief(me.services, BriefRequest(url=link), me.choice, me.user_id)), INLINE_DEADLINE)
    except QuotaExceeded:  # a button above the (empty) results says why; personal: others may have briefs left
        spent = InlineQueryResultsButton(me.texts("Your briefs for today are used up: more from 00:00 UTC"),
                                         start_parameter="quota")
        await query.answer([], cache_time=60, is_personal=True, button=spent)
        return
    except (BriefError, QueueFull, RateLimited, TimeoutError) as error:
        log.info("inline brief of %s not ready: %s", link, error)
        await query.answer([], cache_time=5)
        return
    html = split_html(render_html(brief, labels=render_labels(brief.language)))[0]
    result = InlineQueryResultArticle(
        id=source_key(link, None),
        title=brief.headline[:100],
        description=" ".join(brief.points)[:200],
        input_message_content=InputTextMessageContent(html, parse_mode=ParseMode.HTML),
    )
    await query.answer([result], cache_time=300)


HANDLERS = [InlineQueryHandler(on_inline_query)]
