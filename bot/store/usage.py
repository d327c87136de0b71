"""Briefs each user asked for, per UTC day: the daily quota and the operator's usage list.

One row per (user, day), counted up by one atomic statement (INSERT … ON CONFLICT DO
UPDATE, the same on SQLite and PostgreSQL), so front ends counting at once never lose a
brief and never let a user past the quota: the check and the count are the same
statement. Days are UTC dates written "YYYY-MM-DD", which sort as they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, delete, func, select, update

from bot.store.database import Database
from bot.store.schema import usage

KEEP_DAYS = 30  # rows older than this are deleted: the usage list looks back a week


def utc_day(moment: datetime | None = None) -> str:
    """'2026-11-26': the UTC day `moment` (default: now) falls on."""
    return (moment or datetime.now(UTC)).astimezone(UTC).date().isoformat()


def days_before(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class UserUsage:
    user_id: int
    today: int
    week: int   # the last 7 days, today included


@dataclass(frozen=True)
class UsageTotals:
    today: int
    today_users: int
    week: int
    week_users: int


class UsageStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def count(self, user_id: int, day: str, limit: int = 0) -> int | None:
        """Counts one brief for the user on `day` and returns their count for the day; with a
        `limit` (> 0), a user who has `limit` already is not counted and None comes back."""
        insert = self.database.insert(usage).values(user_id=user_id, day=day, briefs=1)
        statement = insert.on_conflict_do_update(
            index_elements=[usage.c.user_id, usage.c.day], set_={"briefs": usage.c.briefs + 1},
            where=(usage.c.briefs < limit) if limit > 0 else None,
        ).returning(usage.c.briefs)
        return (await self.database.write(statement)).scalar_one_or_none()

    async def uncount(self, user_id: int, day: str) -> None:
        """Takes back one brief counted on `day` (it came from the cache and cost nothing)."""
        await self.database.write(update(usage).where(usage.c.user_id == user_id, usage.c.day == day,
                                                      usage.c.briefs > 0).values(briefs=usage.c.briefs - 1))

    async def briefs(self, user_id: int, day: str) -> int:
        row = await self.database.fetch_one(
            select(usage.c.briefs).where(usage.c.user_id == user_id, usage.c.day == day))
        return int(row.briefs) if row else 0

    async def top_users(self, today: str, limit: int) -> list[UserUsage]:
        """The users with the most briefs over the 7 days up to `today`, most first."""
        on_today = func.sum(case((usage.c.day == today, usage.c.briefs), else_=0))
        week = func.sum(usage.c.briefs)
        rows = await self.database.fetch_all(
            select(usage.c.user_id, on_today.label("today"), week.label("week"))
            .where(usage.c.day > days_before(today, 7), usage.c.day <= today)
            .group_by(usage.c.user_id).having(week > 0)
            .order_by(week.desc(), usage.c.user_id).limit(limit))
        return [UserUsage(row.user_id, int(row.today), int(row.week)) for row in rows]

    async def totals(self, today: str) -> UsageTotals:
        """Briefs and users who asked for any, today and over the 7 days up to `today`."""
        asked = usage.c.briefs > 0
        on_today = usage.c.day == today
        row = await self.database.fetch_one(
            select(func.coalesce(func.sum(case((on_today, usage.c.briefs), else_=0)), 0).label("today"),
                   func.count(func.distinct(case((on_today & asked, usage.c.user_id)))).label("today_users"),
                   func.coalesce(func.sum(usage.c.briefs), 0).label("week"),
                   func.count(func.distinct(case((asked, usage.c.user_id)))).label("week_users"))
            .where(usage.c.day > days_before(today, 7), usage.c.day <= today))
        assert row is not None  # an aggregate always has its row
        return UsageTotals(int(row.today), int(row.today_users), int(row.week), int(row.week_users))

    async def forget_before(self, day: str) -> None:
        """Deletes the counts of the days before `day`."""
        await self.database.write(delete(usage).where(usage.c.day < day))
