"""Channel admins' digest templates (private chat): /template, /hashtags, /preview.

Like every channel command, each one is authorised live with getChatMember (see
handlers.channels). What a template is and how it renders lives in bot.digests.template;
here a template error becomes a one-line reply in the admin's language.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.digests.template import SWITCHES, DigestTemplate, TemplateError, parse_hashtags
from bot.store.channels import Channel
from bot.telegram.context import Reader
from bot.telegram.handlers.channels import PRIVATE, Refusal, _channel_for, _command, _reply
from bot.telegram.i18n import N_

TEMPLATE_HELP = N_("Use /template @channel, then: points 2 figures off sources on original off link on | "
                   "header \"Morning brief {date}\" | footer text | reset")
HASHTAGS_HELP = N_("Use /hashtags @channel https://example.com/feed.xml #economy #gulf (off removes them)")


def _words(update: Update) -> list[str]:
    """The command's words after its name; the text is read whole so a header keeps its spacing."""
    return update.effective_message.text.split(maxsplit=3)[1:]


@_command
async def on_template(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/template <channel> [points 2 figures off … | header text | footer text | reset]."""
    words = _words(update)
    if not words:
        raise Refusal(TEMPLATE_HELP)
    channel = await _channel_for(me, update, context, words[0])
    template = DigestTemplate.stored(channel.template)
    if len(words) > 1:
        template = _changed(template, words[1].lower(), words[2:])
        channel = channel.with_values(template=template.serialize())
        await me.services.channels.save(channel)
    await _reply(update, _described(me, channel, template, words[0]))


def _changed(template: DigestTemplate, key: str, rest: list[str]) -> DigestTemplate:
    try:
        if key == "reset" and not rest:
            return DigestTemplate()
        if key in ("header", "footer"):
            return template.with_line(key, " ".join(rest))
        if key == "points" or key in SWITCHES:
            return template.with_parts([key, *" ".join(rest).split()])
    except TemplateError as error:
        raise Refusal(error.text, **error.values) from None
    raise Refusal(TEMPLATE_HELP)


def _described(me: Reader, channel: Channel, template: DigestTemplate, reference: str) -> str:
    def switch(on: bool) -> str:
        return "on" if on else "off"  # the words the admin types, in every language

    parts = f"points {template.points} · " + " · ".join(f"{name} {switch(getattr(template, name))}"
                                                      for name in SWITCHES)
    return "\n".join([
        me.texts("Digest template of {chat}:", chat=channel.title),
        parts,
        me.texts("header: {header}", header=template.header or me.texts("the title (Digest: {chat})",
                                                                         chat=channel.title)),
        me.texts("footer: {footer}", footer=template.footer or "—"),
        me.texts("/preview {chat} shows the last digest with this template, to you only.",
                 chat=reference),
    ])


@_command
async def on_hashtags(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hashtags <channel> [<feed URL> #tag … | off]: the hashtags under each story from a feed."""
    args = context.args or []
    if not args:
        raise Refusal(HASHTAGS_HELP)
    channel = await _channel_for(me, update, context, args[0])
    if len(args) > 2:
        url, tags = args[1], args[2:]
        try:
            hashtags = "" if [t.lower() for t in tags] == ["off"] else parse_hashtags(tags)
        except TemplateError as error:
            raise Refusal(error.text, **error.values) from None
        if not await me.services.channels.set_hashtags(channel.chat_id, url, hashtags):
            raise Refusal(N_("That feed was not attached to this channel."))
    elif len(args) == 2:
        raise Refusal(HASHTAGS_HELP)
    feeds = await me.services.channels.feeds(channel.chat_id)
    if not feeds:
        raise Refusal(N_("{chat} has no feeds yet: /sub {chat} <feed URL> attaches one."), chat=args[0])
    lines = [me.texts("Hashtags of the feeds of {chat}:", chat=channel.title)]
    lines += [f"• {feed.url}: {feed.hashtags or '—'}" for feed in feeds]
    await _reply(update, "\n".join(lines))


@_command
async def on_preview(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/preview <channel>: the last digest rendered with the current template, sent to this chat only."""
    args = context.args or []
    if len(args) != 1:
        raise Refusal(N_("Use /preview @channel"))
    channel = await _channel_for(me, update, context, args[0])
    await update.effective_chat.send_action(ChatAction.TYPING)  # the stories are briefed again: seconds
    posts = await me.services.digests.preview(channel)
    if not posts:
        raise Refusal(N_("Nothing has been posted to {chat} yet: /digest {chat} now posts a digest."),
                      chat=channel.title)
    await _reply(update, me.texts("The last digest of {chat} with its template (a preview: not posted):",
                                  chat=channel.title))
    for markup in posts:
        await update.effective_message.reply_text(markup, parse_mode=ParseMode.HTML)


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    CommandHandler("template", on_template, filters=PRIVATE),
    CommandHandler("hashtags", on_hashtags, filters=PRIVATE),
    CommandHandler("preview", on_preview, filters=PRIVATE),
]
