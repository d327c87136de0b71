"""Channel digests on Telegram: how a digest is posted, and the jobs that run them on schedule."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from datetime import time as day_time
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.digests.schedule import next_run, parse_schedule
from bot.digests.service import DeliveryFailed, DigestDelivery
from bot.store.channels import Channel
from bot.telegram.handlers.access import may_attach
from bot.telegram.resend import with_retries
from bot.telegram.services import services, started_services

log = logging.getLogger(__name__)


def telegram_delivery(bot: Bot) -> DigestDelivery:
    """Posts and owner notes sent through the Bot API, transient failures retried;
    a Telegram error that remains is a failed delivery."""

    async def post(channel: Channel, markup: str) -> int:
        try:
            message = await with_retries(lambda: bot.send_message(
                channel.chat_id, markup, parse_mode=ParseMode.HTML, message_thread_id=channel.thread_id),
                f"digest post to {channel.chat_id}")
        except TelegramError as error:
            raise DeliveryFailed(str(error)) from error
        return message.message_id

    async def notify(user_id: int, text: str) -> None:
        try:
            await with_retries(lambda: bot.send_message(user_id, text), f"note to {user_id}")
        except TelegramError as error:
            raise DeliveryFailed(str(error)) from error

    return DigestDelivery(post, notify)


def job_name(chat_id: int) -> str:
    return f"digest:{chat_id}"


def schedule_all(job_queue: JobQueue, channels: Iterable[Channel]) -> None:
    """Each stored channel's jobs, in isolation: one bad stored schedule is logged and skipped."""
    for channel in channels:
        try:
            schedule_channel(job_queue, channel)
        except Exception:  # noqa: BLE001 - the bot must start whatever one channel stored
            log.exception("the schedule %r of channel %s is skipped", channel.schedule, channel.chat_id)


def schedule_channel(job_queue: JobQueue, channel: Channel) -> None:
    """(Re)creates the channel's digest jobs from its stored schedule (ValueError if it is not one)."""
    shared = started_services(job_queue.application)
    if shared is not None and shared.queue is not None:  # scaled out: workers claim due digests (next_run)
        return
    for job in job_queue.get_jobs_by_name(job_name(channel.chat_id)):
        job.schedule_removal()
    if not channel.schedule or channel.paused:
        return
    schedule = parse_schedule(channel.schedule, channel.timezone)
    if schedule.every:
        # at fixed times since the epoch, not since this start: restarts never postpone a digest
        job_queue.run_repeating(digest_job, interval=schedule.every, first=next_run(schedule, datetime.now(UTC)),
                                name=job_name(channel.chat_id), data=channel.chat_id)
        return
    for moment in schedule.times:
        at = day_time(moment.hour, moment.minute, tzinfo=ZoneInfo(schedule.timezone))
        job_queue.run_daily(digest_job, time=at, name=job_name(channel.chat_id), data=channel.chat_id)


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A scheduled digest; a failure is logged and the next run tries again."""
    shared = services(context)
    assert context.job is not None and isinstance(context.job.data, int)  # scheduled with data=chat_id
    channel = await shared.channels.get(context.job.data)
    if channel is None or channel.paused or not may_attach(shared.settings, channel.chat_id):
        return  # removed, paused, or no longer on the operator's allowed_chats
    try:
        await shared.digests.run(channel)
    except Exception:  # one channel's failure must not stop the job queue
        log.exception("digest of %s failed", channel.chat_id)
