"""Digest schedules: "every 6h", "every 90m", "at 08:00,20:00 [Europe/Berlin]".

Pure: `next_run` takes the clock as an argument, so tests control time. An
"every N" schedule runs at fixed multiples of N since the Unix epoch (every 6h:
00:00, 06:00, 12:00, 18:00 UTC), so a restart never pushes the next digest back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_INTERVAL = timedelta(minutes=30)  # more often than this is a live feed, not a digest
MAX_INTERVAL = timedelta(days=7)      # less often than this is no digest either
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Schedule:
    every: timedelta | None = None
    times: tuple[time, ...] = ()
    timezone: str = "UTC"

    def describe(self) -> str:
        if self.every:
            hours, rest = divmod(int(self.every.total_seconds()), 3600)
            return f"every {hours}h" if not rest else f"every {int(self.every.total_seconds() // 60)}m"
        return "at " + ",".join(t.strftime("%H:%M") for t in self.times) + f" {self.timezone}"


def parse_schedule(text: str, default_timezone: str = "UTC") -> Schedule:
    """ValueError with a message a user can act on when `text` is not a schedule."""
    text = text.strip()
    every = re.fullmatch(r"every\s+(\d+)\s*(h|m|min|hours?|minutes?)", text, re.IGNORECASE)
    if every:
        digits, unit = every.group(1).lstrip("0") or "0", every.group(2).lower()
        minutes = int(digits) * (60 if unit.startswith("h") else 1) if len(digits) <= 6 else None
        if minutes is None or minutes > MAX_INTERVAL.total_seconds() // 60:
            raise ValueError("a digest must come at least once a week (every 168h at most)")
        if minutes < MIN_INTERVAL.total_seconds() // 60:
            raise ValueError("a digest can come at most every 30 minutes")
        return Schedule(every=timedelta(minutes=minutes))
    at = re.fullmatch(r"at\s+([\d:,\s]+?)(?:\s+([A-Za-z_]+(?:/[A-Za-z_+-]+)*))?", text, re.IGNORECASE)
    if not at:
        raise ValueError("write 'every 6h' or 'at 08:00,20:00 Europe/Berlin'")
    zone = at.group(2) or default_timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{zone}' is not a time zone; use a name such as Asia/Riyadh or UTC") from None
    times = []
    for raw in re.split(r"[,\s]+", at.group(1).strip()):
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(f"'{raw}' is not a time of day such as 08:00")
        times.append(time(int(match.group(1)), int(match.group(2))))
    return Schedule(times=tuple(sorted(set(times))), timezone=zone)


def next_run(schedule: Schedule, now: datetime) -> datetime:
    """The first moment after `now` (an aware datetime) when the digest is due."""
    if schedule.every:
        periods = (now - _EPOCH) // schedule.every + 1
        return (_EPOCH + periods * schedule.every).astimezone(now.tzinfo)
    zone = ZoneInfo(schedule.timezone)
    local = now.astimezone(zone)
    for days in (0, 1):
        day = local.date() + timedelta(days=days)
        for moment in schedule.times:
            candidate = datetime.combine(day, moment, tzinfo=zone)
            if candidate > local:
                return candidate
    raise AssertionError("a schedule with times always has a next run")
