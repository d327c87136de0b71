"""/usage: how many briefs who asked for, for the bot's operators (`admin_users`, private chat).

Today's and the last 7 days' totals, then the users with the most briefs over the 7 days
(20 unless `/usage N` asks for up to 100). Counts come from the daily quota's table
(bot.store.usage): every brief a user asked for, whether or not a quota is set.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, filters

from bot.store.usage import UsageStore, utc_day
from bot.telegram.context import Reader, reader

TOP_USERS = 20
MOST_USERS = 100


async def on_usage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/usage [N]: the operator's usage list."""
    me = await reader(update, context)
    message = update.effective_message
    assert message is not None, "registered for messages only"
    if me.user_id not in me.services.settings.admin_users:
        await message.reply_text(me.texts("/usage is only for the bot's operators."))
        return
    args = context.args or []
    if len(args) > 1 or (args and not (args[0].isdecimal() and 1 <= int(args[0]) <= MOST_USERS)):
        await message.reply_text(me.texts("Use /usage, or /usage N for the top N users (up to {most}).",
                                          most=MOST_USERS))
        return
    await message.reply_text(await usage_report(me, int(args[0]) if args else TOP_USERS))


async def usage_report(me: Reader, top: int) -> str:
    store = UsageStore(me.services.database)
    today = utc_day(me.services.quota.clock())
    totals = await store.totals(today)
    quota = me.services.settings.daily_quota
    lines = [
        me.texts("Briefs today ({day}, UTC): {n} by {users} user(s)", day=today, n=totals.today,
                 users=totals.today_users),
        me.texts("Last 7 days: {n} by {users} user(s)", n=totals.week, users=totals.week_users),
        me.texts("Daily quota: {n} briefs per user", n=quota) if quota else me.texts("Daily quota: none"),
    ]
    users = await store.top_users(today, top)
    if users:
        lines += ["", me.texts("Top users, last 7 days (today):")]
        lines += [f"{place}. {user.user_id}: {user.week} ({user.today})" for place, user in enumerate(users, start=1)]
    return "\n".join(lines)


HANDLERS = [CommandHandler("usage", on_usage, filters=filters.ChatType.PRIVATE)]
