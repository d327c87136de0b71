"""The daily brief quota per user (`daily_quota`; 0: no limit), beside the per-minute rate limit
of bot.telegram.fairness: a spent quota is a longer wait, until 00:00 UTC."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.store.usage import KEEP_DAYS, UsageStore, days_before, utc_day
from bot.telegram.fairness import RateLimited


class QuotaExceeded(RateLimited):
    """The user has had their `limit` briefs today; `seconds` until the quota resets (00:00 UTC)."""

    def __init__(self, seconds: int, limit: int, first: bool = True) -> None:
        super().__init__(seconds, first)
        self.limit = limit


class DailyQuota:
    """At most `limit` briefs per user per UTC day (0: no limit; `exempt` users, the operators,
    have none). Every brief is counted, limited or not, in the database (bot.store.usage), so
    front ends share one count and the operator's /usage sees them all. A user over the quota is
    told once a day per process, like the rate limit's one notice per stretch."""

    def __init__(self, usage: UsageStore, limit: int, exempt: frozenset[int] = frozenset(),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.usage = usage
        self.limit = limit
        self.exempt = exempt
        self.clock = clock
        self._told: dict[int, str] = {}   # user → the day they were told their quota was spent
        self._day = ""                    # the day old counts and notices were last forgotten

    async def admit(self, user_id: int) -> None:
        """Counts one brief for the user today, or raises QuotaExceeded when they have had their quota."""
        now = self.clock()
        day = utc_day(now)
        await self._new_day(day)
        limit = 0 if user_id in self.exempt else self.limit
        if await self.usage.count(user_id, day, limit) is not None:
            return
        first = self._told.get(user_id) != day
        self._told[user_id] = day
        midnight = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
        raise QuotaExceeded(math.ceil((midnight - now).total_seconds()), limit, first)

    async def give_back(self, user_id: int) -> None:
        """Uncounts the user's latest brief (it came from the cache and cost nothing)."""
        await self.usage.uncount(user_id, utc_day(self.clock()))

    def told(self, user_id: int) -> bool:
        """True while the user's quota is spent and they have been told so today."""
        return self._told.get(user_id) == utc_day(self.clock())

    async def _new_day(self, day: str) -> None:
        """Once a day: forget yesterday's notices and counts older than KEEP_DAYS."""
        if day == self._day:
            return
        self._day = day
        self._told = {user: told for user, told in self._told.items() if told == day}
        await self.usage.forget_before(days_before(day, KEEP_DAYS))
