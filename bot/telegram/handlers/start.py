"""/start and /help: what the bot does, with an example to try."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, ContextTypes

from bot.core.render.telegram_html import escape
from bot.telegram.context import reader
from bot.telegram.i18n import Texts


def help_text(texts: Texts, bot_username: str) -> str:
    lines = [
        texts("I turn news articles into short briefs in your language, keeping every figure exact "
              "and naming the sources."),
        "",
        texts("Send me a link, paste an article, forward a channel post, or send a .txt, .html or .pdf file."),
        texts("For example: https://news.example.com/2025/03/14/city-opens-desalination-plant"),
        "",
        texts("In groups, reply to a message with /brief, or mention @{bot}.", bot=bot_username),
        texts("Inline: type @{bot} and a link in any chat.", bot=bot_username),
        "",
        texts("/lang: the language of your briefs"),
        texts("/length N: sentences in a brief"),
        texts("/reads en fr: languages you read, never translated"),
        texts("/original on|off: show the original sentences under a translation"),
        texts("/settings: what you chose"),
        texts("/stats @channel: your channel's posts, items, duplicates, repairs and feed failures"),
        texts("/usage: briefs per user, for the bot's operators"),
        texts("/template @channel: what each story of a digest shows, a header and a footer"),
        texts("/hashtags @channel <feed URL> #tag: hashtags under the stories of a feed"),
        texts("/preview @channel: the last digest with its template, sent only to you"),
    ]
    return escape("\n".join(lines))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets a new user with the same text as /help."""
    await show_help(update, context)


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says what the bot does and how to use it."""
    me = await reader(update, context)
    await update.effective_message.reply_text(help_text(me.texts, context.bot.username),
                                              parse_mode=ParseMode.HTML)


HANDLERS = [CommandHandler("start", start), CommandHandler("help", show_help)]
