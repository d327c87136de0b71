"""What happened in each channel, for its admins' /stats: posts, new items per feed,
duplicates merged, figure-guard repairs and feed failures.

The digest flow records an event where it happens (`record`); /stats sums them over the
last 7 and 30 days (`summary`). Events older than KEEP_SECONDS are deleted as new ones
come in (at most once an hour per process), so the table holds about a month.
Recording never costs a digest its post: a database error here is logged, not raised.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.store.database import Database
from bot.store.schema import channel_events

log = logging.getLogger(__name__)

EventKind = Literal["post", "item", "duplicate", "guard_repair", "feed_failure"]
KINDS: tuple[EventKind, ...] = ("post", "item", "duplicate", "guard_repair", "feed_failure")
DAY = 24 * 3600
KEEP_SECONDS = 30 * DAY
PRUNE_EVERY = 3600.0
@dataclass(frozen=True)
class Counts:
    """One number over the last 7 and the last 30 days."""

    week: int = 0
    month: int = 0


@dataclass(frozen=True)
class FeedCounts:
    feed_url: str
    items: Counts = Counts()
    failures: Counts = Counts()


@dataclass(frozen=True)
class ChannelStats:
    totals: dict[EventKind, Counts] = field(default_factory=dict)   # every kind, zeros included
    feeds: list[FeedCounts] = field(default_factory=list)          # feeds with any event, by URL


class ChannelEvents:
    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self.database = database
        self.clock = clock
        self._next_prune = 0.0

    async def record(self, channel_id: int, kind: EventKind, count: int = 1, feed_url: str | None = None) -> None:
        """Adds `count` events of `kind` (nothing when count is 0: callers pass what they found)."""
        if count <= 0:
            return
        now = self.clock()
        try:
            async with self.database.transaction() as connection:
                await connection.execute(channel_events.insert().values(
                    channel_id=channel_id, kind=kind, feed_url=feed_url, count=count, at=now))
                if now >= self._next_prune:
                    self._next_prune = now + PRUNE_EVERY
                    await connection.execute(delete(channel_events).where(channel_events.c.at < now - KEEP_SECONDS))
        except SQLAlchemyError:  # stats are a courtesy; the digest that reports them is not
            log.exception("could not record %d %s event(s) of channel %s", count, kind, channel_id)

    async def summary(self, channel_id: int) -> ChannelStats:
        """The channel's events summed over the last 7 and 30 days, in total and per feed."""
        now = self.clock()
        week = func.coalesce(func.sum(case((channel_events.c.at >= now - 7 * DAY, channel_events.c.count),
                                           else_=0)), 0).label("week")
        month = func.coalesce(func.sum(channel_events.c.count), 0).label("month")
        recent = (channel_events.c.channel_id == channel_id, channel_events.c.at >= now - 30 * DAY)
        rows = await self.database.fetch_all(
            select(channel_events.c.kind, channel_events.c.feed_url, week, month).where(*recent)
            .group_by(channel_events.c.kind, channel_events.c.feed_url))
        totals = {kind: Counts() for kind in KINDS}
        per_feed: dict[str, dict[str, Counts]] = {}
        for row in rows:
            counts = Counts(int(row.week), int(row.month))
            if row.kind not in totals:
                continue  # a kind this version does not know (written by a newer one)
            kind: EventKind = row.kind
            totals[kind] = Counts(totals[kind].week + counts.week, totals[kind].month + counts.month)
            if row.feed_url is not None:
                per_feed.setdefault(row.feed_url, {})[kind] = counts
        feeds = [FeedCounts(url, kinds.get("item", Counts()), kinds.get("feed_failure", Counts()))
                 for url, kinds in sorted(per_feed.items())]
        return ChannelStats(totals, feeds)
